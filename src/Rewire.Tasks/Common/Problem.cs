namespace Rewire.Tasks.Common;

/// <summary>One generated problem before it becomes a <see cref="Rewire.Core.Rewards.Prompt"/>.</summary>
/// <param name="Canonical">The canonical form the split hash is computed on (two equal problems have equal canonical forms).</param>
/// <param name="Text">The prompt text.</param>
/// <param name="Answer">The reference completion (also the zero-error demonstration).</param>
/// <param name="Domain">The prompt's domain.</param>
/// <param name="Metadata">What the verifier needs besides the answer.</param>
public sealed record Problem(
    string Canonical,
    string Text,
    string Answer,
    string Domain,
    IReadOnlyDictionary<string, string>? Metadata = null);
