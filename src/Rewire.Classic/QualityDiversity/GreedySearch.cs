using System.Text.Json.Nodes;

namespace Rewire.Classic.QualityDiversity;

/// <summary>
/// The objective-driven baseline of "Abandoning Objectives" (Lehman and Stanley 2011): the same (μ + λ) evolution as
/// <see cref="NoveltySearch"/> (population, offspring per parent, mutation) but selecting the
/// <see cref="QdOptions.PopulationSize"/> highest returns, with no archive. On a deceptive task it climbs the reward's
/// gradient into the trap; it is the greedy return-only search the quality-diversity methods are compared with.
/// </summary>
public sealed class GreedySearch : QdSearch
{
    /// <summary>Creates the search; see <see cref="QdSearch"/> for the parameters.</summary>
    /// <param name="evaluator">Runs a genome's episode.</param>
    /// <param name="options">Population, mutation and archive settings.</param>
    /// <param name="budget">Total number of evaluations allowed.</param>
    /// <param name="seed">Seed of the search's random stream.</param>
    public GreedySearch(EpisodeEvaluator evaluator, QdOptions options, long budget, int seed) : base(evaluator, options, budget, seed) { }

    /// <inheritdoc />
    public override string Name => "greedy";

    /// <summary>The current population: the highest returns seen so far.</summary>
    public List<Evaluation> Population { get; } = [];

    /// <inheritdoc />
    public override IReadOnlyList<Evaluation> Archive => Population;

    /// <inheritdoc />
    protected override IReadOnlyDictionary<string, double> StepCore()
    {
        if (Population.Count == 0)
        {
            int n0 = (int)Math.Min(Options.PopulationSize, Remaining);
            for (int i = 0; i < n0; i++) Population.Add(Evaluate(RandomGenome()));
            Population.RemoveAll(e => e.Failed);
        }
        else
        {
            var offspring = new List<Evaluation>();
            foreach (var parent in Population)
                for (int j = 0; j < Options.OffspringPerParent && !Done; j++)
                    offspring.Add(Evaluate(Mutate(parent.Genome, Options.MutationSigma)));
            var next = Population.Concat(offspring.Where(e => !e.Failed)).Select((e, i) => (e, i))
                .OrderByDescending(t => t.e.Return).ThenBy(t => t.i).Take(Options.PopulationSize).Select(t => t.e).ToList();
            Population.Clear();
            Population.AddRange(next);
        }
        return new Dictionary<string, double> { ["population_best_return"] = Population.Count > 0 ? Population.Max(e => e.Return) : double.NaN };
    }

    /// <inheritdoc />
    protected override JsonObject SaveCore() => new() { ["population"] = EvaluationJson.List(Population) };

    /// <inheritdoc />
    protected override void RestoreCore(JsonObject state)
    {
        Population.Clear();
        Population.AddRange(EvaluationJson.ReadList(state["population"]));
    }
}
