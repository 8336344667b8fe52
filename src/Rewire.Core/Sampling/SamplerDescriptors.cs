using Rewire.Core.Techniques;
using static Rewire.Core.Techniques.TechniqueParameter;

namespace Rewire.Core.Sampling;

/// <summary>
/// Descriptors of the prompt samplers (kind <c>sampler</c>, selected with <c>rl.sampler=NAME</c>, parameters
/// <c>sampler.PARAM</c>). Parameter names are the snake_case option keys of each sampler's options record, and the
/// descriptor's defaults equal that record's defaults (a test holds them together);
/// <see cref="SamplerRegistry.Create(ResolvedTechnique, IReadOnlyList{Rewards.Prompt}, ulong)"/> builds a sampler from a
/// resolved descriptor.
/// </summary>
public static class SamplerDescriptors
{
    private static readonly string[] InnerSamplers = [UniformSampler.RegistryName, VadeSampler.RegistryName, DomainAwareSampler.RegistryName, CurriculumSampler.RegistryName, RecapSampler.RegistryName];

    private static TechniqueParameter Inner() =>
        new("inner", ParameterType.Choice, UniformSampler.RegistryName, "The sampler that proposes prompts (one that does not filter groups itself).") { Choices = InnerSamplers };

    private static TechniqueParameter InnerOptions() =>
        Text("inner_options", "", "Options of the inner sampler as a JSON object with its snake_case keys, e.g. {\"global_decay\":0.95}; empty = its defaults.");

    private static TechniqueParameter Metric(string @default, string meaning) => Choice("metric", @default, meaning, "accuracy", "reward");

