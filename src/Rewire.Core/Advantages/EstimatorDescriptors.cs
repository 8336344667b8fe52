using Rewire.Core.Techniques;
using static Rewire.Core.Techniques.TechniqueParameter;

namespace Rewire.Core.Advantages;

/// <summary>
/// Descriptors of the advantage estimators (kind <c>estimator</c>, selected with <c>rl.estimator=NAME</c>, parameters
/// <c>estimator.PARAM</c>). The descriptor is the one source of every default:
/// <see cref="AdvantageEstimatorRegistry.Create(ResolvedTechnique)"/> builds each estimator from a resolved descriptor.
/// Every estimator reads the rollouts' rewards and response mask; <c>Requires</c> lists what it reads beyond those.
/// </summary>
public static class EstimatorDescriptors
{
    /// <summary>The paper that introduced GRPO (cited by the GRPO-family descriptors).</summary>
    public const string GrpoPaper = "DeepSeekMath: Pushing the Limits of Mathematical Reasoning in Open Language Models (arXiv 2402.03300)";
    /// <summary>The paper that introduced REINFORCE++ (cited by both REINFORCE++ descriptors).</summary>
    public const string ReinforcePlusPlusPaper = "REINFORCE++: A Simple and Efficient Approach for Aligning Large Language Models (arXiv 2501.03262)";
    /// <summary>The paper that introduced RLOO.</summary>
    public const string RlooPaper = "Back to Basics: Revisiting REINFORCE Style Optimization for Learning from Human Feedback in LLMs (arXiv 2402.14740)";
    /// <summary>The paper that introduced IRCoCo.</summary>
    public const string IrcocoPaper = "IRCoCo: Immediate Rewards-Guided Deep Reinforcement Learning for Code Completion (Li et al., SANER 2024, arXiv 2401.16637)";
    /// <summary>Where the optimal token baseline estimators come from (verl, which has no separate paper for them).</summary>
    public const string VerlOtb = "Optimal token baseline of verl (HybridFlow: A Flexible and Efficient RLHF Framework, arXiv 2409.19256)";

    /// <summary>
    /// The estimators GRPO-N may filter: every one except itself and those whose inputs the trainer makes only when they are
    /// the run's estimator (PRIME's implicit PRM, OPRL's learned step rewards, IRCoCo's evaluator), which as a base would
    /// silently read zeros or the wrong rewards.
    /// </summary>
    public static IReadOnlyList<string> BaseEstimators { get; } =
    [
        "gae", "grpo", "grpo_vectorized", "dr_grpo", "rloo", "rloo_vectorized", "opo", "reinforce_plus_plus",
        "reinforce_plus_plus_baseline", "remax", "gpg", "grpo_passk", "optimal_token_baseline", "tir_optimal_token_baseline",
        "multi_turn_optimal_token_baseline", "dcpo",
    ];

    private static TechniqueParameter Epsilon(double value) => Number("epsilon", value, "ε added to the divisor (numerical guard).", 0, 1);
    private static TechniqueParameter NormalizeByStd() => Boolean("normalize_by_std", true, "Divide by the group std (false gives Dr. GRPO's difficulty-unbiased advantage).");
    private static TechniqueParameter Gamma(string meaning) => Number("gamma", 1.0, meaning, 0, 1);
    private static TechniqueParameter HandleZeroTail(bool value) => Boolean("handle_zero_tail", value, "Zero the baseline of a group's unique longest trajectory past the second longest.");
    private static TechniqueParameter Singleton() => Choice("singleton", "zero", "Advantage of a group with one response: zero (verl's vectorized form) or raw_score (verl's loop form).", "zero", "raw_score");

