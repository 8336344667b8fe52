using System.Text.Json.Nodes;

namespace Rewire.Classic.QualityDiversity;

/// <summary>
/// SERENE ("Sparse Reward Exploration via Novelty Search and Emitters", Paolo, Coninx, Doncieux, Sigaud, GECCO 2021,
/// arXiv 2102.03140; code GPaolo/SERENE). One generation of this search is one pair of budget chunks of
/// <see cref="QdOptions.ChunkSize"/> evaluations each:
/// <list type="number">
/// <item>Exploration: novelty search generations (reward-agnostic); every agent with a positive return not yet used
/// spawns a candidate emitter (<see cref="FitnessEmitter"/>) with σ = (genome distance to its nearest neighbour in the
/// novelty-search population and offspring)/3 (the mutation σ when that is 0) and enters the reward archive.</item>
/// <item>Exploitation: candidates, most novel with respect to the reward archive first, are run for
/// <see cref="QdOptions.CandidateGenerations"/> steps while more than a third of the chunk is left and kept only when
/// their improvement is positive; then emitters are picked (at random from the first Pareto front of ancestor novelty
/// with respect to the reward archive and improvement; the highest improvement while that archive is empty) and run
/// until the chunk is spent or they stagnate. A stopped emitter's ancestor enters the reward archive and up to
/// <see cref="QdOptions.ArchiveAddPerGeneration"/> of its agents that were more novel than its most novel agent enter
/// the novelty archive. Each step, the emitter's best agent with a positive reward (then any agent beating its best
/// archived reward) enters the reward archive.</item>
/// </list>
/// The novelty reference set includes the reward archive. No evaluation is made past the budget. Every novelty is
/// measured on <see cref="NoveltySearch.DescriptorOf"/>, so STAX (Paolo's thesis) runs the same alternation on a
/// learned descriptor.
/// </summary>
public class Serene : NoveltySearch
{
    private readonly HashSet<long> _spawned = [];

    /// <summary>Creates the search with empty archives and no emitters.</summary>
    /// <param name="evaluator">Runs a genome's episode.</param>
    /// <param name="options">Population, emitter and chunk settings.</param>
    /// <param name="budget">Total number of evaluations allowed.</param>
    /// <param name="seed">Seed of the search's random stream.</param>
    public Serene(EpisodeEvaluator evaluator, QdOptions options, long budget, int seed) : base(evaluator, options, budget, seed) { }

    /// <inheritdoc />
    public override string Name => "serene";

    /// <summary>Rewarding agents found by exploration and by the emitters.</summary>
    public List<Evaluation> RewardArchive { get; } = [];

    /// <summary>Candidate emitters, in the order they were created.</summary>
    public List<FitnessEmitter> Candidates { get; } = [];

    /// <summary>Running emitters.</summary>
    public List<FitnessEmitter> Emitters { get; } = [];

    /// <summary>Novelty-archive candidates of emitters that stopped, added at the end of the exploitation chunk.</summary>
    public List<List<Evaluation>> FinishedCandidates { get; } = [];

    /// <inheritdoc />
    public override IReadOnlyList<Evaluation> Archive => RewardArchive;

    /// <inheritdoc />
    protected override IEnumerable<Evaluation> ExtraReference => RewardArchive;

    /// <inheritdoc />
    protected override IReadOnlyDictionary<string, double> StepCore()
    {
        long chunk = Options.ChunkSize;
        while (chunk > 0 && !Done)
        {
            long before = Evaluations;
            NoveltyGeneration(Remaining); // a whole generation, as the original checks the chunk between generations
            chunk -= Evaluations - before;
        }
        long explored = Options.ChunkSize - chunk;
        OnExplorationChunkEnd();
        long exploitStart = Evaluations;
        if (!Done && (Emitters.Count > 0 || Candidates.Count > 0)) EmitterStep(Options.ChunkSize);
        return new Dictionary<string, double>
        {
            ["archive_size"] = NoveltyArchive.Count,
            ["reward_archive_size"] = RewardArchive.Count,
            ["emitters"] = Emitters.Count,
            ["candidate_emitters"] = Candidates.Count,
            ["exploration_evaluations"] = explored,
            ["exploitation_evaluations"] = Evaluations - exploitStart,
        };
    }

