namespace Rewire.Classic.QualityDiversity;

/// <summary>
/// Settings shared by the quality-diversity searches, with the defaults of "Sparse Reward Exploration via Novelty Search
/// and Emitters" (Paolo et al., GECCO 2021; code GPaolo/SERENE): population 100, 2 offspring per parent, Gaussian
/// mutation σ = 0.05 with the genome clipped to [−5, 5], novelty over k = 15 nearest neighbours, 5 agents added to the
/// novelty archive per generation, a controller with 2 hidden layers of 5 units.
/// </summary>
public sealed record QdOptions
{
    /// <summary>Population size (and MAP-Elites' batch of offspring per generation). <value>The default value is 100.</value></summary>
    public int PopulationSize { get; init; } = 100;

    /// <summary>Offspring per parent in novelty search and the emitters. <value>The default value is 2.</value></summary>
    public int OffspringPerParent { get; init; } = 2;

    /// <summary>Standard deviation of the Gaussian mutation. <value>The default value is 0.05.</value></summary>
    public double MutationSigma { get; init; } = 0.05;

    /// <summary>Genomes are drawn uniformly from and clipped to [−limit, limit]. <value>The default value is 5.</value></summary>
    public double GenomeLimit { get; init; } = 5;

    /// <summary>Neighbours of the novelty score. <value>The default value is 15.</value></summary>
    public int NoveltyK { get; init; } = 15;

    /// <summary>Offspring added to the novelty archive per generation (chosen at random). <value>The default value is 5.</value></summary>
    public int ArchiveAddPerGeneration { get; init; } = 5;

    /// <summary>Hidden layers of the controller. <value>The default value is 2.</value></summary>
    public int HiddenLayers { get; init; } = 2;

    /// <summary>Units per hidden layer. <value>The default value is 5.</value></summary>
    public int HiddenSize { get; init; } = 5;

    /// <summary>SERENE: evaluations per budget chunk, alternating exploration and exploitation. <value>The default value is 1000.</value></summary>
    public int ChunkSize { get; init; } = 1000;

    /// <summary>SERENE: population of an emitter. <value>The default value is 6.</value></summary>
    public int EmitterPopulation { get; init; } = 6;

    /// <summary>SERENE: generations a candidate emitter is evaluated for before it is kept or dropped. <value>The default value is 6.</value></summary>
    public int CandidateGenerations { get; init; } = 6;

    /// <summary>TAXONS: latent size of the autoencoder (the learned descriptor). <value>The default value is 10.</value></summary>
    public int LatentSize { get; init; } = 10;

    /// <summary>TAXONS: generations between autoencoder trainings. <value>The default value is 10.</value></summary>
    public int AutoencoderEvery { get; init; } = 10;

    /// <summary>TAXONS: epochs of each autoencoder training. <value>The default value is 10.</value></summary>
    public int AutoencoderEpochs { get; init; } = 10;

    /// <summary>Checks every value; a message per wrong one.</summary>
    public IReadOnlyList<string> Validate()
    {
        var e = new List<string>();
        if (PopulationSize is < 2 or > 100_000) e.Add($"qd.population_size is {PopulationSize}; give 2 to 100000");
        if (OffspringPerParent is < 1 or > 100) e.Add($"qd.offspring_per_parent is {OffspringPerParent}; give 1 to 100");
        if (!(MutationSigma > 0 && MutationSigma <= 100)) e.Add($"qd.mutation_sigma is {MutationSigma}; give a positive number up to 100");
        if (!(GenomeLimit > 0 && GenomeLimit <= 1e6)) e.Add($"qd.genome_limit is {GenomeLimit}; give a positive number");
        if (NoveltyK is < 1 or > 10_000) e.Add($"qd.novelty_k is {NoveltyK}; give 1 to 10000");
        if (ArchiveAddPerGeneration < 0 || ArchiveAddPerGeneration > PopulationSize * OffspringPerParent)
            e.Add($"qd.archive_add is {ArchiveAddPerGeneration}; give 0 to the offspring per generation ({PopulationSize * OffspringPerParent})");
        if (HiddenLayers is < 0 or > 8) e.Add($"qd.hidden_layers is {HiddenLayers}; give 0 to 8");
        if (HiddenSize is < 1 or > 1024) e.Add($"qd.hidden_size is {HiddenSize}; give 1 to 1024");
        if (ChunkSize < 10) e.Add($"qd.chunk_size is {ChunkSize}; give at least 10");
        if (EmitterPopulation is < 2 or > 1000) e.Add($"qd.emitter_population is {EmitterPopulation}; give 2 to 1000");
        if (CandidateGenerations is < 6 or > 1000) e.Add($"qd.candidate_generations is {CandidateGenerations}; give 6 to 1000 (the improvement compares the first and last 3)");
        if (LatentSize is < 1 or > 1024) e.Add($"qd.latent_size is {LatentSize}; give 1 to 1024");
        if (AutoencoderEvery < 1) e.Add($"qd.autoencoder_every is {AutoencoderEvery}; give at least 1");
        if (AutoencoderEpochs is < 1 or > 10_000) e.Add($"qd.autoencoder_epochs is {AutoencoderEpochs}; give 1 to 10000");
        return e;
    }
}
