namespace Rewire.Core.Techniques;

/// <summary>
/// The named columns of one RL step's rollout batch (in the spirit of verl's DataProto). Techniques declare which they
/// read (<see cref="TechniqueDescriptor.Requires"/>); before any work, the trainer checks that something in the
/// configured pipeline provides each one, and otherwise refuses the configuration naming the technique, the column and
/// what would provide it.
/// </summary>
public static class BatchColumns
{
    /// <summary>The token ids of each rollout (prompt and generated response).</summary>
    public const string TokenIds = "token_ids";
    /// <summary>1 at each generated response token and 0 at padding or observation tokens, <c>[B, L]</c>.</summary>
    public const string ResponseMask = "response_mask";
    /// <summary>Each response's prompt-group label (advantages group by it, never by position).</summary>
    public const string GroupIds = "group_ids";
    /// <summary>Each response's prompt id (stateful samplers and estimators key on it).</summary>
    public const string PromptIds = "prompt_ids";
    /// <summary>Token log-probabilities under the policy that generated the batch, <c>[B, L]</c>.</summary>
    public const string OldLogProbs = "old_log_probs";
    /// <summary>Token log-probabilities under the frozen reference model (for a KL penalty), <c>[B, L]</c>.</summary>
    public const string RefLogProbs = "ref_log_probs";
    /// <summary>Per-token entropy of the policy's next-token distribution, <c>[B, L]</c>.</summary>
    public const string Entropies = "entropies";
    /// <summary>The named components of each response's reward (what multi-objective weighting combines).</summary>
    public const string RewardComponents = "reward_components";
    /// <summary>Whether the verifier judged each response correct.</summary>
    public const string Correct = "correct";
    /// <summary>Pass/fail of each unit test for each response (partial-success rewards such as VeRPO).</summary>
    public const string TestOutcomes = "test_outcomes";
    /// <summary>Rewards of reference responses to the same prompt (PAR and LSC centre on them).</summary>
    public const string ReferenceRewards = "reference_rewards";
    /// <summary>Each prompt group's pass rate: the fraction of its responses judged correct.</summary>
    public const string PassRate = "pass_rate";
    /// <summary>The prompt's difficulty or hardness (for example GRPO-S difficulty scaling).</summary>
    public const string Difficulty = "difficulty";

    /// <summary>Prompts of several difficulty levels in the pool (what a difficulty curriculum orders).</summary>
    public const string DifficultyLevels = "difficulty_levels";
    /// <summary>Each response's length in tokens (length penalties, overlong punishment, outlier truncation).</summary>
    public const string Lengths = "lengths";
    /// <summary>Whether each response hit the generation limit.</summary>
    public const string Truncated = "truncated";
    /// <summary>Per-turn (step) rewards of a multi-turn episode, one per turn.</summary>
    public const string StepRewards = "step_rewards";

    /// <summary>Per turn of an episode, the named components of its step (for example ReSeek's judgment and relevance score).</summary>
    public const string StepComponents = "step_components";

    /// <summary>Per turn of an episode, the index of its last policy token in the response (where its step reward is credited).</summary>
    public const string TurnBoundaries = "turn_boundaries";

    /// <summary>A potential Φ(s_t) per state of an episode (potential-based shaping).</summary>
    public const string Potentials = "potentials";

    /// <summary>Intrinsic rewards per step with the message they came from (ONI's combination).</summary>
    public const string IntrinsicRewards = "intrinsic_rewards";
    /// <summary>Process (per-step or implicit PRM) rewards placed on tokens, <c>[B, L]</c> (PRIME, OPRL).</summary>
    public const string ProcessRewards = "process_rewards";
    /// <summary>IRCoCo's immediate reward of each token, <c>[B, L]</c>: the change of a learned evaluator's score of the code from the prefix before the token to the prefix after it.</summary>
    public const string ImmediateRewards = "immediate_rewards";
    /// <summary>A critic's value estimates per token, <c>[B, L]</c> (GAE).</summary>
    public const string Values = "values";
    /// <summary>The reward-model margin r(y_w) − r(y_l) of each preference pair (dynamic reward scaling).</summary>
    public const string PreferenceMargins = "preference_margins";
    /// <summary>A per-response reward baseline, for example the greedy response's reward (ReMax).</summary>
    public const string BaselineRewards = "baseline_rewards";
    /// <summary>Σ_v π_v² of the policy's next-token distribution at each token, <c>[B, L]</c> (optimal token baseline).</summary>
    public const string SumPiSquared = "sum_pi_squared";
}
