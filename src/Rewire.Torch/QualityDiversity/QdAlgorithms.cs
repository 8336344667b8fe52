using System.Globalization;
using Rewire.Classic.QualityDiversity;
using Rewire.Core.Techniques;
using static Rewire.Core.Techniques.TechniqueParameter;

namespace Rewire.Torch.QualityDiversity;

/// <summary>
/// The quality-diversity searches as listed techniques (kind <c>qd_algorithm</c>), run with
/// <c>rewire qd --env NAME --algo NAME qd.KEY=VALUE ...</c>. Parameter names are the snake_case settings of
/// <see cref="QdOptions"/>, their defaults that record's defaults (a test holds them together). TAXONS lives here because
/// its descriptor is learned by a TorchSharp autoencoder; the others are plain C# (Rewire.Classic).
/// </summary>
public static class QdAlgorithms
{
    /// <summary>The MAP-Elites paper, as the descriptor cites it.</summary>
    public const string MapElitesPaper = "Illuminating search spaces by mapping elites (Mouret, Clune, arXiv 1504.04909)";
    /// <summary>The novelty search paper, as the descriptor cites it.</summary>
    public const string NoveltyPaper = "Abandoning Objectives: Evolution Through the Search for Novelty Alone (Lehman, Stanley, Evolutionary Computation 2011)";
    /// <summary>The SERENE paper, as the descriptor cites it.</summary>
    public const string SerenePaper = "Sparse Reward Exploration via Novelty Search and Emitters (Paolo, Coninx, Doncieux, Sigaud, GECCO 2021, arXiv 2102.03140)";
    /// <summary>The TAXONS paper, as the descriptor cites it.</summary>
    public const string TaxonsPaper = "Unsupervised Learning and Exploration of Reachable Outcome Space (Paolo, Laflaquière, Coninx, Doncieux, ICRA 2020, arXiv 1909.05508)";

    /// <summary>The STAX source, as the descriptor cites it.</summary>
    public const string StaxPaper = "Learning in Sparse Rewards settings through Quality-Diversity algorithms (Paolo, thesis, arXiv 2203.01027), STAX: SERENE on TAXONS' learned behaviour space (code GPaolo/STAX)";

    private const string DefaultsNote = "The settings of Paolo et al.'s code (GPaolo/SERENE, GPaolo/taxons): population 100, 2 offspring per parent, Gaussian σ 0.05 on a genome in [-5, 5], k = 15, 5 archive additions per generation, a 2x5 hidden-layer controller.";

    /// <summary>The evaluation budget when <c>run.budget</c> is not given.</summary>
    public const long DefaultBudget = 20_000;

    private static TechniqueParameter[] Common(bool offspring) =>
    [
        Integer("population_size", 100, "Population size (MAP-Elites: offspring per generation).", 2, 100_000),
        .. offspring ? [Integer("offspring_per_parent", 2, "Offspring per parent.", 1, 100)] : Array.Empty<TechniqueParameter>(),
        Number("mutation_sigma", 0.05, "Standard deviation of the Gaussian mutation.", 1e-12, 100),
        Number("genome_limit", 5, "Genomes are drawn from and clipped to [-limit, limit].", 1e-12, 1e6),
        Integer("hidden_layers", 2, "Hidden layers of the evolved controller.", 0, 8),
        Integer("hidden_size", 5, "Units per hidden layer of the controller.", 1, 1024),
    ];

    private static readonly TechniqueParameter[] NoveltyParameters =
    [
        Integer("novelty_k", 15, "Neighbours of the novelty score.", 1, 10_000),
        Integer("archive_add", 5, "Offspring added to the novelty archive per generation (at random).", 0, 100_000),
    ];

