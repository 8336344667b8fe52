using Rewire.Core.Techniques;

namespace Rewire.Core.Shaping;

/// <summary>
/// Name-keyed registries of reward shapers and token-advantage shapers. Each technique is built from a
/// <see cref="ResolvedTechnique"/> (its descriptor in <see cref="ShapingDescriptors"/> with every parameter filled) and
/// the run's <see cref="TechniqueContext"/>, so the descriptor is the only source of defaults. The name-based entry points
/// (<c>CreateReward("par", {"k": "2"})</c>) resolve the descriptor with the given settings first. Registering a name twice
/// fails; an unknown name or setting fails with the valid ones.
/// </summary>
public sealed class ShapingRegistry
{
    private readonly Dictionary<string, TechniqueDescriptor> _rewardDescriptors = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, TechniqueDescriptor> _tokenDescriptors = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Reward shapers by name.</summary>
    public NamedRegistry<Func<ResolvedTechnique, TechniqueContext, IRewardShaper>> Rewards { get; } = new("reward shaper", StringComparer.OrdinalIgnoreCase);

    /// <summary>Token-advantage shapers by name.</summary>
    public NamedRegistry<Func<ResolvedTechnique, TechniqueContext, ITokenAdvantageShaper>> TokenAdvantages { get; } = new("token advantage shaper", StringComparer.OrdinalIgnoreCase);

    /// <summary>The descriptors of the registered techniques of both kinds.</summary>
    public IReadOnlyList<TechniqueDescriptor> Descriptors => [.. _rewardDescriptors.Values, .. _tokenDescriptors.Values];

