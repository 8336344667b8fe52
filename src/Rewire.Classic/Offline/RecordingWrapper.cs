using Rewire.Classic.Control;
using Rewire.Core.Sampling;

namespace Rewire.Classic.Offline;

/// <summary>
/// Records the transitions that pass through an environment, for <c>rewire collect</c>. With probability
/// <paramref name="epsilon"/> the agent's action is replaced by a uniform random one before the step (the recorded action
/// is the one taken), which lowers an agent's skill by a known amount: ε = 0 is the agent itself, ε = 1 a random policy.
/// Episodes are numbered in the order they start; observations are the raw ones of the wrapped environment.
/// </summary>
public sealed class RecordingWrapper<TAction>(IEnvironment<TAction> inner, TransitionLog log, double epsilon, Xoshiro256StarStar rng, Func<TAction, float[]> encode)
    : Wrapper<TAction>(inner) where TAction : notnull
{
    private float[]? _observation;
    private int _step;
    private int _episode = -1;

    /// <inheritdoc />
    public override ResetResult Reset(int? seed = null)
    {
        var r = base.Reset(seed);
        _observation = (float[])r.Observation.Clone();
        _step = 0;
        _episode = log.NextEpisode++;
        return r;
    }

    /// <inheritdoc />
    public override StepResult Step(TAction action)
    {
        if (_observation is null) throw new InvalidOperationException("call Reset before Step.");
        if (epsilon > 0 && rng.NextDouble() < epsilon) action = ActionSpace.Sample(rng);
        var r = base.Step(action);
        log.Transitions.Add(new Transition(_episode, _step++, _observation, encode(action), r.Reward, (float[])r.Observation.Clone(), r.Terminated, r.Truncated));
        _observation = (float[])r.Observation.Clone();
        return r;
    }
}

/// <summary>The transitions of one collection and its episode counter, shared by the recorders of the collection.</summary>
public sealed class TransitionLog
{
    /// <summary>The recorded transitions, in the order they happened across every recorder of the collection.</summary>
    public List<Transition> Transitions { get; } = [];

    /// <summary>The number the next episode gets.</summary>
    public int NextEpisode { get; set; }
}
