using System.Text.Json.Nodes;
using Rewire.Classic.QualityDiversity;

namespace Rewire.Torch.QualityDiversity;

/// <summary>
/// TAXONS ("Unsupervised Learning and Exploration of Reachable Outcome Space", Paolo, Laflaquière, Coninx, Doncieux,
/// ICRA 2020, arXiv 1909.05508; code GPaolo/taxons): novelty search whose behaviour descriptor is not designed but learned
/// by an autoencoder (<see cref="FrameAutoencoder"/>) from the final frame of each episode. Each generation selects the
/// next population either by novelty in the latent space (mean distance to the k nearest latent codes of population,
/// offspring and archive) or by surprise (the autoencoder's reconstruction error), each with probability 0.5 (the
/// NoveltySurprise optimiser). The autoencoder is trained on the frames of population and archive after the first
/// population and then every <see cref="QdOptions.AutoencoderEvery"/> generations, and every latent descriptor is
/// recomputed after each training. Coverage is still measured on the hand-designed grid, which TAXONS never sees.
/// </summary>
public sealed class Taxons : NoveltySearch, IDisposable
{
    private readonly LearnedDescriptor _learned;
    private bool _surpriseThisGeneration;

    /// <summary>Creates TAXONS with a fresh autoencoder sized to the evaluator's frames.</summary>
    /// <param name="evaluator">Runs a genome's episode and renders its final frame.</param>
    /// <param name="options">Population, archive, latent size and autoencoder schedule.</param>
    /// <param name="budget">Total number of evaluations allowed.</param>
    /// <param name="seed">Seed of the search and of the autoencoder.</param>
    public Taxons(EpisodeEvaluator evaluator, QdOptions options, long budget, int seed) : base(evaluator, options, budget, seed)
    {
        _learned = new LearnedDescriptor(evaluator.Space, evaluator.Controller.Inputs, options.LatentSize, unchecked((uint)seed * 2654435761L + 17));
    }

    /// <inheritdoc />
    public override string Name => "taxons";

    /// <summary>The autoencoder that learns the behaviour descriptor.</summary>
    public FrameAutoencoder Autoencoder => _learned.Autoencoder;

    /// <inheritdoc />
    protected override double[] DescriptorOf(Evaluation e) => _learned.Latent(e);

    /// <inheritdoc />
    protected override IReadOnlyDictionary<string, double> StepCore()
    {
        bool initial = Population.Count == 0;
        if (!initial) _surpriseThisGeneration = Rng.NextDouble() < 0.5;
        var metrics = new Dictionary<string, double>(NoveltyGeneration(Remaining));
        if (initial || Generation % Options.AutoencoderEvery == 0) TrainAutoencoder();
        metrics["selected_by_surprise"] = !initial && _surpriseThisGeneration ? 1 : 0;
        metrics["autoencoder_loss"] = _learned.LastLoss;
        return metrics;
    }

    /// <inheritdoc />
    protected override double[] SelectionScores(IReadOnlyList<Evaluation> candidates, List<double[]> reference) =>
        _surpriseThisGeneration ? candidates.Select(_learned.Surprise).ToArray() : base.SelectionScores(candidates, reference);

    private void TrainAutoencoder() =>
        _learned.Train(Population.Concat(NoveltyArchive), Options.AutoencoderEpochs, order => Rng.Shuffle(order.AsSpan()));

    /// <inheritdoc />
    protected override JsonObject SaveCore()
    {
        var o = base.SaveCore();
        _learned.Save(o);
        return o;
    }

    /// <inheritdoc />
    protected override void RestoreCore(JsonObject state)
    {
        base.RestoreCore(state);
        _learned.Restore(state, "TAXONS");
    }

    /// <inheritdoc />
    public void Dispose() => _learned.Dispose();
}
