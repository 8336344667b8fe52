using System.Text.Json.Nodes;
using Rewire.Core.Sampling;
using Rewire.Core.Techniques;

namespace Rewire.Classic.QualityDiversity;

/// <summary>What one generation of a search reports (a line of the run's metrics).</summary>
public sealed record QdGeneration(long Generation, long Evaluations, long EnvSteps, double Coverage, double BestReturn, bool ReachedGoal, long GoalEvaluations,
    IReadOnlyDictionary<string, double> Metrics);

/// <summary>
/// The loop shared by the quality-diversity searches: an evaluation budget, the search's random stream, Gaussian
/// mutation clipped to the genome limit, and the bookkeeping every run reports: coverage (share of the behaviour grid's
/// cells reached by any evaluated controller, the papers' measure of exploration), the best return, and how often and
/// how early the goal was reached. A search never evaluates past its budget. Its whole state (random stream included)
/// saves to JSON, so a resumed search continues exactly as an uninterrupted one.
/// </summary>
public abstract class QdSearch : IStatefulTechnique
{
    private readonly HashSet<int> _visited = [];

    /// <summary>Sets up the loop shared by every search.</summary>
    /// <param name="evaluator">Runs a genome's episode and reads its descriptor.</param>
    /// <param name="options">Settings of the search (population, mutation, archive, chunks).</param>
    /// <param name="budget">Total number of evaluations allowed.</param>
    /// <param name="seed">Seed of the search's random stream.</param>
    protected QdSearch(EpisodeEvaluator evaluator, QdOptions options, long budget, int seed)
    {
        Evaluator = evaluator ?? throw new ArgumentNullException(nameof(evaluator));
        Options = options ?? throw new ArgumentNullException(nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(budget, 1);
        Budget = budget;
        Rng = new Xoshiro256StarStar(unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + 0x51ED));
    }

    /// <summary>
    /// Registry name of the search (<c>novelty</c>, <c>map-elites</c>, <c>serene</c>, <c>greedy</c>).
    /// </summary>
    public abstract string Name { get; }

    /// <summary>Runs genomes' episodes and reads their descriptors.</summary>
    public EpisodeEvaluator Evaluator { get; }
    /// <summary>The search's settings.</summary>
    public QdOptions Options { get; }
    /// <summary>Total number of evaluations the search may make.</summary>
    public long Budget { get; }

    /// <summary>The search's random stream (restored with the state, so resumed runs continue it).</summary>
    protected Xoshiro256StarStar Rng { get; private set; }

    /// <summary>Generations run so far.</summary>
    public long Generation { get; private set; }
    /// <summary>Evaluations (episodes) made so far.</summary>
    public long Evaluations { get; private set; }
    /// <summary>Environment steps taken by all evaluations so far.</summary>
    public long EnvSteps { get; private set; }
    /// <summary>Highest episode return seen so far (−∞ before any successful evaluation).</summary>
    public double BestReturn { get; private set; } = double.NegativeInfinity;

    /// <summary>Evaluations that reached the goal.</summary>
    public long GoalEvaluations { get; private set; }

    /// <summary>The 1-based evaluation that first reached the goal, or null.</summary>
    public long? FirstGoalEvaluation { get; private set; }

    /// <summary>True once any evaluation reached the goal.</summary>
    public bool ReachedGoal => GoalEvaluations > 0;

    /// <summary>Share of the behaviour grid's cells reached by at least one evaluated controller, in [0, 1].</summary>
    public double Coverage => (double)_visited.Count / Evaluator.Space.CellCount;

    /// <summary>True when the evaluation budget is spent.</summary>
    public bool Done => Evaluations >= Budget;

    /// <summary>Evaluations left in the budget.</summary>
    public long Remaining => Budget - Evaluations;

    /// <summary>The archive the search keeps (what `rewire qd` writes to archive.json).</summary>
    public abstract IReadOnlyList<Evaluation> Archive { get; }

    /// <summary>One generation (at most the remaining budget of evaluations).</summary>
    public QdGeneration Step()
    {
        if (Done) throw new InvalidOperationException($"{Name} has spent its budget of {Budget} evaluations.");
        Generation++;
        var metrics = StepCore();
        return new QdGeneration(Generation, Evaluations, EnvSteps, Coverage, BestReturn, ReachedGoal, GoalEvaluations, metrics);
    }