    /// <summary>Registers a reward shaper with its descriptor (kind <c>shaper</c>).</summary>
    public void RegisterReward(TechniqueDescriptor descriptor, Func<ResolvedTechnique, TechniqueContext, IRewardShaper> factory)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        Rewards.Register(descriptor.Name, factory);
        _rewardDescriptors[descriptor.Name] = descriptor;
    }

    /// <summary>Registers a token-advantage shaper with its descriptor (kind <c>advantage_shaper</c>).</summary>
    public void RegisterTokenAdvantage(TechniqueDescriptor descriptor, Func<ResolvedTechnique, TechniqueContext, ITokenAdvantageShaper> factory)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        TokenAdvantages.Register(descriptor.Name, factory);
        _tokenDescriptors[descriptor.Name] = descriptor;
    }

    /// <summary>The descriptor of reward shaper <paramref name="name"/>.</summary>
    public TechniqueDescriptor RewardDescriptor(string name)
    {
        Rewards.Get(name);
        return _rewardDescriptors.GetValueOrDefault(name) ?? TechniqueResolution.Undescribed(TechniqueKinds.Shaper, name);
    }

    /// <summary>The descriptor of token-advantage shaper <paramref name="name"/>.</summary>
    public TechniqueDescriptor TokenAdvantageDescriptor(string name)
    {
        TokenAdvantages.Get(name);
        return _tokenDescriptors.GetValueOrDefault(name) ?? TechniqueResolution.Undescribed(TechniqueKinds.AdvantageShaper, name);
    }

    /// <summary>Builds the reward shaper <paramref name="technique"/> names, for the run <paramref name="context"/>.</summary>
    public IRewardShaper CreateReward(ResolvedTechnique technique, TechniqueContext context)
    {
        ArgumentNullException.ThrowIfNull(technique);
        ArgumentNullException.ThrowIfNull(context);
        return Rewards.Get(technique.Name)(technique, context);
    }

    /// <summary>Builds the token-advantage shaper <paramref name="technique"/> names.</summary>
    public ITokenAdvantageShaper CreateTokenAdvantage(ResolvedTechnique technique, TechniqueContext context)
    {
        ArgumentNullException.ThrowIfNull(technique);
        ArgumentNullException.ThrowIfNull(context);
        return TokenAdvantages.Get(technique.Name)(technique, context);
    }

    /// <summary>Builds the reward shaper <paramref name="name"/> with <paramref name="settings"/> (the rest at the descriptor's defaults).</summary>
    public IRewardShaper CreateReward(string name, IReadOnlyDictionary<string, string>? settings = null, TechniqueContext? context = null) =>
        CreateReward(TechniqueResolution.Resolve(RewardDescriptor(name), settings), context ?? TechniqueContext.Default);

    /// <summary>Builds the token-advantage shaper <paramref name="name"/> with <paramref name="settings"/>.</summary>
    public ITokenAdvantageShaper CreateTokenAdvantage(string name, IReadOnlyDictionary<string, string>? settings = null, TechniqueContext? context = null) =>
        CreateTokenAdvantage(TechniqueResolution.Resolve(TokenAdvantageDescriptor(name), settings), context ?? TechniqueContext.Default);

    /// <summary>A registry holding every built-in technique, described by <see cref="ShapingDescriptors"/>.</summary>
    public static ShapingRegistry CreateDefault()
    {
        var r = new ShapingRegistry();
        foreach (var d in ShapingDescriptors.RewardShapers) r.RegisterReward(d, RewardFactory(d.Name));
        foreach (var d in ShapingDescriptors.AdvantageShapers) r.RegisterTokenAdvantage(d, TokenFactory(d.Name));
        return r;
    }

    /// <summary>L_valid of PAR's length penalty for a generation budget: round(300/512 · budget), at least 1.</summary>
    public static int DerivedValidLength(int maxNewTokens) =>
        Math.Max(1, (int)Math.Round((double)ShapingDescriptors.ParValidLength * maxNewTokens / ShapingDescriptors.ParBudget, MidpointRounding.AwayFromZero));

    /// <summary>DAPO's L_cache for L_max: 20% of it (4096 of 20480), at least 1.</summary>
    public static int DerivedOverlongBuffer(int maxLength) =>
        Math.Max(1, (int)Math.Round((double)ShapingDescriptors.DapoBuffer * maxLength / ShapingDescriptors.DapoMaxLength, MidpointRounding.AwayFromZero));

    /// <summary>DOT's margin for a response budget: round(32/8192 · budget), at least 1 token.</summary>
    public static double DerivedDotMargin(int maxNewTokens) =>
        Math.Max(1, Math.Round((double)ShapingDescriptors.DotMargin * maxNewTokens / ShapingDescriptors.DotBudget, MidpointRounding.AwayFromZero));

    private static Func<ResolvedTechnique, TechniqueContext, IRewardShaper> RewardFactory(string name) => name switch
    {
        "vanilla" => (_, _) => new IdentityShaper(),
        "bounded" => (p, _) => new BoundedTransform(Enum.Parse<BoundedFunction>(p.String("function"), ignoreCase: true), p.Double("scale"), p.Double("center")),
        "centered" => (p, _) => new CenteredTransform(p.String("baseline") == "reference" ? CenterBaseline.ReferenceMean : CenterBaseline.GroupMean),
        "clip" => (p, _) => Clip(p),
        "minmax" => (p, _) => new MinMaxTransform(p.String("scope") == "group"),
        "meanstd" => (_, _) => new MeanStdTransform(),
        "par" => (p, _) => new PreferenceAsReward(p.Double("k"), p.Int("max_references"), Enum.Parse<RelativeFunction>(p.String("function"), ignoreCase: true)),
        "lsc" => (p, _) => new LogSigmoidCentered(p.Double("quantile_z")),
        "length_penalty" => (p, c) => new LengthPenalty(p.Double("per_token"), p.Int("valid_length") is > 0 and var v ? v : DerivedValidLength(c.MaxNewTokens)),
        "potential" => (p, _) => new PotentialBasedShaping(p.Double("gamma")),
        "gated" => (p, _) => new GatedRewardAccumulation(p.Double("threshold"), p.Bool("gate")),
        "reseek" => (p, _) => new ReSeekReward(p.Double("alpha"), p.Double("tau")),
        "verpo" => (p, _) => new VerpoDenseReward(
            p.Double("lambda"), p.String("difficulty") == "log" ? VerpoDifficulty.Log : VerpoDifficulty.Linear,
            p.Bool("density_calibration"), p.Int("bins"), p.Double("epsilon"), p.Bool("gate_local_when_correct")),
        "overlong_punishment" => (p, c) =>
        {
            int maxLength = p.Int("max_length") is > 0 and var m ? m : c.MaxNewTokens;
            int buffer = p.Int("buffer") is > 0 and var b ? b : DerivedOverlongBuffer(maxLength);
            return new SoftOverlongPunishment(maxLength, buffer, p.Double("factor"));
        },
        "overlong_filter" => (_, _) => new OverlongFilter(),
        "dot" => (p, c) => new DynamicOutlierTruncation(
            p.Double("alpha"), p.Double("margin") is > 0 and var m ? m : DerivedDotMargin(c.MaxNewTokens), p.Double("success_threshold"), p.Double("correct_reward")),
        "grpo_s" => (p, _) => new GrpoSDifficultyScaling(p.Double("alpha"), p.Double("gamma"), p.Double("reward_range"), p.Bool("exponential")),
        "mm_dynamic_scaling" => (p, _) => new DynamicRewardScaling(p.Double("beta"), p.Double("w"), p.Double("k")),
        "oni" => (p, _) => new IntrinsicExtrinsicCombination(p.Double("extrinsic_coefficient"), p.Double("intrinsic_coefficient"), p.Double("count_exponent")),
        "random" => (p, _) => new SpuriousReward(p.Int("seed"), p.Double("probability"), p.Double("high"), p.Double("low")),
        _ => throw new InvalidOperationException($"shaper '{name}' is described but has no factory"),
    };

    private static Func<ResolvedTechnique, TechniqueContext, ITokenAdvantageShaper> TokenFactory(string name) => name switch
    {
        "ppl_advantage" => (p, _) => new PerplexityAdvantageShaping(p.Double("alpha"), p.Double("clamp"), p.String("scope") == "group"),
        "position_advantage" => (p, _) => new PositionAdvantageShaping(p.Double("gamma"), p.String("mode") == "multiplicative"),
        "tp_grpo" => (p, _) => new ThoughtProcessAdvantage(p.Double("lambda")),
        _ => throw new InvalidOperationException($"advantage shaper '{name}' is described but has no factory"),
    };

    private static ClipTransform Clip(ResolvedTechnique p)
    {
        string low = p.String("low"), high = p.String("high");
        if (low.Length == 0 && high.Length == 0) return new ClipTransform(p.Double("width"));
        return new ClipTransform(Bound(low, "low"), Bound(high, "high"));
    }

    private static double Bound(string text, string key) =>
        double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
            ? v
            : throw new ArgumentException($"clip: '{key}' = '{text}' is not a finite number; give both low and high as numbers (e.g. low=-1 high=1), or neither for the running clip.");
}
