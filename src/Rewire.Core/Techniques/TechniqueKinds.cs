namespace Rewire.Core.Techniques;

/// <summary>
/// The kinds a technique can be, as configuration and `rewire list --json` spell them. A technique has exactly one kind;
/// its parameters are configuration keys in the section named after the kind (<c>objective.clip_low</c>,
/// <c>estimator.epsilon</c>, <c>sampler.max_rounds</c>, <c>shaping.dot.alpha</c>, ...).
/// </summary>
public static class TechniqueKinds
{
    public const string Objective = "objective";
    public const string Estimator = "estimator";
    public const string Shaper = "shaper";
    public const string AdvantageShaper = "advantage_shaper";
    public const string Sampler = "sampler";
    public const string KlEstimator = "kl_estimator";
    public const string LossAggregation = "loss_aggregation";
    public const string Reward = "reward";
    public const string RewardWeighting = "reward_weighting";
    public const string Rollout = "rollout";
    public const string Recipe = "recipe";
    public const string Task = "task";
    public const string Environment = "environment";
    public const string BanditAlgorithm = "bandit_algorithm";
    public const string BanditEnvironment = "bandit_environment";
    public const string ControlEnvironment = "control_environment";
    public const string ControlAlgorithm = "control_algorithm";
    public const string RewardDesign = "reward_design";
    public const string QdAlgorithm = "qd_algorithm";
    public const string OfflineAlgorithm = "offline_algorithm";

    /// <summary>A reward model trained from preferences (`rewire train stage=rm`, rm.model).</summary>
    public const string RewardModel = "reward_model";

    /// <summary>Every kind, in the order `rewire list` shows them.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        Recipe, Task, Objective, Estimator, LossAggregation, KlEstimator, Shaper, AdvantageShaper, RewardWeighting, Reward,
        Sampler, Rollout, Environment, BanditAlgorithm, BanditEnvironment, ControlAlgorithm, ControlEnvironment, RewardDesign,
        QdAlgorithm, OfflineAlgorithm, RewardModel,
    ];
}
