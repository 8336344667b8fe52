// The descriptors of the policy objectives: each one's paper, its paper's defaults (clip range, dual clip, loss
// aggregation and its own constants) and what it reads. `rl.objective=NAME` selects one; its parameters are the keys
// `objective.<param>`. The objective is built from the resolved parameters (FromResolved), so the defaults below are
// the only ones: a run that names an objective gets exactly its paper's settings unless a key says otherwise.
// Papers are cited by the names of docs/techniques.md.
using Rewire.Core.Techniques;
using Rewire.Torch.Objectives.Aggregation;
using static Rewire.Core.Techniques.TechniqueParameter;

namespace Rewire.Torch.Objectives.Policy;

/// <summary>Descriptors of every registered policy objective, and the bridge from resolved parameters to options.</summary>
public static class ObjectiveDescriptors
{
    private const string Kind = TechniqueKinds.Objective;
    private static readonly string[] Modes = [TokenMean.RegistryName, SeqMeanTokenSum.RegistryName, SeqMeanTokenMean.RegistryName, SeqMeanTokenSumNorm.RegistryName];

    private static TechniqueParameter ClipLow(double d) => Number("clip_low", d, "ε_low: the ratio's lower clip bound is 1 − ε_low", 0, 10);
    private static TechniqueParameter ClipHigh(double d) => Number("clip_high", d, "ε_high: the ratio's upper clip bound is 1 + ε_high", 0, 10);
    private static TechniqueParameter DualClip(bool on) => Boolean("dual_clip", on, "cap the loss at −c·A for negative advantages (dual clip)");
    private static TechniqueParameter ClipC(double c) => Number("clip_ratio_c", c, "the dual-clip constant c (> 1)", 1.0000001, 1e6);
    private static TechniqueParameter Agg(string mode) => Choice("loss_agg_mode", mode, "how per-token losses become one loss", Modes);
    private static readonly TechniqueParameter ScaleFactor = Integer("loss_scale_factor", 0,
        "the constant divisor of seq-mean-token-sum-norm (0 = the generation budget rl.max_new_tokens, Dr. GRPO's L_const)", 0, 10_000_000)
        with { Derive = (c, _) => c.MaxNewTokens.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    private static IReadOnlyList<TechniqueParameter> Clipped(double low, double high, bool dual, double c, string mode) =>
        [ClipLow(low), ClipHigh(high), DualClip(dual), ClipC(c), Agg(mode), ScaleFactor];

    private static string[] Example(string name, params string[] extra) =>
        ["train", $"rl.objective={name}", "rl.epochs=2", "rl.steps=3", "sft.steps=150", "task.test_size=50", .. extra, "--json"];

    private static TechniqueDescriptor D(string name, string summary, string paper, string? spec, IReadOnlyList<TechniqueParameter> parameters,
        string[]? requires = null, string? note = null, string[]? example = null) => new()
    {
        Kind = Kind,
        Name = name,
        Summary = summary,
        Paper = paper,
        Spec = spec,
        DefaultsNote = note,
        Parameters = parameters,
        Requires = [BatchColumns.OldLogProbs, BatchColumns.ResponseMask, .. requires ?? []],
        Example = example ?? Example(name),
    };

    /// <summary>
    /// The descriptors of every registered policy objective: summary, paper, defaults and parameters.
    /// </summary>
    public static IReadOnlyList<TechniqueDescriptor> All { get; } =
    [
        D("vanilla", "verl's PPO clipped surrogate with dual clip", "PPO (arXiv 1707.06347) with Dual-clip PPO (arXiv 1912.09729)", "rlvr T00",
            Clipped(0.2, 0.2, true, 3.0, TokenMean.RegistryName)),
        D("ppo", "PPO's clipped surrogate, symmetric ε, no dual clip", "PPO (arXiv 1707.06347)", "rlvr T00",
            Clipped(0.2, 0.2, false, 3.0, TokenMean.RegistryName)),
        D("grpo", "GRPO's clipped surrogate: symmetric ε = 0.2, mean over responses of token means", "DeepSeekMath (arXiv 2402.03300)", "rlvr T01",
            Clipped(0.2, 0.2, false, 3.0, SeqMeanTokenMean.RegistryName)),
        D("dapo", "DAPO: clip-higher (0.2/0.28), token-mean loss, dual clip c = 10", "DAPO (arXiv 2503.14476)", "rlvr T03",
            Clipped(0.2, 0.28, true, 10.0, TokenMean.RegistryName)),
        D("gspo", "GSPO: one length-normalised sequence ratio per response, clipped to 1 ± 3e-4/4e-4", "GSPO (arXiv 2507.18071)", "rlvr T04",
            [ClipLow(3e-4), ClipHigh(4e-4), Agg(SeqMeanTokenMean.RegistryName), ScaleFactor]),
        D("gspo_token", "GSPO-token: the sequence ratio's value with per-token gradients", "GSPO (arXiv 2507.18071)", "rlvr T04",
            [ClipLow(3e-4), ClipHigh(4e-4), Agg(SeqMeanTokenMean.RegistryName), ScaleFactor]),
        D("dcpo", "DCPO: dynamic-adaptive clip bounds from each token's prior probability", "DCPO (arXiv 2509.02333)", "rlvr T05",
            [Number("clip_low", 0.16, "ε_low of the dynamic bound r_low(q) = 0.5 + 0.5·sqrt(max(1 − 4ε_low/q, 0))", 0, 10),
             Number("clip_high", 0.2, "ε_high of the dynamic bound r_high(q) = 0.5 + 0.5·sqrt(1 + 4ε_high/q)", 0, 10),
             DualClip(true), ClipC(10.0), Agg(SeqMeanTokenSum.RegistryName), ScaleFactor],
            note: "ε from the paper's README table (0.16/0.2); the released script uses 0.2/0.28"),
        D("dhpo", "DHPO: token and sequence ratios, each clipped in its own trust region, then mixed", "DHPO (arXiv 2601.05607)", "rlvr T06",
            [Number("token_clip_low", 0.2, "ε_low of the token branch", 0, 10), Number("token_clip_high", 0.28, "ε_high of the token branch", 0, 10),
             Number("sequence_clip_low", 3e-4, "ε_low of the sequence branch", 0, 10), Number("sequence_clip_high", 4e-4, "ε_high of the sequence branch", 0, 10),
             Choice("mixing", "averaged", "how the token weight w is chosen", "averaged", "entropy_guided"),
             Number("averaged_weight", 0.5, "w of averaged mixing", 0, 1),
             Choice("combination", "arithmetic", "how the two ratios combine", "arithmetic", "geometric"),
             Choice("entropy_scope", "response", "min/max of entropy-guided w over the response or the batch", "response", "batch"),
             Boolean("high_entropy_favours_token", true, "entropy-guided: high entropy gives the token ratio more weight"),
             Agg(TokenMean.RegistryName), ScaleFactor],
            requires: [BatchColumns.Entropies], note: "RECONSTRUCTED: the paper's equations were not readable; every constant is configurable"),
        D("etr", "ETR: clip bounds widened by advantage magnitude and by the group's pass-rate variance", "ETR (arXiv 2601.03723)", "rlvr T07",
            [ClipLow(0.2), ClipHigh(0.2), DualClip(true), ClipC(3.0),
             Number("lambda_micro", 0.5, "micro elasticity: bound scale 1 + λ·min(|Â|, cap)/cap", 0, 100),
             Number("lambda_macro", 0.5, "macro elasticity: bound scale 1 + λ·4p(1 − p) for group pass rate p", 0, 100),
             Number("advantage_cap", 3.0, "the |Â| at which micro elasticity saturates", 1e-9, 1e6),
             Boolean("widen_low", true, "widen the lower bound too"),
             Agg(TokenMean.RegistryName), ScaleFactor],
            requires: [BatchColumns.PassRate], note: "RECONSTRUCTED: no code and unreadable equations; the form and constants are configurable"),
        D("grpo_n", "GRPO-N: GRPO's objective on negative advantages only", "The Debate on RLVR Capability Boundary (arXiv 2510.04028)", "rlvr T12",
            [.. Clipped(0.2, 0.2, false, 3.0, SeqMeanTokenMean.RegistryName), Boolean("renormalize_negatives", false, "divide by negative tokens only")],
            note: "aggregation RECONSTRUCTED (the base objective's denominators are kept by default)"),
        D("gspo_n", "GSPO-N: GSPO's objective on negative advantages only", "The Debate on RLVR Capability Boundary (arXiv 2510.04028)", "rlvr T12",
            [ClipLow(3e-4), ClipHigh(4e-4), Agg(SeqMeanTokenMean.RegistryName), ScaleFactor, Boolean("renormalize_negatives", false, "divide by negative tokens only")],
            note: "aggregation RECONSTRUCTED (the base objective's denominators are kept by default)"),
        D("sapo", "SAPO: a smooth sigmoid gate on the ratio instead of a hard clip", "SAPO (arXiv 2511.20347)", null,
            [Number("tau_pos", 1.0, "gate temperature for positive advantages", 1e-9, 1e6), Number("tau_neg", 1.05, "gate temperature for non-positive advantages", 1e-9, 1e6),
             Agg(SeqMeanTokenMean.RegistryName), ScaleFactor]),
        D("gpg", "GPG: the plain policy gradient −A·log π, no ratio and no clip", "GPG (arXiv 2504.02546)", null,
            [Agg(TokenMean.RegistryName), ScaleFactor]),
        D("clip_cov", "Clip-Cov: PPO clip that also detaches a few high-covariance tokens", "The Entropy Mechanism of RL for Reasoning LMs (arXiv 2505.22617)", null,
            [ClipLow(0.2), ClipHigh(0.2), Number("ratio", 2e-4, "share of valid tokens that may be detached", 0, 1),
             Number("lower_bound", 1.0, "covariance lower bound of the candidates"), Number("upper_bound", 5.0, "covariance upper bound of the candidates"),
             Agg(TokenMean.RegistryName), ScaleFactor]),
        D("kl_cov", "KL-Cov: an |Δ log π| penalty on the highest-covariance tokens, no clip", "The Entropy Mechanism of RL for Reasoning LMs (arXiv 2505.22617)", "rlvr T11",
            [Number("ratio", 0.002, "share of valid tokens that get the penalty (top by covariance)", 0, 1),
             Number("kl_coef", 1.0, "κ, the penalty's coefficient", 0, 1e6), Agg(TokenMean.RegistryName), ScaleFactor]),
        D("geo_mean", "GMPO: geometric mean of token ratios with sign-aware clipping in log space", "GMPO (arXiv 2507.20673)", null,
            [Number("clip_low", 0.4, "ε_low in log space: log-ratios below −ε_low are clipped", 0, 10), Number("clip_high", 0.4, "ε_high in log space", 0, 10)]),
        D("gmpo", "GMPO (alias of geo_mean)", "GMPO (arXiv 2507.20673)", null,
            [Number("clip_low", 0.4, "ε_low in log space: log-ratios below −ε_low are clipped", 0, 10), Number("clip_high", 0.4, "ε_high in log space", 0, 10)]),
        D("cispo", "CISPO: clipped, stop-gradient importance weights on a REINFORCE term", "MiniMax-M1 (arXiv 2506.13585)", null,
            [Number("clip_low", 1.0, "ε_low of the IS weight (1 = no lower bound, as the paper sets it)", 0, 10),
             Number("clip_high", 0.28, "ε_high of the IS weight", 0, 10), Agg(TokenMean.RegistryName), ScaleFactor],
            note: "the paper tunes ε_high without stating it; 0.28 (DAPO's) is Rewire's choice"),
        D("reinforce", "REINFORCE: −A·log π with no ratio", "REINFORCE (Williams 1992, Machine Learning 8)", null,
            [Agg(SeqMeanTokenSum.RegistryName), ScaleFactor]),
    ];

    /// <summary>The options of objective <paramref name="t"/> from its resolved parameters.</summary>
    public static PolicyObjectiveOptions Options(ResolvedTechnique t, ulong seed = 0)
    {
        double? N(string k) => t.Values.ContainsKey(k) ? t.Double(k) : null;
        bool Has(string k) => t.Values.ContainsKey(k);
        var o = new PolicyObjectiveOptions
        {
            ClipRatio = N("clip_low") ?? 0.2,
            ClipRatioLow = N("clip_low"),
            ClipRatioHigh = N("clip_high"),
            ClipRatioC = N("clip_ratio_c"),
            DualClip = Has("dual_clip") && t.Bool("dual_clip"),
            LossAggMode = Has("loss_agg_mode") ? t.String("loss_agg_mode") : null,
            Sapo = new SapoOptions { TauPos = N("tau_pos") ?? 1.0, TauNeg = N("tau_neg") ?? 1.05 },
            ClipCov = new ClipCovOptions { Ratio = N("ratio") ?? 2e-4, LowerBound = N("lower_bound") ?? 1.0, UpperBound = N("upper_bound") ?? 5.0, Seed = (long)(seed >> 1) },
            KlCov = new KlCovOptions { Ratio = N("ratio") ?? 0.002, KlCoefficient = N("kl_coef") ?? 1.0 },
            NegativeOnly = new NegativeOnlyOptions { RenormalizeNegatives = Has("renormalize_negatives") && t.Bool("renormalize_negatives") },
        };
        if (t.Name == "etr")
            o = o with { Etr = new EtrOptions { LambdaMicro = t.Double("lambda_micro"), LambdaMacro = t.Double("lambda_macro"), AdvantageCap = t.Double("advantage_cap"), WidenLow = t.Bool("widen_low") } };
        if (t.Name == "dhpo")
            o = o with
            {
                Dhpo = new DhpoOptions
                {
                    Mixing = t.String("mixing") == "averaged" ? DhpoMixing.Averaged : DhpoMixing.EntropyGuided,
                    AveragedWeight = t.Double("averaged_weight"),
                    Combination = t.String("combination") == "arithmetic" ? DhpoCombination.Arithmetic : DhpoCombination.Geometric,
                    EntropyScope = t.String("entropy_scope") == "response" ? DhpoEntropyScope.Response : DhpoEntropyScope.Batch,
                    HighEntropyFavoursToken = t.Bool("high_entropy_favours_token"),
                    TokenEpsilonLow = t.Double("token_clip_low"),
                    TokenEpsilonHigh = t.Double("token_clip_high"),
                    SequenceEpsilonLow = t.Double("sequence_clip_low"),
                    SequenceEpsilonHigh = t.Double("sequence_clip_high"),
                },
            };
        return o;
    }

    /// <summary>Dr. GRPO's constant normaliser for seq-mean-token-sum-norm: the parameter, or the generation budget when 0.</summary>
    public static double? LossScaleFactor(ResolvedTechnique t, TechniqueContext context) =>
        !t.Values.ContainsKey("loss_scale_factor") ? null : t.Int("loss_scale_factor") is > 0 and var v ? v : context.MaxNewTokens;
}
