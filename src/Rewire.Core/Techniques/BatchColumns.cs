namespace Rewire.Core.Techniques;

/// <summary>
/// The named columns of one RL step's rollout batch (in the spirit of verl's DataProto). Techniques declare which they
/// read (<see cref="TechniqueDescriptor.Requires"/>); before any work, the trainer checks that something in the
/// configured pipeline provides each one, and otherwise refuses the configuration naming the technique, the column and
/// what would provide it.
/// </summary>
public static class BatchColumns
{
    public const string TokenIds = "token_ids";
    public const string ResponseMask = "response_mask";
    public const string GroupIds = "group_ids";
    public const string PromptIds = "prompt_ids";
    public const string OldLogProbs = "old_log_probs";
    public const string RefLogProbs = "ref_log_probs";
    public const string Entropies = "entropies";
    public const string RewardComponents = "reward_components";
    public const string Correct = "correct";
    public const string TestOutcomes = "test_outcomes";
    public const string ReferenceRewards = "reference_rewards";
    public const string PassRate = "pass_rate";
    public const string Difficulty = "difficulty";

    /// <summary>Prompts of several difficulty levels in the pool (what a difficulty curriculum orders).</summary>
    public const string DifficultyLevels = "difficulty_levels";
    public const string Lengths = "lengths";
    public const string Truncated = "truncated";
    /// <summary>Per-turn (step) rewards of a multi-turn episode, one per turn.</summary>
    public const string StepRewards = "step_rewards";

    /// <summary>Per turn of an episode, the index of its last policy token in the response (where its step reward is credited).</summary>
    public const string TurnBoundaries = "turn_boundaries";

    /// <summary>A potential Φ(s_t) per state of an episode (potential-based shaping).</summary>
    public const string Potentials = "potentials";

    /// <summary>Intrinsic rewards per step with the message they came from (ONI's combination).</summary>
    public const string IntrinsicRewards = "intrinsic_rewards";
    public const string ProcessRewards = "process_rewards";
    public const string Values = "values";
    public const string PreferenceMargins = "preference_margins";
    public const string BaselineRewards = "baseline_rewards";
    public const string SumPiSquared = "sum_pi_squared";
}
