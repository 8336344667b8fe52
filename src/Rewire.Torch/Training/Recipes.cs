// Recipes: a paper's method as a whole — estimator, objective (with its loss aggregation), KL, sampler, shaping and
// rollout — selected with `rl.recipe=NAME`. Explicit keys override what a recipe sets; technique parameters not set by
// the recipe or the user take the technique's own paper defaults. Every recipe sets every selection key, so switching
// recipes never inherits another recipe's choices.
using Rewire.Core.Techniques;

namespace Rewire.Torch.Training;

/// <summary>The recipe descriptors (kind recipe).</summary>
public static class Recipes
{
    private static KeyValuePair<string, string> S(string key, string value) => new(key, value);

    private static IReadOnlyList<KeyValuePair<string, string>> Sets(string estimator, string objective, string sampler, string shaping = "",
        string kl = "none", string rollout = "sampling", params KeyValuePair<string, string>[] extra)
    {
        var list = new List<KeyValuePair<string, string>>
        {
            S("rl.estimator", estimator), S("rl.objective", objective), S("rl.sampler", sampler), S("reward.shaping", shaping),
            S("rl.rollout", rollout), S("rl.advantage_shaping", ""), S("rl.kl_mode", kl == "none" ? "none" : "loss"),
            S("rl.kl_estimator", kl == "none" ? "low_var_kl" : kl), S("rl.kl_coef", kl == "none" ? "0" : "0.04"),
        };
        list.AddRange(extra);
        return list;
    }

    private static TechniqueDescriptor R(string name, string summary, string paper, string spec, IReadOnlyList<KeyValuePair<string, string>> sets, string? note = null) => new()
    {
        Kind = TechniqueKinds.Recipe,
        Name = name,
        Summary = summary,
        Paper = paper,
        Spec = spec,
        DefaultsNote = note,
        Sets = sets,
        Example = ["train", $"rl.recipe={name}", "rl.steps=3", "sft.steps=150", "task.test_size=50", "--json"],
    };

    /// <summary>The recipes (papers' combinations of techniques) by name, each with the settings it applies.</summary>
    public static IReadOnlyList<TechniqueDescriptor> All { get; } =
    [
        R("ppo", "PPO with a critic: GAE advantages from a learned value model, symmetric clip 0.2, token-mean loss, the clipped value loss",
            "PPO (arXiv 1707.06347) with GAE (arXiv 1506.02438)", "rlvr T00", Sets("gae", "ppo", "uniform")),
        R("grpo", "GRPO: group-normalised advantages, symmetric clip 0.2, per-response token means, k3 KL in the loss with β = 0.04",
            "DeepSeekMath (arXiv 2402.03300)", "rlvr T01", Sets("grpo", "grpo", "uniform", kl: "low_var_kl")),
        R("dr_grpo", "Dr. GRPO: advantages without std division, token sums over a constant (the generation budget), no KL",
            "Dr. GRPO (arXiv 2503.20783)", "rlvr T02",
            Sets("dr_grpo", "grpo", "uniform", extra: [S("objective.loss_agg_mode", "seq-mean-token-sum-norm")])),
        R("dapo", "DAPO: clip-higher 0.2/0.28, token-mean loss, dynamic sampling of mixed groups, soft overlong punishment",
            "DAPO (arXiv 2503.14476)", "rlvr T03", Sets("grpo", "dapo", "dapo", "overlong_punishment")),
        R("gspo", "GSPO: sequence-level ratio clipped to 1 ± 3e-4/4e-4, each rollout batch in 4 mini-batches, no KL",
            "GSPO (arXiv 2507.18071)", "rlvr T04", Sets("grpo", "gspo", "uniform", extra: [S("rl.mini_batch_size", "64")]),
            "4 mini-batches of the default 32 prompts × 8 rollouts; change rl.mini_batch_size with rl.prompts_per_step"),
        R("dcpo", "DCPO: dynamic-adaptive clipping, smooth advantage standardisation per prompt, token sums per response, no filtering",
            "DCPO (arXiv 2509.02333)", "rlvr T05", Sets("dcpo", "dcpo", "uniform")),
        R("dot", "DOT: dynamic outlier truncation of all-correct groups, predictive dynamic sampling, KL-Cov, per-response token means",
            "Anti-Length Shift: Dynamic Outlier Truncation (arXiv 2601.03969)", "rlvr T11",
            Sets("grpo", "kl_cov", "dot_pds", "dot", extra: [S("objective.loss_agg_mode", "seq-mean-token-mean"), S("rl.mini_batch_size", "64")])),
        R("latr", "LATR: lookahead tree rollouts with DAPO's clip-higher objective and GRPO advantages",
            "LATR (arXiv 2510.24302)", "rlvr T15", Sets("grpo", "dapo", "uniform", rollout: "latr")),
        R("prime", "PRIME: an implicit PRM trained online on outcome labels gives token process rewards, combined with outcome rewards by leave-one-out, K = 4, accuracy filter [0.2, 0.8], PPO clip 0.2, no KL",
            "Process Reinforcement through Implicit Rewards (arXiv 2502.01456)", "rlvr T19",
            Sets("prime", "ppo", "uniform", extra: [S("rl.group_size", "4")])),
    ];
}
