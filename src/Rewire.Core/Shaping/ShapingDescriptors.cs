using Rewire.Core.Techniques;
using static Rewire.Core.Techniques.TechniqueParameter;

namespace Rewire.Core.Shaping;

/// <summary>
/// Descriptors of the reward shapers (kind <c>shaper</c>, selected with <c>reward.shaping=NAME[,NAME...]</c>, parameters
/// <c>shaping.NAME.PARAM</c>) and of the token-advantage shapers (kind <c>advantage_shaper</c>, selected with
/// <c>rl.advantage_shaping=NAME</c>, parameters <c>advantage_shaping.NAME.PARAM</c>). The descriptor is the one source of
/// every default: <see cref="ShapingRegistry"/> builds each technique from a resolved descriptor.
/// <para>
/// Defaults stated in terms of the run (0 = "derived from the run", resolved from <see cref="TechniqueContext.MaxNewTokens"/>
/// by <see cref="ShapingRegistry.CreateReward(ResolvedTechnique, TechniqueContext)"/>):
/// </para>
/// <list type="bullet">
/// <item>DAPO's soft overlong punishment: L_max is "the maximum generation length" (20480 in the paper), so it is the
/// run's generation budget; the buffer L_cache is 4096 of 20480 = 20% of it (at least one token).</item>
/// <item>DOT's margin m = 32 tokens belongs to its 8192-token response budget (DOT-8K), i.e. 1/256 of the budget; it is
/// rescaled to the run's budget and never below one token (with integer lengths, a one-token margin truncates every
/// response above T(q), which is what a margin of 32 does for a response budget of thousands of tokens).</item>
/// <item>PAR's length penalty: 0.01 per token beyond gen_valid_len = 300 with max_new_tokens = 512 in the authors' configs,
/// i.e. the free length is 300/512 of the budget; it is rescaled to the run's budget (at least one token).</item>
/// </list>
/// </summary>
public static class ShapingDescriptors
{
    /// <summary>Reward Shaping to Mitigate Reward Hacking in RLHF.</summary>
    public const string ParPaper = "Reward Shaping to Mitigate Reward Hacking in RLHF (Fu et al., arXiv 2502.18770)";

    /// <summary>DAPO.</summary>
    public const string DapoPaper = "DAPO: An Open-Source LLM Reinforcement Learning System at Scale (arXiv 2503.14476)";

    /// <summary>DOT.</summary>
    public const string DotPaper = "Anti-Length Shift: Dynamic Outlier Truncation for Training Efficient Reasoning Models (arXiv 2601.03969)";

    /// <summary>Decomposing the Entropy-Performance Exchange.</summary>
    public const string EntropyPaper = "Decomposing the Entropy-Performance Exchange: The Missing Keys to Unlocking Effective Reinforcement Learning (arXiv 2508.02260)";

    /// <summary>DOT's margin, in tokens, for its response budget (<see cref="DotBudget"/>).</summary>
    public const int DotMargin = 32;

    /// <summary>DOT-8K's response budget.</summary>
    public const int DotBudget = 8192;

    /// <summary>DAPO's overlong buffer, in tokens, for its generation budget (<see cref="DapoMaxLength"/>).</summary>
    public const int DapoBuffer = 4096;

    /// <summary>DAPO's maximum generation length.</summary>
    public const int DapoMaxLength = 20480;

    /// <summary>PAR's gen_valid_len for its max_new_tokens (<see cref="ParBudget"/>).</summary>
    public const int ParValidLength = 300;

    /// <summary>PAR's max_new_tokens.</summary>
    public const int ParBudget = 512;

    /// <summary>Both kinds.</summary>
    public static IReadOnlyList<TechniqueDescriptor> All => [.. RewardShapers, .. AdvantageShapers];

