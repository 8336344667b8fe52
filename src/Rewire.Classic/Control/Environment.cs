namespace Rewire.Classic.Control;

/// <summary>
/// An environment with Gymnasium's semantics, seen without its action type: observations are float vectors in
/// <see cref="ObservationSpace"/>; <see cref="Reset"/> starts an episode (seeding the environment's random stream when a
/// seed is given, continuing it otherwise). The typed view <see cref="IEnvironment{TAction}"/> adds <c>Step</c>.
/// Actions are <c>int</c> for a <see cref="DiscreteSpace"/> and <c>float[]</c> for a <see cref="BoxSpace"/>.
/// </summary>
public interface IEnvironment
{
    /// <summary>A short name (the registry name for the built-in environments).</summary>
    string Name { get; }

    /// <summary>The box every observation lies in; its dimension is the length of the observation vectors.</summary>
    BoxSpace ObservationSpace { get; }

    /// <summary>
    /// The action space, untyped: a <see cref="DiscreteSpace"/> (int actions) or a <see cref="BoxSpace"/> (float[]
    /// actions).
    /// </summary>
    Space ActionSpace { get; }

    /// <summary>Starts an episode. With a seed, the environment's random stream restarts from it (the same seed gives the same episode).</summary>
    ResetResult Reset(int? seed = null);
}

/// <summary>An environment whose actions are <typeparamref name="TAction"/>.</summary>
public interface IEnvironment<TAction> : IEnvironment where TAction : notnull
{
    /// <summary>The action space, typed by the action type.</summary>
    new Space<TAction> ActionSpace { get; }

    /// <summary>
    /// Advances one step. <c>Terminated</c>: the MDP reached a terminal state (no bootstrap); <c>Truncated</c>: the episode was cut
    /// short from outside the MDP, e.g. by a time limit (bootstrap from the final observation). After either, call
    /// <see cref="IEnvironment.Reset"/> before stepping again.
    /// </summary>
    StepResult Step(TAction action);
}

/// <summary>What <see cref="IEnvironment.Reset"/> returns.</summary>
public readonly record struct ResetResult(float[] Observation, IReadOnlyDictionary<string, object> Info);

/// <summary>What <see cref="IEnvironment{TAction}.Step"/> returns (Gymnasium's five-tuple).</summary>
public readonly record struct StepResult(float[] Observation, double Reward, bool Terminated, bool Truncated, IReadOnlyDictionary<string, object> Info)
{
    /// <summary>True when the episode ended either way.</summary>
    public bool Done => Terminated || Truncated;
}

/// <summary>Helpers for the info dictionaries (Gymnasium's <c>info</c>), which are read-only once returned.</summary>
public static class EnvInfo
{
    /// <summary>The empty info, shared.</summary>
    public static IReadOnlyDictionary<string, object> Empty { get; } = new Dictionary<string, object>(StringComparer.Ordinal);

    /// <summary>A copy of <paramref name="info"/> with <paramref name="key"/> set to <paramref name="value"/>.</summary>
    public static IReadOnlyDictionary<string, object> With(this IReadOnlyDictionary<string, object> info, string key, object value)
    {
        ArgumentNullException.ThrowIfNull(info);
        var d = new Dictionary<string, object>(info, StringComparer.Ordinal) { [key] = value };
        return d;
    }
}