    /// <summary>
    /// The descriptors of <c>novelty</c>, <c>map-elites</c>, <c>serene</c>, <c>taxons</c>, <c>greedy</c> and <c>stax</c>, with their
    /// <c>qd.*</c> parameters.
    /// </summary>
    public static IReadOnlyList<TechniqueDescriptor> Descriptors { get; } =
    [
        new()
        {
            Kind = TechniqueKinds.QdAlgorithm,
            Name = "map-elites",
            Summary = "MAP-Elites: a grid over the behaviour descriptor keeps the highest-return controller per cell; offspring are mutated uniformly drawn elites.",
            Paper = MapElitesPaper,
            Spec = "rewards-and-classic C20",
            DefaultsNote = DefaultsNote,
            Parameters = Common(offspring: false),
            Example = ["qd", "--env", "deceptive-maze", "--algo", "map-elites", "run.budget=2000", "run.seed=1", "--json"],
        },
        new()
        {
            Kind = TechniqueKinds.QdAlgorithm,
            Name = "novelty",
            Summary = "Novelty search: (mu + lambda) evolution selecting by novelty, the mean distance to the k nearest behaviour descriptors of population, offspring and archive.",
            Paper = NoveltyPaper,
            Spec = "rewards-and-classic C20",
            DefaultsNote = DefaultsNote,
            Parameters = [.. Common(offspring: true), .. NoveltyParameters],
            Example = ["qd", "--env", "deceptive-maze", "--algo", "novelty", "run.budget=2000", "run.seed=1", "--json"],
        },
        new()
        {
            Kind = TechniqueKinds.QdAlgorithm,
            Name = "serene",
            Summary = "SERENE: alternates novelty-search exploration chunks with exploitation by fitness emitters spawned from rewarding agents (Pareto choice of novelty and improvement, stagnation stop).",
            Paper = SerenePaper,
            Spec = "rewards-and-classic C20",
            DefaultsNote = DefaultsNote + " Chunks of 1000 evaluations, emitters of 6 agents, candidates run for 6 steps.",
            Parameters =
            [
                .. Common(offspring: true), .. NoveltyParameters,
                Integer("chunk_size", 1000, "Evaluations per exploration or exploitation chunk.", 10, int.MaxValue),
                Integer("emitter_population", 6, "Agents per emitter.", 2, 1000),
                Integer("candidate_generations", 6, "Steps a candidate emitter runs before it is kept (improvement > 0) or dropped.", 6, 1000),
            ],
            Example = ["qd", "--env", "deceptive-maze-sparse", "--algo", "serene", "run.budget=3000", "run.seed=1", "--json"],
        },
        new()
        {
            Kind = TechniqueKinds.QdAlgorithm,
            Name = "taxons",
            Summary = "TAXONS: novelty search in the latent space of an autoencoder trained on the episodes' final frames, selecting by latent novelty or by reconstruction error (surprise) with probability 0.5 each generation.",
            Paper = TaxonsPaper,
            Spec = "rewards-and-classic C20",
            DefaultsNote = DefaultsNote + " RECONSTRUCTED: an MLP autoencoder (64 hidden units, latent 10, Adam 1e-3, 10 epochs every 10 generations) on a 16x16 rendered frame (the maze) or the final observation (grids), in place of the paper's convolutional autoencoder on 64x64 images.",
            Parameters =
            [
                .. Common(offspring: true), .. NoveltyParameters,
                Integer("latent_size", 10, "Latent size of the autoencoder (the learned descriptor).", 1, 1024),
                Integer("autoencoder_every", 10, "Generations between autoencoder trainings.", 1, int.MaxValue),
                Integer("autoencoder_epochs", 10, "Epochs per autoencoder training.", 1, 10_000),
            ],
            Example = ["qd", "--env", "deceptive-maze", "--algo", "taxons", "run.budget=1000", "run.seed=1", "--json"],
        },
        new()
        {
            Kind = TechniqueKinds.QdAlgorithm,
            Name = "greedy",
            Summary = "The objective-driven baseline: the same (mu + lambda) evolution as novelty search, selecting the highest returns (trapped by deceptive rewards).",
            Paper = NoveltyPaper,
            Spec = "rewards-and-classic C20",
            DefaultsNote = DefaultsNote,
            Parameters = Common(offspring: true),
            Example = ["qd", "--env", "deceptive-maze", "--algo", "greedy", "run.budget=2000", "run.seed=1", "--json"],
        },
        new()
        {
            Kind = TechniqueKinds.QdAlgorithm,
            Name = "stax",
            Summary = "STAX: SERENE's alternation of novelty-search exploration and reward emitters, with every novelty measured in the latent space of an autoencoder trained on the episodes' final frames (TAXONS' learned descriptor, novelty or surprise selection).",
            Paper = StaxPaper,
            Spec = "rewards-and-classic C20",
            DefaultsNote = DefaultsNote + " Chunks of 1000 evaluations, emitters of 6 agents, candidates run for 6 steps; the autoencoder is trained after exploration chunks at a growing interval (1, 2, 3, ... chunks, the code's schedule) on novelty archive, population, offspring and reward archive. RECONSTRUCTED: TAXONS' MLP autoencoder (64 hidden units, latent 10, Adam 1e-3, 10 epochs per training) in place of the code's convolutional one with early stopping on a validation split.",
            Parameters =
            [
                .. Common(offspring: true), .. NoveltyParameters,
                Integer("chunk_size", 1000, "Evaluations per exploration or exploitation chunk.", 10, int.MaxValue),
                Integer("emitter_population", 6, "Agents per emitter.", 2, 1000),
                Integer("candidate_generations", 6, "Steps a candidate emitter runs before it is kept (improvement > 0) or dropped.", 6, 1000),
                Integer("latent_size", 10, "Latent size of the autoencoder (the learned descriptor).", 1, 1024),
                Integer("autoencoder_epochs", 10, "Epochs per autoencoder training.", 1, 10_000),
            ],
            Example = ["qd", "--env", "deceptive-maze-sparse", "--algo", "stax", "run.budget=2000", "run.seed=1", "--json"],
        },
    ];