    /// <summary>Every estimator.</summary>
    public static IReadOnlyList<TechniqueDescriptor> All { get; } =
    [
        E("gae", "Generalized advantage estimation over token rewards and critic values, whitened over the batch.",
            "High-Dimensional Continuous Control Using Generalized Advantage Estimation (arXiv 1506.02438)", null,
            [Gamma("γ, the discount."), Number("lambda", 1.0, "λ of GAE (1 = Monte-Carlo returns minus values).", 0, 1)],
            [BatchColumns.Values]) with { DefaultsNote = "verl's algorithm defaults (γ = λ = 1) for LLM RL; the GAE paper sweeps λ" },
        E("grpo", "Group-relative advantage (R - mean)/(std + ε) over the prompt's G responses.", GrpoPaper, "rlvr T01",
            [Epsilon(1e-6), NormalizeByStd(), Boolean("unbiased_std", true, "Use the unbiased (n - 1) group std, as verl does.")], [BatchColumns.GroupIds]),
        E("grpo_vectorized", "GRPO with the variance floored at ε before the square root (verl's vectorized form).", GrpoPaper, "rlvr T01",
            [Epsilon(1e-6), NormalizeByStd()], [BatchColumns.GroupIds]),
        E("dr_grpo", "Dr. GRPO: R - mean over the group, without the std division that biases toward easy and hard questions.",
            "Understanding R1-Zero-Like Training: A Critical Perspective (arXiv 2503.20783)", "rlvr T02", [], [BatchColumns.GroupIds]),
        E("rloo", "REINFORCE leave-one-out: R_i minus the mean of the other responses of its group.", RlooPaper, null, [Singleton()], [BatchColumns.GroupIds]),
        E("rloo_vectorized", "RLOO in verl's vectorized form (identical values; a singleton group gets 0).", RlooPaper, null, [Singleton()], [BatchColumns.GroupIds]),
        E("opo", "On-policy optimal baseline: R minus the length-weighted group mean reward.",
            "On-Policy RL with Optimal Reward Baseline (arXiv 2505.23585)", null, [], [BatchColumns.GroupIds]),
        E("reinforce_plus_plus", "REINFORCE++: discounted token return-to-go, whitened over the batch.", ReinforcePlusPlusPaper, null,
            [Gamma("γ, the discount of the return-to-go.")], []),
        E("reinforce_plus_plus_baseline", "REINFORCE++ with the group mean as baseline, then whitened over the batch.", ReinforcePlusPlusPaper, null, [], [BatchColumns.GroupIds]),
        E("remax", "ReMax: reward-to-go minus the reward of the greedy response to the same prompt.",
            "ReMax: A Simple, Effective, and Efficient Reinforcement Learning Method for Aligning Large Language Models (arXiv 2310.10505)", null,
            [], [BatchColumns.BaselineRewards]),
        E("gpg", "GPG: (R - mean)/f_norm scaled by the batch's share of responses with non-zero reward.",
            "GPG: A Simple and Strong Reinforcement Learning Baseline for Model Reasoning (arXiv 2504.02546)", null,
            [Number("f_norm", 1.0, "f_norm, the advantage normaliser.", 1e-12, 1e12)], [BatchColumns.GroupIds]),
        E("grpo_passk", "Pass@k GRPO: only each group's best response gets (R_max - R_second)/(std + ε).",
            "Optimizing Language Models for Inference Time Objectives using Reinforcement Learning (arXiv 2503.19595)", null,
            [Epsilon(1e-6), NormalizeByStd()], [BatchColumns.GroupIds]),
        E("optimal_token_baseline", "Per-position group baseline weighted by each trajectory's accumulated path variance (verl).", VerlOtb, null,
            [Epsilon(1e-8), HandleZeroTail(false)], [BatchColumns.GroupIds, BatchColumns.OldLogProbs, BatchColumns.SumPiSquared]),
        E("tir_optimal_token_baseline", "The optimal token baseline aligned by valid-token index, for multi-turn tool use (verl).", VerlOtb, null,
            [Epsilon(1e-8), HandleZeroTail(true)], [BatchColumns.GroupIds, BatchColumns.OldLogProbs, BatchColumns.SumPiSquared]),
        E("multi_turn_optimal_token_baseline", "Alias of tir_optimal_token_baseline.", VerlOtb, null,
            [Epsilon(1e-8), HandleZeroTail(true)], [BatchColumns.GroupIds, BatchColumns.OldLogProbs, BatchColumns.SumPiSquared]),
        E("dcpo", "DCPO's smooth advantage standardisation: blends the current group's and the prompt's cumulative statistics, keeping the smaller magnitude.",
            "DCPO: Dynamic Clipping Policy Optimization (arXiv 2509.02333)", "rlvr T05",
            [Epsilon(1e-6)], [BatchColumns.PromptIds]),
        E("prime", "PRIME: leave-one-out process (implicit PRM) and outcome advantages, summed, accumulated and whitened.",
            "Process Reinforcement through Implicit Rewards (arXiv 2502.01456)", "rlvr T19",
            [
                Number("process_coef", 5.0, "Weight of the process rewards (verl reward_dpo_coef).", 0, 1e6),
                Number("outcome_coef", 5.0, "Weight of the outcome rewards (verl reward_gt_coef).", 0, 1e6),
                Gamma("γ, the discount of the returns."),
                Choice("leave_one_out", "code", "code: x·K/(K-1) - Σb/(K-1) as in the PRIME and verl code; exact: the paper's leave-one-out.", "code", "exact"),
                Number("beta", 0.05, "β of the implicit process reward β·log π_φ/π_ref.", 1e-6, 1e3),
                Number("prm_lr_ratio", 2.0, "The implicit PRM's learning rate as a multiple of rl.learning_rate (the paper's PRM 1e-6 over policy 5e-7).", 1e-6, 1e6),
                Number("prm_max_grad_norm", 10.0, "Clip bound of the implicit PRM's gradient norm.", 1e-6, 1e6),
                Choice("prm_update", "before", "before: update the PRM, then score the process rewards (verl); after: score, then update (PRIME repo).", "before", "after"),
                Number("accuracy_low", 0.2, "Lowest sampled group accuracy a prompt must have to be trained on.", 0, 1),
                Number("accuracy_high", 0.8, "Highest sampled group accuracy a prompt may have to be trained on.", 0, 1),
                Number("oversample_factor", 4.0, "Prompts sampled per step as a multiple of rl.prompts_per_step before the accuracy filter.", 1, 64),
            ], [BatchColumns.GroupIds, BatchColumns.ProcessRewards]) with
            {
                DefaultsNote = "the paper's β 0.05, K 4, accuracy band [0.2, 0.8] with 4× oversampling, PRM gradient clip 10 and update before scoring (verl); "
                    + "the PRM's learning rate keeps the paper's ratio to the policy's (1e-6 / 5e-7 = 2) instead of the 7B model's absolute 1e-6",
                Example = TechniqueExamples.Train("rl.estimator=prime", "rl.sampler=uniform", "rl.group_size=4", "rl.prompts_per_step=8"),
            },
        E("ircoco", "IRCoCo: actor-critic over immediate rewards, r_t = E(x, y≤t) − E(x, y<t), the change of a learned code-completion evaluator's score (trained online to predict the edit similarity or BLEU of the code to the reference) when token t is written; A_t = r_t + γV_{t+1} − V_t (λ = 0), whitened.",
            IrcocoPaper, null,
            [
                Choice("reward", "immediate", "immediate: the evaluator's per-token rewards (the paper); delayed: no evaluator, the completion's metric against the reference on its last token (the delayed-reward ablation).", "immediate", "delayed"),
                Choice("metric", "edit_sim", "What the evaluator learns to predict: edit_sim (1 − Levenshtein / longer length, characters) or bleu (sentence BLEU-4 of code tokens, add-one smoothing for n > 1).", "edit_sim", "bleu"),
                Gamma("γ, the discount of the actor-critic returns."),
                Number("lambda", 0.0, "λ of the advantage: 0 is the one-step TD error of advantage actor-critic, 1 the Monte-Carlo return minus the value.", 0, 1),
                Number("evaluator_lr_ratio", 1.0, "The evaluator's learning rate as a multiple of rl.learning_rate.", 1e-6, 1e6),
                Number("evaluator_max_grad_norm", 1.0, "Clip bound of the evaluator's gradient norm.", 1e-6, 1e6),
                Integer("evaluator_updates", 4, "Evaluator gradient steps on each RL step's labelled rollouts, before the rewards are scored.", 1, 64),
                Integer("evaluator_warmup", 32, "Extra evaluator gradient steps on the first RL step's rollouts (samples of the warm-started model), before any reward is scored.", 0, 10000),
            ], [BatchColumns.Values, BatchColumns.ImmediateRewards]) with
            {
                DefaultsNote = "RECONSTRUCTED (the paper's evaluator is trained offline on the SFT model's samples and its training details are not reproduced here): "
                    + "the evaluator is a value-head copy of the warm-started GPT trained by MSE on every prefix of the rollouts, labelled with the prefix's metric against the task's reference: "
                    + "32 warm-up steps on the first step's rollouts (samples of the SFT model, as the paper's evaluator data), then 4 steps on each step's rollouts before scoring; "
                    + "edit similarity by default, γ = 1, one-step TD advantage (λ = 0) with REINFORCE's −A·log π (rl.objective=reinforce in the example); task.name=programs (line-level completion of f(x)=)",
                Example = TechniqueExamples.Train("rl.estimator=ircoco", "rl.objective=reinforce", "rl.sampler=uniform", "task.name=programs", "rl.group_size=4",
                    "rl.prompts_per_step=8", "task.test_size=20"),
            },
        E("oprl", "OPRL: episode advantage of the outcome plus α times the standardised step reward of each turn, broadcast to the turn's tokens; the step reward is the implicit reward β·log(π_φ/π_old) of the turn's action under a PRM learned online by trajectory DPO on success/failure episode pairs (or the environment's step rewards).",
            "Online Process Reward Learning for Agentic Reinforcement Learning (arXiv 2509.19199)", "rlvr T20",
            [
                Number("alpha", 1.0, "α, weight of the step advantage.", 0, 1e6), Epsilon(1e-6),
                Choice("step_reward", "learned", "learned: the implicit step reward of a PRM trained online by trajectory DPO (the paper); environment: the environment's per-turn rewards (the paper's ablation).", "learned", "environment"),
                Number("beta", 0.05, "β of the implicit step reward β·log π_φ/π_old and of the PRM's DPO loss (step_reward=learned).", 1e-6, 1e3),
                Number("prm_lr_ratio", 2.0, "The PRM's learning rate as a multiple of rl.learning_rate (the paper's PRM 1e-6 over policy 5e-7).", 1e-6, 1e6),
                Number("prm_max_grad_norm", 1.0, "Clip bound of the PRM's gradient norm (not given by the paper; verl's default 1).", 1e-6, 1e6),
                Choice("prm_update", "after", "after: score the step rewards with the PRM of the previous step, then update it on the new pairs (the paper); before: update, then score.", "after", "before"),
            ],
            [BatchColumns.GroupIds, BatchColumns.StepRewards, BatchColumns.TurnBoundaries])
            with
            {
                DefaultsNote = "α = 1, β = 0.05 and the PRM's learning rate at the paper's ratio to the policy's (1e-6 / 5e-7 = 2) instead of the 7B model's absolute 1e-6; "
                    + "the step reward is learned as the paper does: an implicit PRM initialised from the warm-started policy, one AdamW step per RL step of trajectory DPO against π_old on every (success, failure) pair of one start state "
                    + "(a start state without both gives no pair), step reward = β·Σ over the turn's action tokens of log π_φ/π_old (observation tokens masked), scored with the PRM of the previous step; "
                    + "the PRM's gradient clip (1) is not given by the paper; the episode advantage is the outcome's alone; the paper's invalid-action penalty (−0.1) belongs to its environments, not to the estimator",
                Example = TechniqueExamples.Train("rl.environment=guess", "rl.estimator=oprl", "env.max_turns=8", "rl.max_new_tokens=4",
                    "rl.sampler=uniform", "rl.prompts_per_step=4", "rl.group_size=4", "task.train_size=200", "eval.samples=1", "eval.pass_k=1"),
            },
        E("grpo_n", "GRPO-N: keep only the negative advantages of a base estimator (relative negative gradients).",
            "The Debate on RLVR Reasoning Capability Boundary: Shrinkage, Expansion, or Both? A Two-Stage Dynamic View (arXiv 2510.04028)", "rlvr T12",
            [
                new TechniqueParameter("base_estimator", ParameterType.Choice, "grpo", "The estimator whose advantages are filtered (built with its own defaults).") { Choices = BaseEstimators },
                Choice("selection", "negative", "negative: GRPO-N; positive: the complement (J = J_N + J_P).", "negative", "positive"),
                Boolean("renormalize_negatives", false, "Multiply kept advantages by G / (responses kept) instead of keeping the base denominators."),
            ], [BatchColumns.GroupIds]) with { DefaultsNote = "RECONSTRUCTED: the aggregation is not published; the base denominators are kept" },
    ];

    private static TechniqueDescriptor E(string name, string summary, string paper, string? spec, TechniqueParameter[] parameters, string[] requires) => new()
    {
        Kind = TechniqueKinds.Estimator,
        Name = name,
        Summary = summary,
        Paper = paper,
        Spec = spec,
        Parameters = parameters,
        Requires = requires,
        Example = TechniqueExamples.Train($"rl.estimator={name}"),
    };
}
