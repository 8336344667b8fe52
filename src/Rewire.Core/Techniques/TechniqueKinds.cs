namespace Rewire.Core.Techniques;

/// <summary>
/// The kinds a technique can be, as configuration and `rewire list --json` spell them. A technique has exactly one kind;
/// its parameters are configuration keys in the section named after the kind (<c>objective.clip_low</c>,
/// <c>estimator.epsilon</c>, <c>sampler.max_rounds</c>, <c>shaping.dot.alpha</c>, ...).
/// </summary>
public static class TechniqueKinds
{
    /// <summary>The policy-gradient loss (clipped surrogate and its variants), section <c>objective.</c>.</summary>
    public const string Objective = "objective";
    /// <summary>The advantage estimator (GRPO, RLOO, GAE, ...), section <c>estimator.</c>.</summary>
    public const string Estimator = "estimator";
    /// <summary>A reward shaper that rewrites rewards before advantages are computed, section <c>shaping.NAME.</c>.</summary>
    public const string Shaper = "shaper";
    /// <summary>A shaper that rewrites token-level advantages after estimation.</summary>
    public const string AdvantageShaper = "advantage_shaper";
    /// <summary>The prompt sampler (uniform, curriculum, dynamic sampling, ...), section <c>sampler.</c>.</summary>
    public const string Sampler = "sampler";
    /// <summary>The estimator of the KL divergence to the reference policy (k1, k2, k3, ...).</summary>
    public const string KlEstimator = "kl_estimator";
    /// <summary>How token losses are averaged into one loss (token mean, sequence mean, constant normaliser).</summary>
    public const string LossAggregation = "loss_aggregation";
    /// <summary>A generic reward function added to a task's verifier (<c>reward.functions=NAME</c>).</summary>
    public const string Reward = "reward";
    /// <summary>How named reward components are combined into one reward (<c>reward.weighting=NAME</c>).</summary>
    public const string RewardWeighting = "reward_weighting";
    /// <summary>How completions are generated (single-turn, multi-turn, tree rollouts, ...).</summary>
    public const string Rollout = "rollout";
    /// <summary>A named bundle of configuration keys reproducing a paper's setup.</summary>
    public const string Recipe = "recipe";
    /// <summary>A task suite: prompts and their verifier.</summary>
    public const string Task = "task";
    /// <summary>A multi-turn environment the policy interacts with.</summary>
    public const string Environment = "environment";
    /// <summary>A multi-armed bandit algorithm (classic RL side).</summary>
    public const string BanditAlgorithm = "bandit_algorithm";
    /// <summary>A multi-armed bandit environment (classic RL side).</summary>
    public const string BanditEnvironment = "bandit_environment";
    /// <summary>A control environment such as CartPole (classic RL side).</summary>
    public const string ControlEnvironment = "control_environment";
    /// <summary>A control algorithm such as PPO or DQN (classic RL side).</summary>
    public const string ControlAlgorithm = "control_algorithm";
    /// <summary>A reward-design method that learns or optimises the reward itself.</summary>
    public const string RewardDesign = "reward_design";
    /// <summary>A quality-diversity algorithm (for example MAP-Elites).</summary>
    public const string QdAlgorithm = "qd_algorithm";
    /// <summary>An offline RL algorithm that learns from a fixed dataset.</summary>
    public const string OfflineAlgorithm = "offline_algorithm";
    /// <summary>A variable-selection rule for branch-and-bound on mixed-integer programs (learned or classic).</summary>
    public const string BranchingAlgorithm = "branching_algorithm";

    /// <summary>A sequential recommender learned from logged sessions (`rewire recommend --algo`).</summary>
    public const string Recommender = "recommender";

    /// <summary>A reward model trained from preferences (`rewire train stage=rm`, rm.model).</summary>
    public const string RewardModel = "reward_model";

    /// <summary>A judge: a pairwise generative reward model (`rewire train stage=rm rm.model=genrm`) or a way RL uses one (`reward.judge`).</summary>
    public const string Judge = "judge";

    /// <summary>Every kind, in the order `rewire list` shows them.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        Recipe, Task, Objective, Estimator, LossAggregation, KlEstimator, Shaper, AdvantageShaper, RewardWeighting, Reward,
        Sampler, Rollout, Environment, BanditAlgorithm, BanditEnvironment, ControlAlgorithm, ControlEnvironment, RewardDesign,
        QdAlgorithm, OfflineAlgorithm, BranchingAlgorithm, RewardModel, Recommender, Judge,
    ];
}
