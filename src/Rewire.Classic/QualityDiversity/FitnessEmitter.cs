using System.Text.Json.Nodes;

namespace Rewire.Classic.QualityDiversity;

/// <summary>
/// SERENE's exploitation emitter ("Sparse Reward Exploration via Novelty Search and Emitters", Paolo et al. 2021, code:
/// FitnessEmitter): a local (μ + λ) population of <see cref="QdOptions.EmitterPopulation"/> genomes around a rewarding
/// ancestor, mutated with a fixed σ, 2 offspring per parent, keeping the best by reward. It records every step's
/// population rewards (<see cref="Values"/>) for its improvement and its stagnation test, the novelty of its most novel
/// agent, and the agents more novel than that (candidates for the novelty archive).
/// </summary>
public sealed class FitnessEmitter
{
    /// <summary>
    /// Starts an emitter around <paramref name="ancestor"/> with mutation scale <paramref name="sigma"/> (the
    /// population is filled by the search).
    /// </summary>
    /// <param name="ancestor">The rewarding agent the emitter was spawned from.</param>
    /// <param name="sigma">Standard deviation of the Gaussian mutation, positive.</param>
    public FitnessEmitter(Evaluation ancestor, double sigma)
    {
        Ancestor = ancestor ?? throw new ArgumentNullException(nameof(ancestor));
        if (!(sigma > 0) || !double.IsFinite(sigma)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "an emitter's σ must be positive.");
        Sigma = sigma;
    }

    /// <summary>The rewarding agent this emitter explores around.</summary>
    public Evaluation Ancestor { get; }
    /// <summary>Standard deviation of the emitter's Gaussian mutation.</summary>
    public double Sigma { get; }
    /// <summary>The emitter's current (μ + λ) population.</summary>
    public List<Evaluation> Population { get; } = [];

    /// <summary>The population's rewards after each step (the first entry: the initial population).</summary>
    public List<double[]> Values { get; } = [];

    /// <summary>Rewards of the agents this emitter put into the reward archive.</summary>
    public List<double> ArchivedValues { get; } = [];

    /// <summary>Agents more novel than the most novel one seen so far (candidates for the novelty archive).</summary>
    public List<Evaluation> NoveltyArchiveCandidates { get; } = [];

    /// <summary>The novelty of the most novel agent so far; null while that is still the ancestor (whose novelty is recomputed).</summary>
    public double? MostNovelNovelty { get; set; }

    /// <summary>The ancestor's novelty at the last selection of this emitter.</summary>
    public double AncestorNovelty { get; set; }

    /// <summary>The last estimate of <see cref="EstimateImprovement"/>; 0 before any.</summary>
    public double Improvement { get; private set; }

    private double[]? _initialValues;

    /// <summary>Steps (generations) the emitter has run.</summary>
    public int Steps { get; set; }

    /// <summary>Improvement = max(mean of the last 3 steps' rewards − mean of the first 3 steps' rewards, 0).</summary>
    public void EstimateImprovement()
    {
        if (Values.Count == 0) throw new InvalidOperationException("an emitter's improvement needs at least one step.");
        _initialValues ??= Values.Take(3).SelectMany(v => v).ToArray();
        double last = Values.Skip(Math.Max(0, Values.Count - 3)).SelectMany(v => v).Average();
        Improvement = Math.Max(last - _initialValues.Average(), 0);
    }

    /// <summary>Keeps the <paramref name="size"/> highest rewards of population and offspring (ties: earlier first).</summary>
    public void Select(IEnumerable<Evaluation> offspring, int size)
    {
        var next = Population.Concat(offspring).Select((e, i) => (e, i)).OrderByDescending(t => t.e.Return).ThenBy(t => t.i).Take(size).Select(t => t.e).ToList();
        Population.Clear();
        Population.AddRange(next);
    }

    /// <summary>
    /// SERENE's stagnation test: after bottom = ⌊20·genome size / emitter population + 120⌋ steps, stop when over the
    /// last bottom steps the median reward of the first 20 is at least that of the last 20, or their maximum is.
    /// </summary>
    public bool Stagnated(int genomeSize, int emitterPopulation)
    {
        int bottom = (int)(20.0 * genomeSize / emitterPopulation + 120);
        if (Steps <= bottom) return false;
        var window = Values.Skip(Math.Max(0, Values.Count - bottom)).ToList();
        var first = window.Take(20).SelectMany(v => v).ToArray();
        var last = window.Skip(Math.Max(0, window.Count - 20)).SelectMany(v => v).ToArray();
        return Median(first) >= Median(last) || first.Max() >= last.Max();
    }

    /// <summary>
    /// The median of <paramref name="v"/> (mean of the two middle values for an even count); throws for an empty array.
    /// </summary>
    public static double Median(double[] v)
    {
        if (v.Length == 0) throw new ArgumentException("the median of nothing is undefined.");
        var s = v.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    /// <summary>The emitter's state as JSON, for the search's checkpoint.</summary>
    public JsonObject Save() => new()
    {
        ["ancestor"] = EvaluationJson.Save(Ancestor),
        ["sigma"] = Sigma,
        ["population"] = EvaluationJson.List(Population),
        ["values"] = new JsonArray(Values.Select(v => (JsonNode)EvaluationJson.Numbers(v)).ToArray()),
        ["archived_values"] = EvaluationJson.Numbers(ArchivedValues),
        ["novelty_archive_candidates"] = EvaluationJson.List(NoveltyArchiveCandidates),
        ["most_novel_novelty"] = MostNovelNovelty,
        ["ancestor_novelty"] = AncestorNovelty,
        ["improvement"] = Improvement,
        ["initial_values"] = _initialValues is null ? null : EvaluationJson.Numbers(_initialValues),
        ["steps"] = Steps,
    };

    /// <summary>Rebuilds an emitter from <see cref="Save"/>'s JSON.</summary>
    public static FitnessEmitter Restore(JsonObject o)
    {
        var e = new FitnessEmitter(EvaluationJson.Restore(o["ancestor"]!.AsObject()), o["sigma"]!.GetValue<double>());
        e.Population.AddRange(EvaluationJson.ReadList(o["population"]));
        foreach (var v in o["values"]!.AsArray()) e.Values.Add(EvaluationJson.Doubles(v));
        e.ArchivedValues.AddRange(EvaluationJson.Doubles(o["archived_values"]));
        e.NoveltyArchiveCandidates.AddRange(EvaluationJson.ReadList(o["novelty_archive_candidates"]));
        e.MostNovelNovelty = o["most_novel_novelty"]?.GetValue<double>();
        e.AncestorNovelty = o["ancestor_novelty"]!.GetValue<double>();
        e.Improvement = o["improvement"]!.GetValue<double>();
        e._initialValues = o["initial_values"] is { } iv ? EvaluationJson.Doubles(iv) : null;
        e.Steps = o["steps"]!.GetValue<int>();
        return e;
    }
}
