namespace Rewire.Classic.Control;

/// <summary>One step as a reward transform sees it: s, a, r, s', and how the step ended.</summary>
public readonly record struct Transition<TAction>(
    float[] Observation, TAction Action, double Reward, float[] NextObservation, bool Terminated, bool Truncated,
    IReadOnlyDictionary<string, object> Info) where TAction : notnull;

/// <summary>
/// The reward-design hook: replaces (or augments) each step's reward, e.g. potential-based shaping
/// r + γΦ(s') − Φ(s). <see cref="OnReset"/> sees each episode's first observation. A transform that needs no action
/// can implement it for any <typeparamref name="TAction"/>.
/// </summary>
public interface IRewardTransform<TAction> where TAction : notnull
{
    /// <summary>An episode starts at <paramref name="observation"/>.</summary>
    void OnReset(float[] observation, IReadOnlyDictionary<string, object> info);

    /// <summary>The reward the learner sees for <paramref name="step"/>.</summary>
    double Transform(in Transition<TAction> step);
}

/// <summary>A reward transform from a delegate (no per-episode state).</summary>
public sealed class DelegateRewardTransform<TAction>(Func<Transition<TAction>, double> transform) : IRewardTransform<TAction> where TAction : notnull
{
    private readonly Func<Transition<TAction>, double> _transform = transform ?? throw new ArgumentNullException(nameof(transform));

    /// <inheritdoc />
    public void OnReset(float[] observation, IReadOnlyDictionary<string, object> info) { }

    /// <inheritdoc />
    public double Transform(in Transition<TAction> step) => _transform(step);
}

/// <summary>
/// Applies an <see cref="IRewardTransform{TAction}"/> to every step. The environment's own reward is kept in the info under
/// <see cref="EnvironmentRewardKey"/>, so statistics and reports can still show the true return (put an
/// <see cref="EpisodeStatistics{TAction}"/> inside this wrapper to record true returns).
/// </summary>
public sealed class RewardTransformWrapper<TAction>(IEnvironment<TAction> inner, IRewardTransform<TAction> transform) : Wrapper<TAction>(inner)
    where TAction : notnull
{
    /// <summary>The info key holding the untransformed reward.</summary>
    public const string EnvironmentRewardKey = "env_reward";

    private float[]? _last;

    /// <summary>The transform applied to every step's reward.</summary>
    public IRewardTransform<TAction> Transform { get; } = transform ?? throw new ArgumentNullException(nameof(transform));

    /// <inheritdoc />
    public override ResetResult Reset(int? seed = null)
    {
        var r = Inner.Reset(seed);
        _last = r.Observation;
        Transform.OnReset(r.Observation, r.Info);
        return r;
    }

    /// <inheritdoc />
    public override StepResult Step(TAction action)
    {
        var before = _last ?? throw new InvalidOperationException($"'{Name}' was stepped before Reset; call Reset first.");
        var r = Inner.Step(action);
        _last = r.Observation;
        double shaped = Transform.Transform(new Transition<TAction>(before, action, r.Reward, r.Observation, r.Terminated, r.Truncated, r.Info));
        return r with { Reward = shaped, Info = r.Info.With(EnvironmentRewardKey, r.Reward) };
    }
}
