using Rewire.Classic.Control;

namespace Rewire.Torch.Control;

/// <summary>What one learner iteration (a rollout and its update for PPO, a block of steps for DQN) did.</summary>
/// <param name="Update">Iterations so far, this one included.</param>
/// <param name="EnvSteps">Environment steps so far (all sub-environments counted).</param>
/// <param name="EpisodesFinished">Training episodes that ended during this iteration.</param>
/// <param name="MeanReturnLast100">Mean true return of the last 100 training episodes, null before the first ends.</param>
/// <param name="Metrics">Losses and diagnostics under CleanRL's names (<c>losses/policy_loss</c>, <c>losses/approx_kl</c>, ...).</param>
public sealed record ControlUpdate(long Update, long EnvSteps, int EpisodesFinished, double? MeanReturnLast100, IReadOnlyDictionary<string, double> Metrics);

/// <summary>
/// How a learner gets its environments: <see cref="Training"/> builds sub-environment i of the vectorised training
/// environment (already wrapped: time limit, episode statistics of the true reward, reward design), and
/// <see cref="Evaluation"/> builds one unshaped copy for evaluation. Both must have the same spaces. <see cref="Guard"/>
/// gives the training environments' Step and Reset calls a time budget (a hung sub-environment is replaced by a new one
/// from <see cref="Training"/>); null calls them inline.
/// </summary>
public sealed record ControlEnvironmentSet(Func<int, IEnvironment> Training, Func<IEnvironment> Evaluation)
{
    /// <summary>The time budget of the training environments' calls (see <see cref="VectorEnvironment{TAction}"/>); null: none.</summary>
    public EnvironmentCallGuard? Guard { get; init; }

    /// <summary>
    /// The usual stack for an environment factory: <c>EpisodeStatistics(TimeLimit(make()))</c> for training, then
    /// <paramref name="wrap"/> (a reward design) on top; <c>TimeLimit(make())</c> for evaluation.
    /// </summary>
    public static ControlEnvironmentSet From(Func<IEnvironment> make, int maxEpisodeSteps, Func<IEnvironment, int, IEnvironment>? wrap = null)
    {
        ArgumentNullException.ThrowIfNull(make);
        return new ControlEnvironmentSet(
            i => (wrap ?? ((e, _) => e))(WithStatistics(Classic.Control.ControlEnvironments.WithTimeLimit(make(), maxEpisodeSteps)), i),
            () => Classic.Control.ControlEnvironments.WithTimeLimit(make(), maxEpisodeSteps));
    }

    /// <summary>
    /// The same set with observations normalised by one shared <see cref="RunningMeanStd"/> (Stable-Baselines3's
    /// <c>VecNormalize</c> for observations, clipped at ±<paramref name="clip"/>): training copies update it, evaluation
    /// copies read it frozen. The wrapper goes outermost, so reward designs still see raw observations.
    /// </summary>
    public ControlEnvironmentSet WithObservationNormalization(double clip = 10)
    {
        RunningMeanStd? stats = null;
        IEnvironment Normalize(IEnvironment e, bool update)
        {
            stats ??= new RunningMeanStd(e.ObservationSpace.Dimension);
            return e switch
            {
                IEnvironment<int> d => new ObservationNormalization<int>(d, stats, clip: clip) { Update = update },
                IEnvironment<float[]> c => new ObservationNormalization<float[]>(c, stats, clip: clip) { Update = update },
                _ => throw new ArgumentException($"'{e.Name}' implements neither IEnvironment<int> nor IEnvironment<float[]>."),
            };
        }
        return this with { Training = i => Normalize(Training(i), true), Evaluation = () => Normalize(Evaluation(), false) };
    }

    /// <summary>Wraps an environment of either action type in <see cref="EpisodeStatistics{TAction}"/>.</summary>
    public static IEnvironment WithStatistics(IEnvironment environment) => environment switch
    {
        IEnvironment<int> d => new EpisodeStatistics<int>(d),
        IEnvironment<float[]> c => new EpisodeStatistics<float[]>(c),
        _ => throw new ArgumentException($"'{environment?.Name}' implements neither IEnvironment<int> nor IEnvironment<float[]>."),
    };
}

/// <summary>A control learner driven one iteration at a time by the CLI or a program, checkpointable for exact resume.</summary>
public interface IControlLearner : IDisposable
{
    /// <summary>"ppo" or "dqn".</summary>
    string Algorithm { get; }

    /// <summary>Environment steps taken so far (all sub-environments counted).</summary>
    long EnvSteps { get; }

    /// <summary>The environment-step budget.</summary>
    long TotalSteps { get; }

    /// <summary>Iterations (<see cref="Update"/> calls) completed so far.</summary>
    long Updates { get; }

    /// <summary>True when the budget is spent.</summary>
    bool Done => EnvSteps >= TotalSteps;

    /// <summary>Mean true return of the last 100 training episodes, null before the first ends.</summary>
    double? MeanReturnLast100 { get; }

    /// <summary>Training episodes finished so far.</summary>
    long Episodes { get; }

    /// <summary>Environment steps that threw (counted and reported; the sub-environment was reset and training went on).</summary>
    long EnvironmentFailures { get; }

    /// <summary>
    /// Environment Step/Reset calls that ran past <see cref="ControlEnvironmentSet.Guard"/>'s budget (counted and reported;
    /// the step was a truncation, the hung instance was replaced by a new one and training went on).
    /// </summary>
    long EnvironmentTimeouts { get; }

    /// <summary>One iteration.</summary>
    ControlUpdate Update();

    /// <summary>Returns of <paramref name="episodes"/> evaluation episodes with the deterministic policy (greedy / mean action), seeds seed, seed+1, ...</summary>
    IReadOnlyList<double> Evaluate(int episodes, int seed);

    /// <summary>Writes weights, optimiser, environments and counters into <paramref name="directory"/>.</summary>
    void Save(string directory);

    /// <summary>Restores what <see cref="Save"/> wrote; the learner then continues exactly as the saved one would have.</summary>
    void Load(string directory);
}
