// Mobile-R1's action-level reward ("Mobile-R1: Towards Interactive Reinforcement Learning for VLM-Based Mobile Agent via
// Task-Level Rewards", Gu et al. 2025), the reward of its second stage (single-step GRPO on the states of annotated expert
// trajectories):
//
//   R_action = R_Act + R_Fmt
//   R_Act = 1 when the predicted action is the annotated action of the step (non-coordinate actions: exact match of the
//           action and its argument), else 0
//   R_Fmt = 1 when the output has the required structure, else 0
//
// Here the "structure" is the environment's action format (IExpertEnvironment.IsWellFormed) and a finished turn (the action
// ended with its end-of-turn token instead of running into rl.max_new_tokens); the match is the environment's
// IExpertEnvironment.SameAction. The two weights are 1 as in the paper and kept as parameters.
namespace Rewire.Tasks.Environments;

/// <summary>One action's action-level reward and its two parts.</summary>
/// <param name="Format">R_Fmt: 1 for a well-formed, finished action, else 0.</param>
/// <param name="Action">R_Act: 1 when the action is the expert's, else 0.</param>
/// <param name="Total">formatWeight·R_Fmt + actionWeight·R_Act.</param>
public readonly record struct ActionLevelScore(double Format, double Action, double Total);

/// <summary>Mobile-R1's action-level reward: format validity plus exact match with the expert's action.</summary>
public static class ActionLevelReward
{
    /// <summary>The paper's weight of R_Fmt (R_action = R_Act + R_Fmt).</summary>
    public const double DefaultFormatWeight = 1;

    /// <summary>The paper's weight of R_Act.</summary>
    public const double DefaultActionWeight = 1;

    /// <summary>
    /// Scores <paramref name="action"/> against <paramref name="expertAction"/> in <paramref name="environment"/>;
    /// <paramref name="finished"/> is false when the action was cut by the token budget (then R_Fmt = 0).
    /// </summary>
    public static ActionLevelScore Score(IExpertEnvironment environment, string action, bool finished, string expertAction,
        double formatWeight = DefaultFormatWeight, double actionWeight = DefaultActionWeight)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(expertAction);
        if (!double.IsFinite(formatWeight) || !double.IsFinite(actionWeight))
            throw new ArgumentException($"the weights must be finite (format {formatWeight}, action {actionWeight})");
        double format = finished && environment.IsWellFormed(action) ? 1 : 0;
        double match = environment.SameAction(action, expertAction) ? 1 : 0;
        return new ActionLevelScore(format, match, formatWeight * format + actionWeight * match);
    }
}