    /// <summary>Called after each exploration chunk, before the exploitation chunk (STAX retrains its autoencoder here).</summary>
    protected virtual void OnExplorationChunkEnd() { }

    /// <summary>Every new agent with a positive return spawns a candidate emitter and enters the reward archive.</summary>
    protected override void OnOffspring()
    {
        var all = Population.Concat(LastOffspring).ToList();
        foreach (var agent in all)
        {
            if (!(agent.Return > 0) || !_spawned.Add(agent.Id)) continue;
            RewardArchive.Add(agent);
            Candidates.Add(new FitnessEmitter(agent, InitialSigma(agent, all)));
        }
    }

    /// <summary>σ_init = (genome distance from <paramref name="ancestor"/> to its nearest other agent)/3, or the mutation σ when that is 0.</summary>
    public double InitialSigma(Evaluation ancestor, IReadOnlyList<Evaluation> agents)
    {
        double nearest = double.PositiveInfinity;
        foreach (var a in agents)
            if (a.Id != ancestor.Id) nearest = Math.Min(nearest, Novelty.Distance(ancestor.Genome, a.Genome));
        double sigma = nearest / 3;
        return sigma > 0 && double.IsFinite(sigma) ? sigma : Options.MutationSigma;
    }

    private void EmitterStep(long chunk)
    {
        chunk = EvaluateCandidates(chunk);
        var reference = ReferenceDescriptors();
        while (Emitters.Count > 0 && chunk > 0 && !Done)
        {
            var emitter = ChooseEmitter();
            emitter.AncestorNovelty = Novelty.Score(DescriptorOf(emitter.Ancestor), reference, Options.NoveltyK);
            bool stopped = false;
            while (chunk > 0 && !Done)
            {
                chunk -= EmitterGeneration(emitter);
                UpdateEmitterNovelties(emitter, reference);
                emitter.Steps++;
                if (emitter.Stagnated(Evaluator.Controller.GenomeSize, Options.EmitterPopulation))
                {
                    FinishedCandidates.Add(emitter.NoveltyArchiveCandidates.ToList());
                    RewardArchive.Add(emitter.Ancestor);
                    Emitters.Remove(emitter);
                    stopped = true;
                    break;
                }
            }
            if (!stopped && emitter.Values.Count > 0) emitter.EstimateImprovement();
        }
        foreach (var finished in FinishedCandidates) AddToArchive(finished);
        FinishedCandidates.Clear();
    }

    /// <summary>Runs candidates (most novel first) for a few steps; keeps those that improve. Returns the chunk left.</summary>
    private long EvaluateCandidates(long chunk)
    {
        foreach (var candidate in CandidatesByNovelty())
        {
            if (chunk <= Options.ChunkSize / 3 || Done) break;
            long before = Evaluations;
            for (int i = 0; i < Options.EmitterPopulation && !Done; i++)
            {
                var e = Evaluate(Mutate(candidate.Ancestor.Genome, candidate.Sigma));
                if (!e.Failed) candidate.Population.Add(e);
            }
            if (candidate.Population.Count > 0)
            {
                candidate.Values.Add(candidate.Population.Select(e => e.Return).ToArray());
                for (int g = 1; g < Options.CandidateGenerations && !Done; g++)
                {
                    EmitterGeneration(candidate);
                    candidate.Steps++;
                }
                candidate.EstimateImprovement();
                if (candidate.Improvement > 0) Emitters.Add(candidate);
            }
            Candidates.Remove(candidate);
            chunk -= Evaluations - before;
        }
        return chunk;
    }

    private List<FitnessEmitter> CandidatesByNovelty()
    {
        if (RewardArchive.Count == 0 || Candidates.Count == 0) return Candidates.ToList();
        var reference = RewardArchive.Select(DescriptorOf).ToList();
        return Candidates.Select((c, i) => (c, i, n: Novelty.Score(DescriptorOf(c.Ancestor), reference, Options.NoveltyK)))
            .OrderByDescending(t => t.n).ThenBy(t => t.i).Select(t => t.c).ToList();
    }

