using Rewire.Core.Rewards;

namespace Rewire.Core.Shaping;

/// <summary>
/// Name-keyed registries of reward shapers and token-advantage shapers, so configuration can name any technique with
/// key/value settings: <c>Create("par", {"k": "2"})</c>. <see cref="CreateDefault"/> holds every built-in technique;
/// registering a name twice fails; an unknown name or setting fails with the valid ones.
/// </summary>
public sealed class ShapingRegistry
{
    /// <summary>Reward shapers by name.</summary>
    public NamedRegistry<Func<TechniqueParameters, IRewardShaper>> Rewards { get; } = new("reward shaper", StringComparer.OrdinalIgnoreCase);

    /// <summary>Token-advantage shapers by name.</summary>
    public NamedRegistry<Func<TechniqueParameters, ITokenAdvantageShaper>> TokenAdvantages { get; } = new("token advantage shaper", StringComparer.OrdinalIgnoreCase);

    /// <summary>Builds the reward shaper <paramref name="name"/> with <paramref name="settings"/>.</summary>
    public IRewardShaper CreateReward(string name, IReadOnlyDictionary<string, string>? settings = null)
    {
        var factory = Rewards.Get(name);
        var p = new TechniqueParameters(settings, name);
        var shaper = factory(p);
        p.EnsureAllUsed();
        return shaper;
    }

    /// <summary>Builds the token-advantage shaper <paramref name="name"/> with <paramref name="settings"/>.</summary>
    public ITokenAdvantageShaper CreateTokenAdvantage(string name, IReadOnlyDictionary<string, string>? settings = null)
    {
        var factory = TokenAdvantages.Get(name);
        var p = new TechniqueParameters(settings, name);
        var shaper = factory(p);
        p.EnsureAllUsed();
        return shaper;
    }

    /// <summary>A registry holding every built-in technique.</summary>
    public static ShapingRegistry CreateDefault()
    {
        var r = new ShapingRegistry();
        r.Rewards.Register("vanilla", _ => new IdentityShaper());
        r.Rewards.Register("bounded", p => new BoundedTransform(
            Enum.Parse<BoundedFunction>(p.Choice("function", "tanh", "tanh", "sigmoid", "atan"), ignoreCase: true),
            p.Double("scale", 1.0), p.Double("center", 0.0)));
        r.Rewards.Register("centered", p => new CenteredTransform(
            p.Choice("baseline", "group", "group", "reference") == "reference" ? CenterBaseline.ReferenceMean : CenterBaseline.GroupMean));
        r.Rewards.Register("clip", p =>
        {
            var low = p.String("low", "");
            var high = p.String("high", "");
            var width = p.Double("width", 1.0);
            if (low.Length > 0 || high.Length > 0)
            {
                return new ClipTransform(p.Double("low", double.NaN), p.Double("high", double.NaN));
            }

            return new ClipTransform(width);
        });
        r.Rewards.Register("minmax", p => new MinMaxTransform(p.Choice("scope", "running", "running", "group") == "group"));
        r.Rewards.Register("meanstd", _ => new MeanStdTransform());
        r.Rewards.Register("par", p => new PreferenceAsReward(
            p.Double("k", 1.0), p.Int("max_references", 10),
            Enum.Parse<RelativeFunction>(p.Choice("function", "sigmoid", "sigmoid", "tanh", "atan"), ignoreCase: true)));
        r.Rewards.Register("lsc", p => new LogSigmoidCentered(p.Double("quantile_z", LogSigmoidCentered.DefaultQuantileZ)));
        r.Rewards.Register("length_penalty", p => new LengthPenalty(p.Double("per_token", 0.01), p.Int("valid_length", 300)));
        r.Rewards.Register("potential", p => new PotentialBasedShaping(p.Double("gamma", 1.0)));
        r.Rewards.Register("gated", p => new GatedRewardAccumulation(p.Double("threshold", 0.0), p.Bool("gate", true)));
        r.Rewards.Register("verpo", p => new VerpoDenseReward(
            p.Double("lambda", 0.5),
            p.Choice("difficulty", "linear", "linear", "log") == "log" ? VerpoDifficulty.Log : VerpoDifficulty.Linear,
            p.Bool("density_calibration", true), p.Int("bins", 5), p.Double("epsilon", 1e-6), p.Bool("gate_local_when_correct", false)));
        r.Rewards.Register("overlong_punishment", p => new SoftOverlongPunishment(
            p.Int("max_length", 20480), p.Int("buffer", 4096), p.Double("factor", 1.0)));
        r.Rewards.Register("overlong_filter", _ => new OverlongFilter());
        r.Rewards.Register("dot", p => new DynamicOutlierTruncation(
            p.Double("alpha", 3.0), p.Double("margin", 32), p.Double("success_threshold", 1.0), p.Double("correct_reward", 1.0)));
        r.Rewards.Register("grpo_s", p => new GrpoSDifficultyScaling(
            p.Double("alpha", 0.5), p.Double("gamma", 0.5), p.Double("reward_range", 1.0), p.Bool("exponential", false)));
        r.Rewards.Register("mm_dynamic_scaling", p => new DynamicRewardScaling(p.Double("beta", 0.1), p.Double("w", 0.1), p.Double("k", 0.5)));
        r.Rewards.Register("oni", p => new IntrinsicExtrinsicCombination(
            p.Double("extrinsic_coefficient", 1.0), p.Double("intrinsic_coefficient", 0.4), p.Double("count_exponent", 3.0)));
        r.Rewards.Register("random", p => new SpuriousReward(
            p.Int("seed", 0), p.Double("probability", 0.5), p.Double("high", 1.0), p.Double("low", 0.0)));

        r.TokenAdvantages.Register("ppl_advantage", p => new PerplexityAdvantageShaping(
            p.Double("alpha", 0.1), p.Double("clamp", 0.5), p.Choice("scope", "group", "group", "batch") == "group"));
        r.TokenAdvantages.Register("position_advantage", p => new PositionAdvantageShaping(
            p.Double("gamma", 0.1), p.Choice("mode", "additive", "additive", "multiplicative") == "multiplicative"));
        return r;
    }
}
