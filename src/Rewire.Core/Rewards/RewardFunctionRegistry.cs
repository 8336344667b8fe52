using Rewire.Core.Shaping;
using Rewire.Core.Verifiers;

namespace Rewire.Core.Rewards;

/// <summary>
/// Reward functions by name, built from key/value settings: <c>Create("numeric", {"relative_tolerance": "1e-6"})</c>.
/// <see cref="CreateDefault"/> holds the generic verifiers; tasks register their own. Registering a name twice fails; an
/// unknown name or setting fails with the valid ones.
/// </summary>
public sealed class RewardFunctionRegistry
{
    /// <summary>The factories.</summary>
    public NamedRegistry<Func<TechniqueParameters, IRewardFunction>> Functions { get; } = new("reward function", StringComparer.OrdinalIgnoreCase);

    /// <summary>Registers <paramref name="factory"/> under <paramref name="name"/>.</summary>
    public void Register(string name, Func<TechniqueParameters, IRewardFunction> factory) => Functions.Register(name, factory);

    /// <summary>All names.</summary>
    public IReadOnlyList<string> Names => Functions.Names;

    /// <summary>Builds the reward function <paramref name="name"/> with <paramref name="settings"/>.</summary>
    public IRewardFunction Create(string name, IReadOnlyDictionary<string, string>? settings = null)
    {
        var factory = Functions.Get(name);
        var p = new TechniqueParameters(settings, name);
        var function = factory(p);
        p.EnsureAllUsed();
        return function;
    }

    /// <summary>A registry holding the generic verifiers and format rewards.</summary>
    public static RewardFunctionRegistry CreateDefault()
    {
        var r = new RewardFunctionRegistry();
        r.Register("exact_match", p => new ExactMatchVerifier(Options(p), new NormalizationOptions { IgnoreCase = p.Bool("ignore_case", true) }));
        r.Register("numeric", p => new NumericVerifier(Options(p), new NumericToleranceOptions
        {
            RelativeTolerance = p.Double("relative_tolerance", 1e-9),
            AbsoluteTolerance = p.Double("absolute_tolerance", 1e-12),
            ExactIntegers = p.Bool("exact_integers", true),
        }));
        r.Register("multiple_choice", p => new MultipleChoiceVerifier(
            Options(p, "tag,boxed,answer_line"), p.String("letters", "ABCDEFGHIJ")));
        r.Register("format_regex", p => new RegexFormatReward(
            RequirePattern(p.String("pattern", "")), p.Bool("full_match", false), p.Double("reward", 1.0),
            TimeSpan.FromMilliseconds(p.Double("timeout_ms", 100)), p.Bool("backtracking", false)));
        r.Register("required_tags", p => new RequiredTagsReward(
            p.String("tags", "think,answer").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            p.Bool("partial", false), p.Double("reward", 1.0)));
        r.Register("random", p => SpuriousReward.AsRewardFunction(
            p.Int("seed", 0), p.Double("probability", 0.5), p.Double("high", 1.0), p.Double("low", 0.0)));
        return r;
    }

    private static VerifierOptions Options(TechniqueParameters p, string defaultOrder = "tag,boxed,answer_line,last_number") => new()
    {
        CorrectReward = p.Double("correct_reward", 1.0),
        IncorrectReward = p.Double("incorrect_reward", 0.0),
        NoAnswerReward = p.Double("no_answer_reward", 0.0),
        Extraction = new ExtractionOptions
        {
            Order = p.String("extract", defaultOrder)
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(ParseSource)
                .ToArray(),
            TagName = p.String("tag", "answer"),
            MaxAnswerLength = p.Int("max_answer_length", 4096),
            MaxNumberLength = p.Int("max_number_length", 256),
        },
    };

    private static string RequirePattern(string pattern) =>
        pattern.Length > 0 ? pattern : throw new ArgumentException("format_regex needs a 'pattern' setting, for example pattern=^<think>.*</think>.");

    private static AnswerSource ParseSource(string s) => s.ToLowerInvariant() switch
    {
        "tag" => AnswerSource.Tag,
        "boxed" => AnswerSource.Boxed,
        "answer_line" => AnswerSource.AnswerLine,
        "last_number" => AnswerSource.LastNumber,
        _ => throw new ArgumentException($"unknown answer source '{s}' in 'extract'; valid: tag, boxed, answer_line, last_number."),
    };
}
