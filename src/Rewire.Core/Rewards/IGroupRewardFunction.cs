namespace Rewire.Core.Rewards;

/// <summary>
/// A batch reward function whose reward of one rollout depends on the other rollouts of its group (by
/// <see cref="Rollout.Group"/>), such as BRPO's comparison against a reference drawn from the group: it must be given
/// whole groups in one batch. A trainer that scores rollouts one at a time checks <see cref="RewardPipeline.ScoresGroups"/>
/// and scores the groups' rollouts together instead.
/// </summary>
public interface IGroupRewardFunction : IBatchRewardFunction
{
}
