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
        ["A/compute_rloo_outcome_advantage/004"] = "RLOO singleton groups: Rewire gives a group of one response advantage 0 (verl's rloo_vectorized behaviour; there is no other sample to form a baseline) under both 'rloo' and 'rloo_vectorized'; verl's loop rloo keeps the raw score. The loop behaviour stays available as RlooSingleton.RawScore.",
        ["A/compute_rloo_outcome_advantage/009"] = "RLOO singleton groups (every group has size 1): Rewire gives advantage 0 as rloo_vectorized does; verl's loop rloo keeps the raw score (available as RlooSingleton.RawScore).",

        // --- torch layer (losses, aggregation, KL penalty, entropy) ---
        ["A/kl_penalty/016"] = "verl at b178a3c raises NotImplementedError for 'k3+' only because the '+' suffix reaches kl_penalty_forward (bug fixed upstream); Rewire implements the intended straight-through estimator (k3 value, k2 gradient).",
        ["A/kl_penalty/017"] = "verl at b178a3c raises NotImplementedError for 'low_var_kl+' only because the '+' suffix reaches kl_penalty_forward (bug fixed upstream); Rewire implements the intended straight-through estimator (k3 value, k2 gradient).",
    };
}
