using System.Text.Json.Nodes;

namespace Rewire.Classic.Control;

/// <summary>
/// Gymnasium's <c>TimeLimit</c>: after <see cref="MaxEpisodeSteps"/> steps of an episode the step is marked truncated
/// (not terminated: the state is not terminal, so a learner bootstraps its value). A step that terminates on the limit
/// is both terminated and truncated, as in Gymnasium.
/// </summary>
public sealed class TimeLimit<TAction> : Wrapper<TAction> where TAction : notnull
{
    private int _elapsed;

    /// <summary>
    /// Wraps <paramref name="inner"/> with a limit of <paramref name="maxEpisodeSteps"/> steps per episode.
    /// </summary>
    /// <param name="inner">The environment to limit.</param>
    /// <param name="maxEpisodeSteps">Steps after which an episode is truncated, at least 1.</param>
    public TimeLimit(IEnvironment<TAction> inner, int maxEpisodeSteps) : base(inner)
    {
        if (maxEpisodeSteps < 1) throw new ArgumentOutOfRangeException(nameof(maxEpisodeSteps), maxEpisodeSteps, "the time limit must be at least one step.");
        MaxEpisodeSteps = maxEpisodeSteps;
    }

    /// <summary>Steps after which an episode is truncated.</summary>
    public int MaxEpisodeSteps { get; }

    /// <summary>Steps taken in the current episode.</summary>
    public int ElapsedSteps => _elapsed;

    /// <inheritdoc />
    public override ResetResult Reset(int? seed = null)
    {
        _elapsed = 0;
        return Inner.Reset(seed);
    }

    /// <inheritdoc />
    public override StepResult Step(TAction action)
    {
        var r = Inner.Step(action);
        _elapsed++;
        return _elapsed >= MaxEpisodeSteps ? r with { Truncated = true } : r;
    }

    /// <inheritdoc />
    protected override JsonObject SaveSelf() => new() { ["elapsed"] = _elapsed };

    /// <inheritdoc />
    protected override void RestoreSelf(JsonObject state) => _elapsed = state["elapsed"]!.GetValue<int>();
}
