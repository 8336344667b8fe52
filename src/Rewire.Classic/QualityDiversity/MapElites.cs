using System.Text.Json.Nodes;

namespace Rewire.Classic.QualityDiversity;

/// <summary>
/// MAP-Elites ("Illuminating search spaces by mapping elites", Mouret and Clune, arXiv 1504.04909): a first population
/// of random genomes fills the <see cref="GridArchive"/>; each generation mutates <see cref="QdOptions.PopulationSize"/>
/// elites drawn uniformly from the archive and offers every offspring to its cell (kept when the cell is empty or the
/// offspring is fitter). Quality is the episode return; diversity is the behaviour grid.
/// </summary>
public sealed class MapElites : QdSearch
{
    /// <summary>Creates the search with an empty grid archive over the evaluator's behaviour space.</summary>
    /// <param name="evaluator">Runs a genome's episode.</param>
    /// <param name="options">Population and mutation settings.</param>
    /// <param name="budget">Total number of evaluations allowed.</param>
    /// <param name="seed">Seed of the search's random stream.</param>
    public MapElites(EpisodeEvaluator evaluator, QdOptions options, long budget, int seed) : base(evaluator, options, budget, seed) =>
        Grid = new GridArchive(evaluator.Space);

    /// <inheritdoc />
    public override string Name => "map-elites";

    /// <summary>The archive of elites, one per filled cell.</summary>
    public GridArchive Grid { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Evaluation> Archive => Grid.Elites;

    /// <inheritdoc />
    protected override IReadOnlyDictionary<string, double> StepCore()
    {
        int n = (int)Math.Min(Options.PopulationSize, Remaining), inserted = 0;
        bool initial = Grid.Count == 0;
        var elites = Grid.Elites;
        for (int i = 0; i < n; i++)
        {
            var genome = initial || elites.Count == 0 ? RandomGenome() : Mutate(elites[Rng.NextInt(elites.Count)].Genome, Options.MutationSigma);
            if (Grid.TryInsert(Evaluate(genome))) inserted++;
        }
        return new Dictionary<string, double> { ["archive_size"] = Grid.Count, ["inserted"] = inserted, ["archive_coverage"] = Grid.Coverage };
    }

    /// <inheritdoc />
    protected override JsonObject SaveCore() => new() { ["grid"] = Grid.Save() };

    /// <inheritdoc />
    protected override void RestoreCore(JsonObject state) => Grid.Restore(state["grid"] as JsonArray ?? throw new ArgumentException("the saved MAP-Elites state has no 'grid'."));
}