    /// <summary>The generation's work; returns its own metrics.</summary>
    protected abstract IReadOnlyDictionary<string, double> StepCore();

    /// <summary>Evaluates one genome and books it; throws when the budget is spent (a search must check <see cref="Remaining"/>).</summary>
    protected Evaluation Evaluate(double[] genome)
    {
        if (Done) throw new InvalidOperationException($"{Name} tried to evaluate past its budget of {Budget}.");
        var e = Evaluator.Evaluate(genome) with { Id = Evaluations + 1 };
        Evaluations++;
        EnvSteps += e.Steps;
        if (e.Failed) return e;
        _visited.Add(Evaluator.Space.Cell(e.Descriptor));
        if (e.Return > BestReturn) BestReturn = e.Return;
        if (e.ReachedGoal)
        {
            GoalEvaluations++;
            FirstGoalEvaluation ??= Evaluations;
        }
        return e;
    }

    /// <summary>A genome drawn uniformly from [−limit, limit].</summary>
    protected double[] RandomGenome()
    {
        var g = new double[Evaluator.Controller.GenomeSize];
        for (int i = 0; i < g.Length; i++) g[i] = (2 * Rng.NextDouble() - 1) * Options.GenomeLimit;
        return g;
    }

    /// <summary>Gaussian mutation with standard deviation <paramref name="sigma"/>, clipped to [−limit, limit].</summary>
    protected double[] Mutate(double[] parent, double sigma)
    {
        var g = new double[parent.Length];
        for (int i = 0; i < g.Length; i++) g[i] = Math.Clamp(parent[i] + sigma * Rng.NextGaussian(), -Options.GenomeLimit, Options.GenomeLimit);
        return g;
    }

    /// <summary>The search's own state (archives, population, emitters).</summary>
    protected abstract JsonObject SaveCore();

    /// <summary>Restores what <see cref="SaveCore"/> wrote.</summary>
    protected abstract void RestoreCore(JsonObject state);

    /// <inheritdoc />
    public JsonObject SaveState()
    {
        var o = SaveCore();
        o["algorithm"] = Name;
        o["rng"] = Rng.SaveState();
        o["generation"] = Generation;
        o["evaluations"] = Evaluations;
        o["env_steps"] = EnvSteps;
        o["best_return"] = double.IsFinite(BestReturn) ? BestReturn : null;
        o["goal_evaluations"] = GoalEvaluations;
        o["first_goal_evaluation"] = FirstGoalEvaluation;
        o["visited_cells"] = new JsonArray(_visited.Order().Select(c => (JsonNode)JsonValue.Create(c)).ToArray());
        o["environment_failures"] = Evaluator.Failures;
        o["environment_timeouts"] = Evaluator.Timeouts;
        return o;
    }

    /// <inheritdoc />
    public void RestoreState(JsonObject state)
    {
        ArgumentNullException.ThrowIfNull(state);
        string saved = state["algorithm"]?.GetValue<string>() ?? "";
        if (saved != Name) throw new ArgumentException($"the saved state is of '{saved}', not of '{Name}'.");
        Rng = Xoshiro256StarStar.Restore(state["rng"]!.GetValue<string>());
        Generation = state["generation"]!.GetValue<long>();
        Evaluations = state["evaluations"]!.GetValue<long>();
        EnvSteps = state["env_steps"]!.GetValue<long>();
        BestReturn = state["best_return"] is { } b ? b.GetValue<double>() : double.NegativeInfinity;
        GoalEvaluations = state["goal_evaluations"]!.GetValue<long>();
        FirstGoalEvaluation = state["first_goal_evaluation"]?.GetValue<long>();
        _visited.Clear();
        foreach (var c in state["visited_cells"]!.AsArray()) _visited.Add(c!.GetValue<int>());
        Evaluator.Failures = state["environment_failures"]?.GetValue<long>() ?? 0;
        Evaluator.Timeouts = state["environment_timeouts"]?.GetValue<long>() ?? 0;
        RestoreCore(state);
    }
}