    /// <summary>The listed names.</summary>
    public static IReadOnlyList<string> Names => Descriptors.Select(d => d.Name).ToList();

    /// <summary>
    /// The descriptor of <paramref name="name"/>; throws <see cref="ArgumentException"/> listing the valid names when
    /// there is none.
    /// </summary>
    public static TechniqueDescriptor Descriptor(string name) =>
        Descriptors.FirstOrDefault(d => d.Name == name) ?? throw new ArgumentException($"'{name}' is not a quality-diversity algorithm; valid: {string.Join(", ", Names)}.");

    /// <summary><see cref="QdOptions"/> from resolved parameter values (name → canonical text); missing names keep the defaults.</summary>
    public static QdOptions Options(IReadOnlyDictionary<string, string> values)
    {
        int I(string n, int d) => values.TryGetValue(n, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : d;
        double D(string n, double d) => values.TryGetValue(n, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : d;
        var o = new QdOptions();
        return o with
        {
            PopulationSize = I("population_size", o.PopulationSize),
            OffspringPerParent = I("offspring_per_parent", o.OffspringPerParent),
            MutationSigma = D("mutation_sigma", o.MutationSigma),
            GenomeLimit = D("genome_limit", o.GenomeLimit),
            HiddenLayers = I("hidden_layers", o.HiddenLayers),
            HiddenSize = I("hidden_size", o.HiddenSize),
            NoveltyK = I("novelty_k", o.NoveltyK),
            ArchiveAddPerGeneration = I("archive_add", o.ArchiveAddPerGeneration),
            ChunkSize = I("chunk_size", o.ChunkSize),
            EmitterPopulation = I("emitter_population", o.EmitterPopulation),
            CandidateGenerations = I("candidate_generations", o.CandidateGenerations),
            LatentSize = I("latent_size", o.LatentSize),
            AutoencoderEvery = I("autoencoder_every", o.AutoencoderEvery),
            AutoencoderEpochs = I("autoencoder_epochs", o.AutoencoderEpochs),
        };
    }

    /// <summary>A new search of <paramref name="name"/>.</summary>
    public static QdSearch Create(string name, EpisodeEvaluator evaluator, QdOptions options, long budget, int seed) => name switch
    {
        "map-elites" => new MapElites(evaluator, options, budget, seed),
        "novelty" => new NoveltySearch(evaluator, options, budget, seed),
        "serene" => new Serene(evaluator, options, budget, seed),
        "taxons" => new Taxons(evaluator, options, budget, seed),
        "greedy" => new GreedySearch(evaluator, options, budget, seed),
        "stax" => new Stax(evaluator, options, budget, seed),
        _ => throw new ArgumentException($"'{name}' is not a quality-diversity algorithm; valid: {string.Join(", ", Names)}."),
    };
}