    /// <summary>One emitter step: offspring, selection, reward archive. Returns the evaluations spent.</summary>
    private long EmitterGeneration(FitnessEmitter emitter)
    {
        long before = Evaluations;
        var offspring = new List<Evaluation>();
        foreach (var parent in emitter.Population)
            for (int j = 0; j < Options.OffspringPerParent && !Done; j++)
            {
                var e = Evaluate(Mutate(parent.Genome, emitter.Sigma));
                if (!e.Failed) offspring.Add(e);
            }
        emitter.Select(offspring, Options.EmitterPopulation);
        emitter.Values.Add(emitter.Population.Select(e => e.Return).ToArray());
        UpdateRewardArchive(emitter);
        return Evaluations - before;
    }

    private void UpdateRewardArchive(FitnessEmitter emitter)
    {
        if (emitter.ArchivedValues.Count == 0)
        {
            var best = emitter.Population.MaxBy(e => e.Return);
            if (best is not null && best.Return > 0)
            {
                emitter.ArchivedValues.Add(best.Return);
                RewardArchive.Add(best);
            }
            return;
        }
        double limit = emitter.ArchivedValues.Max();
        foreach (var agent in emitter.Population.Where(a => a.Return > limit).ToList())
        {
            emitter.ArchivedValues.Add(agent.Return);
            RewardArchive.Add(agent);
        }
    }

    private void UpdateEmitterNovelties(FitnessEmitter emitter, List<double[]> reference)
    {
        var novelties = emitter.Population.Select(a => Novelty.Score(DescriptorOf(a), reference, Options.NoveltyK)).ToArray();
        double mostNovel = emitter.MostNovelNovelty ?? emitter.AncestorNovelty;
        for (int i = 0; i < novelties.Length; i++)
            if (novelties[i] > mostNovel) emitter.NoveltyArchiveCandidates.Add(emitter.Population[i]);
        if (novelties.Length > 0 && novelties.Max() > mostNovel) emitter.MostNovelNovelty = novelties.Max();
    }

    /// <summary>With a reward archive: a random emitter of the first Pareto front of (ancestor novelty w.r.t. the reward archive, improvement); else the highest improvement.</summary>
    private FitnessEmitter ChooseEmitter()
    {
        if (RewardArchive.Count == 0) return Emitters.Select((e, i) => (e, i)).OrderByDescending(t => t.e.Improvement).ThenBy(t => t.i).First().e;
        var reference = RewardArchive.Select(DescriptorOf).ToList();
        var novelty = Emitters.Select(e => Novelty.Score(DescriptorOf(e.Ancestor), reference, Options.NoveltyK)).ToArray();
        var front = ParetoFront(novelty, Emitters.Select(e => e.Improvement).ToArray());
        return Emitters[front[Rng.NextInt(front.Count)]];
    }

    /// <summary>Indices not dominated in (a, b), both maximised (j dominates i when it is at least as good in both and better in one).</summary>
    public static List<int> ParetoFront(double[] a, double[] b)
    {
        var front = new List<int>();
        for (int i = 0; i < a.Length; i++)
        {
            bool dominated = false;
            for (int j = 0; j < a.Length && !dominated; j++)
                dominated = j != i && a[j] >= a[i] && b[j] >= b[i] && (a[j] > a[i] || b[j] > b[i]);
            if (!dominated) front.Add(i);
        }
        return front;
    }

    /// <inheritdoc />
    protected override JsonObject SaveCore()
    {
        var o = base.SaveCore();
        o["reward_archive"] = EvaluationJson.List(RewardArchive);
        o["candidates"] = new JsonArray(Candidates.Select(c => (JsonNode)c.Save()).ToArray());
        o["emitters"] = new JsonArray(Emitters.Select(c => (JsonNode)c.Save()).ToArray());
        o["spawned"] = new JsonArray(_spawned.Order().Select(i => (JsonNode)JsonValue.Create(i)).ToArray());
        return o;
    }

    /// <inheritdoc />
    protected override void RestoreCore(JsonObject state)
    {
        base.RestoreCore(state);
        RewardArchive.Clear();
        RewardArchive.AddRange(EvaluationJson.ReadList(state["reward_archive"]));
        Candidates.Clear();
        Candidates.AddRange(state["candidates"]!.AsArray().Select(n => FitnessEmitter.Restore(n!.AsObject())));
        Emitters.Clear();
        Emitters.AddRange(state["emitters"]!.AsArray().Select(n => FitnessEmitter.Restore(n!.AsObject())));
        _spawned.Clear();
        foreach (var n in state["spawned"]!.AsArray()) _spawned.Add(n!.GetValue<long>());
    }
}
