using System.Text.Json.Nodes;

namespace Rewire.Core.Techniques;

/// <summary>
/// A technique that carries state from one training step to the next (running statistics, per-prompt history, its own
/// random stream). The trainer saves the state in every checkpoint and restores it on resume, so a resumed run
/// continues exactly as an uninterrupted one.
/// </summary>
public interface IStatefulTechnique
{
    /// <summary>The state as JSON (numbers written so that they read back bit-exactly).</summary>
    JsonObject SaveState();

    /// <summary>Replaces the state with one from <see cref="SaveState"/>; throws <see cref="ArgumentException"/> naming what is wrong.</summary>
    void RestoreState(JsonObject state);
}