    /// <summary>Kind <c>shaper</c>.</summary>
    public static IReadOnlyList<TechniqueDescriptor> RewardShapers { get; } =
    [
        Shaper("vanilla", "The raw reward, unchanged (PAR's baseline).", ParPaper, "rewards-and-classic R02", [], []),
        Shaper("bounded", "A bounded squashing of the reward: f((r - center)·scale) with f tanh, sigmoid or atan (PAR's bounded baselines).", ParPaper, "rewards-and-classic R02",
            [
                Choice("function", "tanh", "Squashing function.", "tanh", "sigmoid", "atan"),
                Number("scale", 1.0, "Multiplies the centred reward before squashing.", 1e-12, 1e12),
                Number("center", 0.0, "Subtracted from the reward before scaling."),
            ], []),
        Shaper("centered", "The reward minus a baseline: the group mean, or the mean of the prompt's reference rewards (PAR's centring baseline).", ParPaper, "rewards-and-classic R02",
            [Choice("baseline", "group", "group: subtract the prompt group's mean reward; reference: subtract the mean of the reference policy's rewards (needs reference_rewards).", "group", "reference")],
            [BatchColumns.GroupIds]),
        Shaper("clip", "Clip the reward to the running mean ± width·std, or to fixed bounds (PAR's clipping baseline).", ParPaper, "rewards-and-classic R02",
            [
                Number("width", 1.0, "Running mode: half-width of the clip range in running standard deviations (PAR's code: 1).", 1e-12, 1e12),
                Text("low", "", "Fixed lower bound (a number); empty = running mode. Give low and high together."),
                Text("high", "", "Fixed upper bound (a number); empty = running mode. Give low and high together."),
            ], []),
        Shaper("minmax", "(r - min)/(max - min) with running (or per-group) extremes (PAR's min-max baseline).", ParPaper, "rewards-and-classic R02",
            [Choice("scope", "running", "running: extremes over every batch so far (PAR's code); group: within each prompt group.", "running", "group")],
            [BatchColumns.GroupIds])
            // Rewards already in [0, 1] with both ends seen map to themselves; weighted components (0 to 3) show the rescaling.
            with { Example = TechniqueExamples.Train("reward.shaping=minmax", "reward.weights.correct=2", "reward.weights.format=1") },
        Shaper("meanstd", "(r - μ)/σ with running mean and standard deviation (PAR's mean-std baseline).", ParPaper, "rewards-and-classic R02", [], []),
        Shaper("par", "Preference As Reward: the mean over M reference responses of σ(k·(r - r_ref)), a bounded, centred reward.", ParPaper, "rewards-and-classic R02",
            [
                Number("k", 1.0, "Slope of the sigmoid (PAR's sigmoid_k).", 1e-12, 1e12),
                Integer("max_references", 10, "M, the reference rewards used per prompt (PAR's reward_maxref; M = 1 already works).", 1, 100_000),
                Choice("function", "sigmoid", "Function of each centred difference (sigmoid is PAR; tanh/atan are the code's relative variants).", "sigmoid", "tanh", "atan"),
            ], [BatchColumns.ReferenceRewards]),
        Shaper("lsc", "Log-sigmoid centred: log σ(r - r_ref) with r_ref the 85th percentile of N(mean, std) of the reference rewards (PAR's LSC baseline).", ParPaper, "rewards-and-classic R02",
            [Number("quantile_z", LogSigmoidCentered.DefaultQuantileZ, "z of the reference quantile (norm.ppf(0.85) = 1.0364).", -10, 10)],
            [BatchColumns.ReferenceRewards]),
        Shaper("length_penalty", "r - c·max(0, |y| - L_valid): a per-token penalty beyond a free length (PAR's code, before centring).", ParPaper, "rewards-and-classic R02",
            [
                Number("per_token", 0.01, "c, the penalty per token beyond the free length (PAR's len_penalty).", 0, 1e6),
                Integer("valid_length", 0, "L_valid, tokens free of penalty; 0 = derived from the run: round(300/512 · rl.max_new_tokens), at least 1 (PAR: gen_valid_len 300 of max_new_tokens 512).") with { Derive = (c, _) => ShapingRegistry.DerivedValidLength(c.MaxNewTokens).ToString(System.Globalization.CultureInfo.InvariantCulture) },
            ], [BatchColumns.Lengths]) with { DefaultsNote = "valid_length is stated relative to the generation budget (300 of 512 tokens in PAR's configs) and derived from rl.max_new_tokens" },
        Shaper("potential", "Potential-based shaping F = γΦ(s') - Φ(s) added to step rewards; leaves optimal policies unchanged (Ng et al.).",
            "Policy invariance under reward transformations: Theory and application to reward shaping (Ng, Harada, Russell, ICML 1999)", "rewards-and-classic R07",
            [Number("gamma", 1.0, "γ of the shaping term (the task's discount).", 0, 1)],
            [BatchColumns.StepRewards, BatchColumns.Potentials]),
        Shaper("gated", "Gated reward accumulation: step rewards count only when the outcome reward reaches the gate δ (G-RA).",
            "Stabilizing Long-term Multi-turn Reinforcement Learning with Gated Rewards (arXiv 2508.10548)", "rewards-and-classic R03",
            [
                Number("threshold", 0.0, "δ, the outcome reward at which step rewards start to count.", -1e12, 1e12),
                Boolean("gate", true, "true: G-RA; false: direct accumulation (D-RA, the paper's baseline)."),
            ], [BatchColumns.StepRewards])
            with
            {
                DefaultsNote = "RECONSTRUCTED: the paper's reward levels and δ are not published; δ = 0",
                // Number guessing: consistent guesses earn step rewards, but only episodes that find the secret keep them.
                Example = TechniqueExamples.Train("rl.environment=guess", "reward.shaping=gated", "env.max_turns=8", "rl.max_new_tokens=4", "rl.sampler=uniform",
                    "rl.prompts_per_step=8", "task.train_size=400", "sft.steps=150", "eval.samples=2", "eval.pass_k=2"),
            },
        Shaper("reseek", "ReSeek's instructive reward: the answer's exact match plus ±α at each JUDGE action, +α when the agent's good/bad judgment of the retrieved document matches relevance ≥ τ.",
            "ReSeek: A Self-Correcting Framework for Search Agents with Instructive Rewards (arXiv 2510.00568)", "rewards-and-classic R10",
            [
                Number("alpha", 0.2, "α, the magnitude of the judge reward R_judge = ±α.", 0, 1e6),
                Number("tau", 0.75, "τ, the relevance score (share of the question's terms in the document) at which the ideal judgment is good.", -1e12, 1e12),
            ], [BatchColumns.StepRewards, BatchColumns.StepComponents])
            with
            {
                DefaultsNote = "RECONSTRUCTED: α and τ are not published; α = 0.2, τ = 0.75 (both question terms present). The relevance score is the search environment's term overlap, standing in for the paper's reranker",
                // Search agent: search, read, judge, answer; the judge rewards are recomputed from each JUDGE step's judgment and relevance.
                Example = TechniqueExamples.Train("rl.environment=search", "reward.shaping=reseek", "env.max_turns=6", "rl.max_new_tokens=20", "env.max_observation_tokens=24",
                    "rl.sampler=uniform", "rl.prompts_per_step=8", "task.train_size=400", "sft.steps=150", "eval.samples=2", "eval.pass_k=2"),
            },
        Shaper("verpo", "Dense code reward: outcome plus λ times the difficulty-weighted share of passed unit tests, weights from the group's per-test pass rates.",
            "VeRPO: Verifiable Dense Reward Policy Optimization for Code Generation (arXiv 2601.03525)", "rewards-and-classic R01",
            [
                Number("lambda", 0.5, "λ, weight of the local dense reward (λ < 1 keeps correct above partial).", 0, 1e6),
                Choice("difficulty", "linear", "Test difficulty from its pass rate ρ: linear 1 - ρ, or log -log(ρ + ε).", "linear", "log"),
                Boolean("density_calibration", true, "Divide each weight by the number of tests in its pass-rate bin (v3's cardinality correction)."),
                Integer("bins", 5, "Pass-rate bins for density calibration.", 1, 1000),
                Number("epsilon", 1e-6, "ε of the log difficulty.", 1e-300, 1),
                Boolean("gate_local_when_correct", false, "R = r_glob + λ(1 - r_glob)·r_loc, so a correct program gets exactly 1."),
            ], [BatchColumns.TestOutcomes, BatchColumns.GroupIds])
            with { DefaultsNote = "RECONSTRUCTED: weights and combination are not published; λ = 0.5, 5 bins", Example = TechniqueExamples.Train("reward.shaping=verpo", "task.name=programs", "rl.sampler=uniform") },
        Shaper("overlong_punishment", "DAPO's soft overlong punishment: 0 up to L_max - L_cache, then linearly down to -1 at L_max.", DapoPaper, "rlvr T03",
            [
                Integer("max_length", 0, "L_max, the maximum generation length; 0 = the run's rl.max_new_tokens (DAPO: 20480 = its generation budget).") with { Derive = (c, _) => c.MaxNewTokens.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                Integer("buffer", 0, "L_cache, the soft buffer; 0 = 20% of L_max, at least 1 (DAPO: 4096 of 20480).") with { Derive = (c, get) => ShapingRegistry.DerivedOverlongBuffer(int.Parse(get("max_length"), System.Globalization.CultureInfo.InvariantCulture)).ToString(System.Globalization.CultureInfo.InvariantCulture) },
                Number("factor", 1.0, "Penalty scale (verl's overlong_buffer.penalty_factor).", 0, 1e6),
            ], [BatchColumns.Lengths]) with { DefaultsNote = "L_max and L_cache are stated relative to the generation budget (20480 and 4096) and derived from rl.max_new_tokens" },
        Shaper("overlong_filter", "DAPO's overlong filtering: truncated responses get zero loss weight; rewards unchanged.", DapoPaper, "rlvr T03", [], [BatchColumns.Truncated])
            // A 6-token budget truncates the longer answers of the default task (4 digits, 3 spaces and EOS need 8).
            with { Example = TechniqueExamples.Train("reward.shaping=overlong_filter", "rl.max_new_tokens=6") },
        Shaper("dot", "Dynamic Outlier Truncation: in all-correct groups, responses longer than mean + α·std (+ margin) are truncated to that length and re-verified.", DotPaper, "rlvr T11",
            [
                Number("alpha", 3.0, "α of T(q) = floor(mean(L) + α·std(L)). With sample std no response can exceed mean + 3·std in a group of fewer than 11 (max z = (G-1)/sqrt(G)), so use rl.group_size >= 11.", 0, 1e6),
                Number("margin", 0, "m, tokens a response must exceed T(q) by; 0 < m < 1 is a fraction of its length (at least 16); 0 = derived from the run: round(32/8192 · rl.max_new_tokens), at least 1 (DOT-8K: 32 tokens of 8192).", 0, 1e9) with { Derive = (c, _) => TechniqueParameter.Format(ShapingRegistry.DerivedDotMargin(c.MaxNewTokens)) },
                Number("success_threshold", 1.0, "Minimum group success rate for truncation (1 = all correct).", 0, 1),
                Number("correct_reward", 1.0, "Reward counted as correct when the batch has no correctness column."),
            ], [BatchColumns.Lengths, BatchColumns.Correct, BatchColumns.GroupIds])
            with { DefaultsNote = "margin is stated relative to the response budget (32 of 8192 tokens) and derived from rl.max_new_tokens. The example lowers success_threshold to 0.25 and samples 16 prompts per step: the small tasks' correct answers have one length, so an all-correct group never has a length outlier to cut, and with 8 prompts and 0.5 a 2-step run on one CPU cut none", Example = TechniqueExamples.Train("reward.shaping=dot", "rl.group_size=16", "rl.prompts_per_step=16", "shaping.dot.success_threshold=0.25") },
        Shaper("grpo_s", "GRPO-S difficulty scaling: R·(1 + α·h(x))·(1 + γ·g(x)) with data hardness h and group responsiveness g; acts only without std normalisation.",
            "Inverse Reinforcement Learning with Dynamic Reward Scaling for LLM Alignment (arXiv 2503.18991)", "rlvr T08",
            [
                Number("alpha", 0.5, "α, weight of the prompt's hardness.", 0, 1e6),
                Number("gamma", 0.5, "γ, weight of the group's responsiveness 1 - clip((R_max - R_mean)/range, 0, 1).", 0, 1e6),
                Number("reward_range", 1.0, "The reward range that normalises the group's reward gap.", 1e-12, 1e12),
                Boolean("exponential", false, "exp(α·h + γ·g) instead of the product form."),
            ], [BatchColumns.Difficulty, BatchColumns.GroupIds])
            with { DefaultsNote = "RECONSTRUCTED: the scaling's form and constants are not published; α = γ = 0.5", Example = TechniqueExamples.Train("reward.shaping=grpo_s", "rl.estimator=dr_grpo") },
        Shaper("mm_dynamic_scaling", "MM-DPO dynamic reward scaling: β(δ) = β·(1 + w·(1 - e^(-kδ))) from the preference margin δ.",
            "MM-RLHF: The Next Step Forward in Multimodal LLM Alignment (arXiv 2502.10391)", "rewards-and-classic R06",
            [
                Number("beta", 0.1, "β_ori, the base DPO β.", 1e-3, 1e6),
                Number("w", 0.1, "w, the largest relative increase of β.", 0, 1e6),
                Number("k", 0.5, "k, how fast β saturates in the margin.", 0, 1e6),
            ], [BatchColumns.PreferenceMargins]) with { DefaultsNote = "k is a paper hyper-parameter whose value was not retrieved (0.5); β and w are the authors' script values" },
        Shaper("oni", "ONI's reward combination: c_ext·r_ext + c_int·r_int(msg)/N(msg)^β with per-episode message counts.",
            "Online Intrinsic Rewards for Decision Making Agents from Large Language Model Feedback (arXiv 2410.23022)", "rewards-and-classic R12",
            [
                Number("extrinsic_coefficient", 1.0, "c_ext (paper: 0.1 for Score, 10 for Oracle/Staircase, 0 reward-free).", 0, 1e6),
                Number("intrinsic_coefficient", 0.4, "c_int (llm_reward_coeff).", 0, 1e6),
                Number("count_exponent", 3.0, "β, the exponent of the message count (beta_count_exponent).", 0, 100),
            ], [BatchColumns.StepRewards, BatchColumns.IntrinsicRewards])
            with
            {
                DefaultsNote = "retrieval variant (online_cls): r_int(msg) is the annotator's label of the event message in a table (1 helpful, 0 unhelpful); an unlabelled message gives 0 and is queued once; "
                    + "the queue is annotated between RL steps (reward.annotator: rules or chat; reward.annotator_timeout seconds per call, failures counted and retried next step). c_int = 0.4 and β = 3 are the authors' code defaults. "
                    + "RECONSTRUCTED: the event message of a text environment's step is its observation text; the offline annotator (reward.annotator=rules) is per-environment keyword rules standing in for the paper's Llama-3.1-8B-Instruct (docs/agents.md lists them); "
                    + "the paper annotates asynchronously beside an APPO learner, here synchronously between steps (a message is rewarded from the step after it is first seen); c_ext = 1 (the paper uses 0.1 or 10 per NetHack task); the classification variant is not built",
                // The maze: open exits toward the goal and reaching it are the helpful messages of the offline annotator.
                Example = TechniqueExamples.Train("rl.environment=maze", "reward.shaping=oni", "env.max_turns=16", "rl.max_new_tokens=3", "env.max_observation_tokens=8",
                    "rl.sampler=uniform", "rl.prompts_per_step=4", "rl.group_size=4", "task.train_size=200", "sft.steps=100", "rl.steps=2", "task.test_size=20",
                    "eval.samples=1", "eval.pass_k=1"),
            },
        Shaper("random", "A spurious reward: Bernoulli(p) coin flips independent of the response (the random-reward baseline).",
            "Spurious Rewards: Rethinking Training Signals in RLVR (arXiv 2506.10947)", "rlvr T14",
            [
                Integer("seed", 0, "Seed of the coin flips."),
                Number("probability", 0.5, "p, the chance of the high reward.", 0, 1),
                Number("high", 1.0, "The high reward."),
                Number("low", 0.0, "The low reward."),
            ], []),
    ];

    /// <summary>Kind <c>advantage_shaper</c>.</summary>
    public static IReadOnlyList<TechniqueDescriptor> AdvantageShapers { get; } =
    [
        AdvantageShaper("ppl_advantage", "Token advantages scaled by 1 - α·z with z the standardised log-perplexity of the response, clamped to [1 - c, 1 + c].",
            [
                Number("alpha", 0.1, "α, strength of the perplexity weighting.", 0, 1e6),
                Number("clamp", 0.5, "c, the factor is clamped to [1 - c, 1 + c] so signs never flip.", 0, 1),
                Choice("scope", "group", "Standardise the log-perplexity within each prompt group or over the batch.", "group", "batch"),
            ], [BatchColumns.OldLogProbs, BatchColumns.ResponseMask, BatchColumns.GroupIds]),
        AdvantageShaper("position_advantage", "A bonus for later tokens: Â + γ·sign(Â)·t/|o| (or Â·(1 + γ·t/|o|)).",
            [
                Number("gamma", 0.1, "γ, the bonus at the last token.", 0, 1e6),
                Choice("mode", "additive", "additive: Â + γ·sign(Â)·t/|o|; multiplicative: Â·(1 + γ·t/|o|).", "additive", "multiplicative"),
            ], [BatchColumns.ResponseMask]),
        new()
        {
            Kind = TechniqueKinds.AdvantageShaper,
            Name = "tp_grpo",
            Summary = "TP-GRPO's thought-level process rewards: consecutive turns with the same correctness label form a thought; its tokens get Â + λ·c·g(p, R), the final-answer thought keeps Â.",
            Paper = "Good Learners Think Their Thinking: Generative PRM Makes Large Reasoning Model More Efficient Math Learner (arXiv 2507.23317)",
            Spec = "rlvr T18",
            DefaultsNote = "RECONSTRUCTED: the reward formula and λ are not published; λ = 0.5. The step labels are the signs of the environment's step rewards, standing in for the paper's generative PRM; rows without turns get no process reward",
            Parameters = [Number("lambda", 0.5, "λ, the weight of the thought reward ρ = λ·c·g(p, R).", 0, 1e6)],
            Requires = [BatchColumns.StepRewards, BatchColumns.TurnBoundaries, BatchColumns.Correct, BatchColumns.GroupIds],
            // Number guessing: consistent guesses (+) and invalid ones (−) are the labelled steps.
            Example = TechniqueExamples.Train("rl.environment=guess", "rl.advantage_shaping=tp_grpo", "env.max_turns=8", "rl.max_new_tokens=4", "rl.sampler=uniform",
                "rl.prompts_per_step=8", "task.train_size=400", "sft.steps=150", "eval.samples=2", "eval.pass_k=2"),
        },
    ];

    private static TechniqueDescriptor Shaper(string name, string summary, string paper, string? spec, TechniqueParameter[] parameters, string[] requires) => new()
    {
        Kind = TechniqueKinds.Shaper,
        Name = name,
        Summary = summary,
        Paper = paper,
        Spec = spec,
        Parameters = parameters,
        Requires = requires,
        Example = TechniqueExamples.Train($"reward.shaping={name}"),
    };

    private static TechniqueDescriptor AdvantageShaper(string name, string summary, TechniqueParameter[] parameters, string[] requires) => new()
    {
        Kind = TechniqueKinds.AdvantageShaper,
        Name = name,
        Summary = summary,
        Paper = EntropyPaper,
        Spec = "rlvr T13",
        DefaultsNote = "RECONSTRUCTED: the paper's formulas are not published; α = γ = 0.1, c = 0.5",
        Parameters = parameters,
        Requires = requires,
        Example = TechniqueExamples.Train($"rl.advantage_shaping={name}"),
    };
}
