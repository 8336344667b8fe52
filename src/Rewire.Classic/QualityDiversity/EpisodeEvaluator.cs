using Rewire.Classic.Control;

namespace Rewire.Classic.QualityDiversity;

/// <summary>
/// Runs one episode of a genome's controller in an environment (reset with a fixed seed, so a genome's evaluation is
/// deterministic) and reads its return, final observation and behaviour descriptor. Each episode runs through an
/// <see cref="EnvironmentCallGuard"/>: an episode that throws is counted in <see cref="Failures"/>, one that runs past the
/// guard's budget in <see cref="Timeouts"/> (that instance is abandoned and a new one built); neither is fatal, and both
/// give a <see cref="Evaluation.Failed"/> evaluation. A run whose environment keeps hanging stops with
/// <see cref="EnvironmentHangException"/> at the guard's limit.
/// </summary>
public sealed class EpisodeEvaluator
{
    private readonly Func<IEnvironment> _factory;
    private IEnvironment _environment;

    /// <param name="factory">Builds one environment copy inside its time limit (e.g. <c>() => ControlEnvironments.Make(name)</c>).</param>
    /// <param name="space">The behaviour space.</param>
    /// <param name="episodeSeed">The seed of every reset.</param>
    /// <param name="guard">The time budget of one episode (null: unguarded).</param>
    /// <param name="hiddenLayers">Hidden layers of the genome's controller.</param>
    /// <param name="hiddenSize">Units per hidden layer of the controller.</param>
    public EpisodeEvaluator(Func<IEnvironment> factory, BehaviorSpace space, int episodeSeed, EnvironmentCallGuard? guard = null, int hiddenLayers = 2, int hiddenSize = 5)
    {
        _factory = factory ?? throw new ArgumentNullException(nameof(factory));
        Space = space ?? throw new ArgumentNullException(nameof(space));
        EpisodeSeed = episodeSeed;
        Guard = guard ?? EnvironmentCallGuard.Unguarded;
        _environment = factory();
        int outputs = _environment.ActionSpace switch
        {
            DiscreteSpace d => d.N,
            BoxSpace b when b.IsBounded => b.Dimension,
            var s => throw new ArgumentException($"'{_environment.Name}' has action space {s}; quality-diversity controllers need a discrete or bounded box space."),
        };
        Controller = new FeedForwardController(_environment.ObservationSpace.Dimension, outputs, hiddenLayers, hiddenSize);
    }

    /// <summary>The behaviour space descriptors are read in.</summary>
    public BehaviorSpace Space { get; }
    /// <summary>The seed every evaluation episode is reset with.</summary>
    public int EpisodeSeed { get; }
    /// <summary>
    /// The time budget of one episode (<see cref="EnvironmentCallGuard.Unguarded"/> when none was given).
    /// </summary>
    public EnvironmentCallGuard Guard { get; }
    /// <summary>
    /// The controller architecture genomes are decoded into (inputs: observation size; outputs: action count or box
    /// dimension).
    /// </summary>
    public FeedForwardController Controller { get; }

    /// <summary>Episodes that threw.</summary>
    public long Failures { get; set; }

    /// <summary>Episodes that ran past the guard's budget.</summary>
    public long Timeouts { get; set; }

    /// <summary>Evaluates <paramref name="genome"/> (one episode).</summary>
    public Evaluation Evaluate(double[] genome)
    {
        ArgumentNullException.ThrowIfNull(genome);
        var env = _environment;
        bool inTime;
        Evaluation? result;
        try { inTime = Guard.TryCall(() => Run(env, genome), out result); }
        catch (Exception e) when (e is not EnvironmentHangException and not OutOfMemoryException)
        {
            Failures++;
            return FailedEvaluation(genome);
        }
        if (!inTime)
        {
            Timeouts++;
            _environment = _factory();
            Guard.ThrowIfAtLimit($"an episode of '{env.Name}'");
            return FailedEvaluation(genome);
        }
        return result!;
    }

    private Evaluation FailedEvaluation(double[] genome) =>
        new(genome, double.NegativeInfinity, new double[Space.Dimension], new float[_environment.ObservationSpace.Dimension], false, 0, Failed: true);

    private Evaluation Run(IEnvironment env, double[] genome)
    {
        var obs = env.Reset(EpisodeSeed).Observation;
        double ret = 0;
        int steps = 0;
        bool terminated = false;
        while (true)
        {
            var output = Controller.Forward(genome, obs);
            StepResult step = env switch
            {
                IEnvironment<int> d => d.Step(ArgMax(output)),
                IEnvironment<float[]> c => c.Step(ToBox((BoxSpace)env.ActionSpace, output)),
                _ => throw new InvalidOperationException($"'{env.Name}' implements neither IEnvironment<int> nor IEnvironment<float[]>."),
            };
            ret += step.Reward;
            steps++;
            obs = step.Observation;
            if (step.Done)
            {
                terminated = step.Terminated;
                break;
            }
        }
        return new Evaluation(genome, ret, Space.Describe(obs), obs, terminated, steps);
    }

    private static int ArgMax(double[] v)
    {
        int best = 0;
        for (int i = 1; i < v.Length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    private static float[] ToBox(BoxSpace box, double[] output)
    {
        var a = new float[output.Length];
        for (int i = 0; i < a.Length; i++) a[i] = (float)(box.Low[i] + (output[i] + 1) / 2 * ((double)box.High[i] - box.Low[i]));
        return box.Clip(a);
    }
}
