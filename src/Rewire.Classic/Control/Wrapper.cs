using System.Text.Json.Nodes;
using Rewire.Core.Techniques;

namespace Rewire.Classic.Control;

/// <summary>
/// Gymnasium's <c>Wrapper</c>: an environment that forwards to <see cref="Inner"/> and changes what it overrides. The
/// saved state holds the inner environment's state (when it has one) under "inner" and the wrapper's own under "self",
/// so a stack of wrappers resumes exactly.
/// </summary>
public abstract class Wrapper<TAction>(IEnvironment<TAction> inner) : IEnvironment<TAction>, IStatefulTechnique where TAction : notnull
{
    /// <summary>The wrapped environment.</summary>
    public IEnvironment<TAction> Inner { get; } = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <inheritdoc />
    public virtual string Name => Inner.Name;
    /// <inheritdoc />
    public virtual BoxSpace ObservationSpace => Inner.ObservationSpace;
    /// <inheritdoc />
    public virtual Space<TAction> ActionSpace => Inner.ActionSpace;
    Space IEnvironment.ActionSpace => ActionSpace;

    /// <inheritdoc />
    public virtual ResetResult Reset(int? seed = null) => Inner.Reset(seed);

    /// <inheritdoc />
    public virtual StepResult Step(TAction action) => Inner.Step(action);

    /// <summary>The innermost environment (below every wrapper).</summary>
    public IEnvironment<TAction> Unwrapped => Inner is Wrapper<TAction> w ? w.Unwrapped : Inner;

    /// <summary>The wrapper's own state; none by default.</summary>
    protected virtual JsonObject? SaveSelf() => null;

    /// <summary>Restores what <see cref="SaveSelf"/> wrote.</summary>
    protected virtual void RestoreSelf(JsonObject state) { }

    /// <inheritdoc />
    public JsonObject SaveState()
    {
        var o = new JsonObject();
        if (Inner is IStatefulTechnique s) o["inner"] = s.SaveState();
        if (SaveSelf() is { } self) o["self"] = self;
        return o;
    }

    /// <inheritdoc />
    public void RestoreState(JsonObject state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (Inner is IStatefulTechnique s)
            s.RestoreState(state["inner"] as JsonObject ?? throw new ArgumentException($"the saved state of a wrapper around '{Name}' has no 'inner'."));
        if (state["self"] is JsonObject self) RestoreSelf(self);
    }
}
