namespace Rewire.Golden;

/// <summary>
/// The one list of golden cases Rewire deliberately does not reproduce, each with its reason
/// (see ../shared/golden/README.md). Nothing else may be skipped by a golden runner.
/// </summary>
public static class GoldenExclusions
{
    public static readonly IReadOnlyDictionary<string, string> Cases = new Dictionary<string, string>
    {
        // --- core layer (advantages, statistics, KL controllers) ---

        // --- torch layer (losses, aggregation, KL penalty, entropy) ---
    };
}
