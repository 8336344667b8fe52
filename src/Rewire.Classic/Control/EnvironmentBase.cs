using System.Text.Json.Nodes;
using Rewire.Core.Sampling;
using Rewire.Core.Techniques;

namespace Rewire.Classic.Control;

/// <summary>
/// A base for environments: holds the environment's own random stream (Gymnasium's <c>np_random</c>), restarted by
/// <c>Reset(seed)</c> and continued by <c>Reset(null)</c>, and saves it with the subclass's state for exact resume. Before
/// the first seeded reset the stream starts from seed 0, so an unseeded environment is still reproducible.
/// </summary>
public abstract class EnvironmentBase<TAction> : IEnvironment<TAction>, IStatefulTechnique where TAction : notnull
{
    /// <summary>The environment's random stream.</summary>
    protected Xoshiro256StarStar Rng { get; private set; } = new(0);

    /// <inheritdoc />
    public abstract string Name { get; }
    /// <inheritdoc />
    public abstract BoxSpace ObservationSpace { get; }
    /// <inheritdoc />
    public abstract Space<TAction> ActionSpace { get; }
    Space IEnvironment.ActionSpace => ActionSpace;

    /// <inheritdoc />
    public ResetResult Reset(int? seed = null)
    {
        if (seed is { } s) Rng = new Xoshiro256StarStar(unchecked((ulong)s));
        return ResetCore();
    }

    /// <summary>Starts an episode using <see cref="Rng"/>.</summary>
    protected abstract ResetResult ResetCore();

    /// <inheritdoc />
    public abstract StepResult Step(TAction action);

    /// <summary>The physical state for exact resume (the random stream is saved by the base).</summary>
    protected abstract JsonObject SaveCore();

    /// <summary>Restores what <see cref="SaveCore"/> wrote.</summary>
    protected abstract void RestoreCore(JsonObject state);

    /// <inheritdoc />
    public JsonObject SaveState()
    {
        var o = SaveCore();
        o["rng"] = Rng.SaveState();
        return o;
    }

    /// <inheritdoc />
    public void RestoreState(JsonObject state)
    {
        ArgumentNullException.ThrowIfNull(state);
        string rng = state["rng"]?.GetValue<string>() ?? throw new ArgumentException($"the saved state of environment '{Name}' has no 'rng'.");
        Rng = Xoshiro256StarStar.Restore(rng);
        RestoreCore(state);
    }

    /// <summary>Doubles as JSON numbers that read back bit-exactly.</summary>
    protected static JsonArray Numbers(params double[] values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());

    /// <summary>Reads <paramref name="key"/> as an array of <paramref name="count"/> doubles.</summary>
    protected double[] ReadNumbers(JsonObject state, string key, int count)
    {
        var a = state[key] as JsonArray ?? throw new ArgumentException($"the saved state of environment '{Name}' has no '{key}'.");
        if (a.Count != count) throw new ArgumentException($"the saved '{key}' of environment '{Name}' has {a.Count} numbers; expected {count}.");
        return a.Select(n => n!.GetValue<double>()).ToArray();
    }
}
