using System.Text.Json.Nodes;

namespace Rewire.Classic.QualityDiversity;

/// <summary>
/// Novelty search ("Abandoning Objectives: Evolution Through the Search for Novelty Alone", Lehman and Stanley 2011), as
/// SERENE's code runs it (Paolo et al. 2021): a (μ + λ) evolution whose selection ignores the reward. Each generation
/// every parent of the population (<see cref="QdOptions.PopulationSize"/>) yields
/// <see cref="QdOptions.OffspringPerParent"/> mutated offspring; the novelty of every parent and offspring is the mean
/// distance to its k nearest neighbours among population, offspring and archive; the most novel
/// <see cref="QdOptions.PopulationSize"/> become the next population; <see cref="QdOptions.ArchiveAddPerGeneration"/>
/// offspring drawn at random join the archive. The first generation evaluates a random population.
/// </summary>
public class NoveltySearch : QdSearch
{
    /// <summary>Creates the search with an empty population and archive.</summary>
    /// <param name="evaluator">Runs a genome's episode.</param>
    /// <param name="options">Population, offspring, novelty-neighbour and archive settings.</param>
    /// <param name="budget">Total number of evaluations allowed.</param>
    /// <param name="seed">Seed of the search's random stream.</param>
    public NoveltySearch(EpisodeEvaluator evaluator, QdOptions options, long budget, int seed) : base(evaluator, options, budget, seed) { }

    /// <inheritdoc />
    public override string Name => "novelty";

    /// <summary>The current population.</summary>
    public List<Evaluation> Population { get; } = [];

    /// <summary>The novelty archive.</summary>
    public List<Evaluation> NoveltyArchive { get; } = [];

    /// <inheritdoc />
    public override IReadOnlyList<Evaluation> Archive => NoveltyArchive;

    /// <summary>The offspring of the last generation.</summary>
    public List<Evaluation> LastOffspring { get; } = [];

    /// <summary>Further members of the novelty reference set (SERENE adds its reward archive).</summary>
    protected virtual IEnumerable<Evaluation> ExtraReference => [];

    /// <summary>Called once a generation's offspring are evaluated (in <see cref="LastOffspring"/>), before selection.</summary>
    protected virtual void OnOffspring() { }

    /// <summary>Descriptors of population, last offspring, novelty archive and the extra reference (SERENE's novelty reference set).</summary>
    protected List<double[]> ReferenceDescriptors() =>
        Population.Concat(LastOffspring).Concat(NoveltyArchive).Concat(ExtraReference).Select(DescriptorOf).ToList();

    /// <summary>The descriptor novelty is measured on (the hand-designed one here; TAXONS learns it).</summary>
    protected virtual double[] DescriptorOf(Evaluation e) => e.Descriptor;

    /// <inheritdoc />
    protected override IReadOnlyDictionary<string, double> StepCore() => NoveltyGeneration(Remaining);

    /// <summary>One novelty-search generation spending at most <paramref name="allowance"/> evaluations; returns its metrics.</summary>
    protected IReadOnlyDictionary<string, double> NoveltyGeneration(long allowance)
    {
        if (Population.Count == 0)
        {
            int n0 = (int)Math.Min(Options.PopulationSize, allowance);
            for (int i = 0; i < n0; i++) Population.Add(Evaluate(RandomGenome()));
            Population.RemoveAll(e => e.Failed);
            return new Dictionary<string, double> { ["archive_size"] = NoveltyArchive.Count, ["evaluated"] = n0 };
        }
        var offspring = new List<Evaluation>();
        foreach (var parent in Population)
            for (int j = 0; j < Options.OffspringPerParent && offspring.Count < allowance; j++)
                offspring.Add(Evaluate(Mutate(parent.Genome, Options.MutationSigma)));
        offspring.RemoveAll(e => e.Failed);
        LastOffspring.Clear();
        LastOffspring.AddRange(offspring);
        OnOffspring();
        var candidates = Population.Concat(offspring).ToList();
        var reference = candidates.Concat(NoveltyArchive).Concat(ExtraReference).Select(DescriptorOf).ToList();
        var novelty = SelectionScores(candidates, reference);
        var order = Enumerable.Range(0, candidates.Count).OrderByDescending(i => novelty[i]).ThenBy(i => i).Take(Options.PopulationSize).ToList();
        var next = order.Select(i => candidates[i]).ToList();
        AddToArchive(offspring);
        Population.Clear();
        Population.AddRange(next);
        return new Dictionary<string, double>
        {
            ["archive_size"] = NoveltyArchive.Count,
            ["evaluated"] = offspring.Count,
            ["mean_selection_score"] = order.Count > 0 ? order.Average(i => novelty[i]) : 0,
        };
    }

    /// <summary>The score the next population is selected by (highest first): the novelty of each candidate with respect to <paramref name="reference"/>, in which candidate i sits at index i.</summary>
    protected virtual double[] SelectionScores(IReadOnlyList<Evaluation> candidates, List<double[]> reference) =>
        candidates.Select((e, i) => Novelty.Score(DescriptorOf(e), reference, Options.NoveltyK, i)).ToArray();

    /// <summary>Adds <see cref="QdOptions.ArchiveAddPerGeneration"/> of <paramref name="offspring"/>, drawn at random without replacement.</summary>
    protected void AddToArchive(List<Evaluation> offspring)
    {
        var pool = offspring.ToList();
        for (int i = 0; i < Options.ArchiveAddPerGeneration && pool.Count > 0; i++)
        {
            int j = Rng.NextInt(pool.Count);
            NoveltyArchive.Add(pool[j]);
            pool.RemoveAt(j);
        }
    }

    /// <inheritdoc />
    protected override JsonObject SaveCore() => new()
    {
        ["population"] = EvaluationJson.List(Population),
        ["novelty_archive"] = EvaluationJson.List(NoveltyArchive),
        ["last_offspring"] = EvaluationJson.List(LastOffspring),
    };

    /// <inheritdoc />
    protected override void RestoreCore(JsonObject state)
    {
        Population.Clear();
        Population.AddRange(EvaluationJson.ReadList(state["population"]));
        NoveltyArchive.Clear();
        NoveltyArchive.AddRange(EvaluationJson.ReadList(state["novelty_archive"]));
        LastOffspring.Clear();
        LastOffspring.AddRange(EvaluationJson.ReadList(state["last_offspring"]));
    }
}
