using Rewire.Core.Shaping;
using Rewire.Core.Techniques;
using Rewire.Core.Verifiers;
using Rewire.Core.Verifiers.Rubrics;

namespace Rewire.Core.Rewards;

/// <summary>
/// Reward functions by name, each built from a <see cref="ResolvedTechnique"/> (its descriptor with every parameter
/// filled), so the descriptor (<see cref="RewardDescriptors"/> for the generic ones) is the only source of defaults.
/// <c>Create("numeric", {"relative_tolerance": "1e-6"})</c> resolves the descriptor with the settings first. Tasks
/// register their own. Registering a name twice fails; an unknown name or setting fails with the valid ones.
/// </summary>
public sealed class RewardFunctionRegistry
{
    private readonly Dictionary<string, TechniqueDescriptor> _descriptors = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The factories.</summary>
    public NamedRegistry<Func<ResolvedTechnique, IRewardFunction>> Functions { get; } = new("reward function", StringComparer.OrdinalIgnoreCase);

    /// <summary>Registers <paramref name="factory"/> under <paramref name="name"/>, with a descriptor without parameters.</summary>
    public void Register(string name, Func<ResolvedTechnique, IRewardFunction> factory) =>
        Register(TechniqueResolution.Undescribed(TechniqueKinds.Reward, name), factory);

    /// <summary>Registers <paramref name="factory"/> under the descriptor's name.</summary>
    public void Register(TechniqueDescriptor descriptor, Func<ResolvedTechnique, IRewardFunction> factory)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        Functions.Register(descriptor.Name, factory);
        _descriptors[descriptor.Name] = descriptor;
    }

    /// <summary>All names.</summary>
    public IReadOnlyList<string> Names => Functions.Names;

    /// <summary>The descriptor of <paramref name="name"/>; an unknown name throws <see cref="KeyNotFoundException"/>.</summary>
    public TechniqueDescriptor Descriptor(string name)
    {
        Functions.Get(name);
        return _descriptors[name];
    }

    /// <summary>Builds the reward function <paramref name="technique"/> names.</summary>
    public IRewardFunction Create(ResolvedTechnique technique)
    {
        ArgumentNullException.ThrowIfNull(technique);
        return Functions.Get(technique.Name)(technique);
    }

    /// <summary>Builds the reward function <paramref name="name"/> with <paramref name="settings"/> (the rest at the descriptor's defaults).</summary>
    public IRewardFunction Create(string name, IReadOnlyDictionary<string, string>? settings = null) =>
        Create(TechniqueResolution.Resolve(Descriptor(name), settings));

    /// <summary>A registry holding the generic verifiers and format rewards of <see cref="RewardDescriptors"/>.</summary>
    public static RewardFunctionRegistry CreateDefault()
    {
        var r = new RewardFunctionRegistry();
        foreach (var d in RewardDescriptors.All) r.Register(d, Factory(d.Name));
        return r;
    }

    private static Func<ResolvedTechnique, IRewardFunction> Factory(string name) => name switch
    {
        "exact_match" => p => new ExactMatchVerifier(Options(p), new NormalizationOptions { IgnoreCase = p.Bool("ignore_case") }),
        "numeric" => p => new NumericVerifier(Options(p), new NumericToleranceOptions
        {
            RelativeTolerance = p.Double("relative_tolerance"),
            AbsoluteTolerance = p.Double("absolute_tolerance"),
            ExactIntegers = p.Bool("exact_integers"),
        }),
        "multiple_choice" => p => new MultipleChoiceVerifier(Options(p), p.String("letters")),
        "format_regex" => p => new RegexFormatReward(
            RequirePattern(p.String("pattern")), p.Bool("full_match"), p.Double("reward"),
            TimeSpan.FromMilliseconds(p.Double("timeout_ms")), p.Bool("backtracking")),
        "required_tags" => p => new RequiredTagsReward(
            p.String("tags").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), p.Bool("partial"), p.Double("reward")),
        "random" => p => SpuriousReward.AsRewardFunction(p.Int("seed"), p.Double("probability"), p.Double("high"), p.Double("low")),
        "rubric" => Rubric,
        _ => throw new InvalidOperationException($"reward function '{name}' is described but has no factory"),
    };

    private static VerifierOptions Options(ResolvedTechnique p) => new()
    {
        CorrectReward = p.Double("correct_reward"),
        IncorrectReward = p.Double("incorrect_reward"),
        NoAnswerReward = p.Double("no_answer_reward"),
        Extraction = new ExtractionOptions
        {
            Order = p.String("extract")
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(ParseSource)
                .ToArray(),
            TagName = p.String("tag"),
            MaxAnswerLength = p.Int("max_answer_length"),
            MaxNumberLength = p.Int("max_number_length"),
        },
    };

    private static RubricVerifier Rubric(ResolvedTechnique p)
    {
        var names = p.String("criteria").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0) throw new ArgumentException("rubric needs at least one criterion in 'criteria', for example criteria=format,items,order,length.");
        var text = p.String("weights").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (text.Length != 0 && text.Length != names.Length)
            throw new ArgumentException($"rubric has {names.Length} criteria but {text.Length} weights; give one weight per criterion or none (equal weights).");
        var weights = text.Length == 0
            ? names.Select(_ => 1.0).ToArray()
            : text.Select(w => double.TryParse(w, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var x)
                ? x : throw new ArgumentException($"rubric weight '{w}' is not a number.")).ToArray();
        return new RubricVerifier(names.Select((n, i) => ListRubricCriteria.Create(n, weights[i])), p.Bool("graded"));
    }

    private static string RequirePattern(string pattern) =>
        pattern.Length > 0 ? pattern : throw new ArgumentException("format_regex needs a 'pattern' setting, for example pattern=^<think>.*</think>.");

    private static AnswerSource ParseSource(string s) => s.ToLowerInvariant() switch
    {
        "tag" => AnswerSource.Tag,
        "boxed" => AnswerSource.Boxed,
        "answer_line" => AnswerSource.AnswerLine,
        "last_number" => AnswerSource.LastNumber,
        "whole" => AnswerSource.Whole,
        _ => throw new ArgumentException($"unknown answer source '{s}' in 'extract'; valid: tag, boxed, answer_line, last_number, whole."),
    };
}
