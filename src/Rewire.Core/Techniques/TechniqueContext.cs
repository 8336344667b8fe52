namespace Rewire.Core.Techniques;

/// <summary>
/// Facts about the run that some techniques' defaults are stated in terms of (a paper's "maximum generation length" is
/// the run's generation budget, not a number fixed for another model). A parameter whose default is 0 and whose meaning
/// says "0 = ..." takes its value from here when the technique is built.
/// </summary>
public sealed record TechniqueContext
{
    /// <summary>The generation budget in tokens (the run's rl.max_new_tokens).</summary>
    public int MaxNewTokens { get; init; } = 1024;

    /// <summary>Rollouts per prompt (G).</summary>
    public int GroupSize { get; init; } = 8;

    /// <summary>Seed of the run, for techniques with their own random streams.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>A context with every fact at its default (no run-specific values).</summary>
    public static TechniqueContext Default { get; } = new();
}