    /// <summary>Every sampler.</summary>
    public static IReadOnlyList<TechniqueDescriptor> All { get; } =
    [
        S(UniformSampler.RegistryName, "Uniform prompt sampling, epoch-wise shuffles or independent draws: the baseline every sampler is measured against.",
            "Uniform sampling (the baseline; no paper)", null,
            [
                Boolean("replacement", false, "Draw with replacement (independent uniform draws) instead of epoch-wise shuffles."),
                Integer("max_epochs", 0, "Without replacement: passes over the pool after which sampling fails; 0 = unlimited."),
            ], [], []),
        S(VadeSampler.RegistryName, "VADE: per-prompt Beta posteriors of the pass rate; Thompson draws pick prompts with the largest p(1 - p).",
            "VADE: Variance-Aware Dynamic Sampling via Online Sample-Level Difficulty Estimation for Multimodal RL (arXiv 2511.18902)", "rlvr T09",
            [
                Number("alpha0", 1.0, "α₀, the prior of every prompt's Beta posterior.", 1e-12, 1e12),
                Number("beta0", 1.0, "β₀, the prior.", 1e-12, 1e12),
                Number("global_decay", 0.99, "λ_g, slow decay toward the prior applied to every prompt each step (1 = none).", 1e-12, 1),
                Number("local_decay", 0.9, "λ_l, fast decay λ_l^Δ when a prompt is revisited after Δ steps (1 = none).", 1e-12, 1),
                Integer("candidate_pool", 0, "Candidates scored per step; 0 = the whole pool."),
                Choice("selection", "top", "top: the B largest Thompson scores; proportional: B distinct draws proportional to the score.", "top", "proportional"),
                Number("min_parameter", 1e-3, "Lower clamp on α and β.", 1e-300, 1),
            ], [BatchColumns.PromptIds, BatchColumns.Correct], [])
            with { DefaultsNote = "RECONSTRUCTED: the framework is confirmed, the constants and the decay form are guesses (λ_g = 0.99, λ_l = 0.9)" },
        S(DomainAwareSampler.RegistryName, "RuleReasoner's domain-aware dynamic sampling: domains with lower decayed reward than the target get more of the batch (softmax of under-fit values).",
            "RuleReasoner: Reinforced Rule-based Reasoning via Domain-aware Dynamic Sampling (arXiv 2506.08672)", "rlvr T10",
            [
                Integer("buffer_size", 4, "K, update batches kept in the reward buffer (reward_buffer_size).", 1, 1_000_000),
                Choice("decay", "harmonic", "Decay α_k of the k-th most recent batch: harmonic 1/(k+1) or geometric 0.5^k.", "harmonic", "geometric"),
                Number("target_reward_base", 1.0, "r_base, the reward a fitted domain reaches."),
                Number("epsilon", 0.1, "ε added to every under-fit value before the softmax."),
                Number("temperature", 0.3, "τ, the softmax temperature.", 1e-12, 1e12),
                Integer("weight_update_steps", 8, "Steps between weight updates (only those steps' batches enter the buffer).", 1, 1_000_000),
                Choice("update", "buffer", "buffer: the decayed buffer (compute_weights); ewma: the EWMA variant (compute_weights_v2).", "buffer", "ewma"),
                Number("ewma_alpha", 0.5, "α of the EWMA variant.", 0, 0.999999999),
                Boolean("normalize_target_by_available", true, "Divide the target by the batches present rather than by K (the code divides by K, biasing early targets low)."),
                Choice("signal", "accuracy", "Per-rollout signal: correctness (the code's correctness reward) or the scalar reward.", "accuracy", "reward"),
                Choice("init_weights", "average", "Initial weights: average (uniform) or proportional to 1/sqrt(|D_d|).", "average", "inverse_sqrt_size"),
            ], [BatchColumns.PromptIds, BatchColumns.Correct], ["task.name=lists", "sampler.weight_update_steps=1"]),
        S(CurriculumSampler.RegistryName, "A difficulty curriculum: train on the easiest level and unlock the next when the measured pass rate reaches a threshold.",
            "Difficulty curriculum (Rewire's design; no paper formula, see docs/sampling.md)", null,
            [
                Number("advance_threshold", 0.6, "Pass rate on the frontier level at which the next level unlocks.", 1e-12, 1),
                Integer("window", 32, "Recent frontier groups the pass rate is measured over (and the minimum observed before advancing).", 1, 1_000_000),
                Number("frontier_share", 0.75, "Share of each batch drawn from the frontier level; the rest reviews easier unlocked levels.", 1e-12, 1),
            ], [BatchColumns.PromptIds, BatchColumns.Correct, BatchColumns.DifficultyLevels], [])
            with { DefaultsNote = "design choices: no paper gives these constants", Example = TechniqueExamples.Train("rl.sampler=curriculum", "task.name=arithmetic", "task.difficulty=3", "task.min_difficulty=1") },
        S(RecapSampler.RegistryName, "RECAP's dynamic re-weighting applied to domains: volatile or stalled domains get more of the batch.",
            "Beyond Reasoning Gains: Mitigating General Capabilities Forgetting in Large Reasoning Models (arXiv 2510.21978)", "rewards-and-classic R05",
            [
                Integer("window", 10, "W, steps of history per domain; uniform weights until W are collected.", 2, 1_000_000),
                Number("epsilon", 0.01, "ε in the convergence, instability and priority ratios.", 1e-300, 1e12),
                Number("temperature", 1.0, "T, the softmax temperature.", 1e-12, 1e12),
                Choice("priority", "ratio", "ratio: u = v/(c + ε); normalized: ṽ + 1 - c̃ with min-max-normalised terms.", "ratio", "normalized"),
                Choice("signal", "accuracy", "Per-domain signal: mean correctness or mean reward.", "accuracy", "reward"),
            ], [BatchColumns.PromptIds, BatchColumns.Correct], ["task.name=lists"])
            with { DefaultsNote = "RECONSTRUCTED: only the mechanism is published; W = 10, ε = 0.01, T = 1" },
        S(DapoSampler.RegistryName, "DAPO's dynamic sampling: oversample, drop groups whose responses are all right or all wrong, repeat until the batch is full.",
            "DAPO: An Open-Source LLM Reinforcement Learning System at Scale (arXiv 2503.14476)", "rlvr T03",
            [
                Number("oversample_factor", 3.0, "Prompts requested per round as a multiple of the batch (gen_batch_size = 3 x 512).", 1, 1e6),
                Integer("max_rounds", 10, "Generation rounds before the short-batch policy applies (max_num_gen_batches).", 1, 1_000_000),
                Metric("accuracy", "What decides 'all equal': correctness (the paper) or the final reward."),
                Boolean("keep_singletons", true, "Keep groups of one response (verl does)."),
                Choice("when_short", "partial", "After max_rounds: train on the partial batch (counted in groups_trained), error, or pad with masked copies.", "error", "partial", "pad"),
                Inner(),
                InnerOptions(),
            ], [BatchColumns.GroupIds, BatchColumns.Correct], [])
            with { DefaultsNote = "when_short = partial: verl raises an error once max_num_gen_batches rounds leave the batch short; Rewire trains on the groups it kept (the metrics count them) rather than stop a long run mid-way" },
        S(DotPdsSampler.RegistryName, "DOT's predictive dynamic sampling: one oversampled round sized from the recent pass rates, padded when short.",
            "Anti-Length Shift: Dynamic Outlier Truncation for Training Efficient Reasoning Models (arXiv 2601.03969)", "rlvr T11",
            [
                Integer("window", 20, "Steps of pass rates ρ kept for the prediction.", 1, 1_000_000),
                Number("min_factor", 1.2, "f_min, the smallest oversample factor.", 1, 1e6),
                Number("max_factor", 5.0, "f_max (the run script's 5.0; the class default in DOT's code is 3.0).", 1, 1e6),
                Number("initial_factor", 1.5, "The factor at the first step, before any pass rate is known.", 1, 1e6),
                Metric("reward", "What decides 'all equal': DOT filters on the reward std."),
                Choice("when_short", "pad", "Short batches are padded with masked copies (DOT) or trained as they are.", "pad", "partial"),
                Inner(),
                InnerOptions(),
            ], [BatchColumns.GroupIds], []),
    ];

    private static TechniqueDescriptor S(string name, string summary, string paper, string? spec, TechniqueParameter[] parameters, string[] requires, string[] exampleSettings) => new()
    {
        Kind = TechniqueKinds.Sampler,
        Name = name,
        Summary = summary,
        Paper = paper,
        Spec = spec,
        Parameters = parameters,
        Requires = requires,
        Example = TechniqueExamples.Train([$"rl.sampler={name}", .. exampleSettings]),
    };
}
