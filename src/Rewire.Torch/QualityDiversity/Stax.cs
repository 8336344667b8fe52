using System.Text.Json.Nodes;
using Rewire.Classic.QualityDiversity;

namespace Rewire.Torch.QualityDiversity;

/// <summary>
/// STAX (Paolo, "Learning in Sparse Rewards settings through Quality-Diversity algorithms", thesis, arXiv 2203.01027;
/// code GPaolo/STAX, SereneTaxons): SERENE's alternation of reward-agnostic exploration chunks and reward-driven
/// exploitation emitters, run on TAXONS' learned behaviour space instead of a hand-designed descriptor. Every novelty
/// (the exploration's selection, the emitters' novelty with respect to the reward archive and to the novelty reference
/// set, the emitter choice) is measured on the latent code of an autoencoder trained on the episodes' final frames.
/// As in TAXONS, each exploration generation selects its population by latent novelty or by reconstruction error
/// (surprise), with probability 0.5 each; archive additions are random. The autoencoder starts untrained and is trained
/// after exploration chunks at a growing interval (after the 1st, then after 2 more, then 3 more, ...: the code's
/// chunk counter), on the frames of novelty archive, population, offspring and reward archive (the code's
/// train_on_reward), and every descriptor is recomputed after each training. An emitter's most-novel novelty was
/// measured in the old latent space, so a training drops it and the comparison restarts from the ancestor's novelty
/// (RECONSTRUCTED: the code re-encodes the most novel agent, which this state does not keep). The emitters themselves
/// (spawning, σ, candidates, improvement, Pareto choice, stagnation) are SERENE's (<see cref="Serene"/>).
/// </summary>
public sealed class Stax : Serene, IDisposable
{
    private readonly LearnedDescriptor _learned;
    private int _chunkCounter;
    private int _trainingInterval = 1;
    private int _surpriseGenerations;

    /// <summary>Creates STAX with empty archives, no emitters and an untrained autoencoder sized to the evaluator's frames.</summary>
    /// <param name="evaluator">Runs a genome's episode and renders its final frame.</param>
    /// <param name="options">Population, emitter, chunk and latent settings.</param>
    /// <param name="budget">Total number of evaluations allowed.</param>
    /// <param name="seed">Seed of the search and of the autoencoder.</param>
    public Stax(EpisodeEvaluator evaluator, QdOptions options, long budget, int seed) : base(evaluator, options, budget, seed) =>
        _learned = new LearnedDescriptor(evaluator.Space, evaluator.Controller.Inputs, options.LatentSize, unchecked((uint)seed * 2654435761L + 29));

    /// <inheritdoc />
    public override string Name => "stax";

    /// <summary>The autoencoder that learns the behaviour descriptor.</summary>
    public FrameAutoencoder Autoencoder => _learned.Autoencoder;

    /// <summary>The learned descriptor (for tests: training counts and sizes).</summary>
    internal LearnedDescriptor Learned => _learned;

    /// <summary>The latent descriptor every novelty of this search is measured on.</summary>
    internal double[] LatentOf(Evaluation e) => DescriptorOf(e);

    /// <summary>Exploration chunks between the last training and the next (1, 2, 3, ...).</summary>
    public int TrainingInterval => _trainingInterval;

    /// <inheritdoc />
    protected override double[] DescriptorOf(Evaluation e) => _learned.Latent(e);

    /// <summary>TAXONS' criterion, drawn every exploration generation: surprise or novelty with probability 0.5 each.</summary>
    protected override double[] SelectionScores(IReadOnlyList<Evaluation> candidates, List<double[]> reference)
    {
        if (Rng.NextDouble() < 0.5)
        {
            _surpriseGenerations++;
            return candidates.Select(_learned.Surprise).ToArray();
        }
        return base.SelectionScores(candidates, reference);
    }

    /// <summary>Counts the exploration chunk; trains the autoencoder when the count reaches the interval, which then grows by one.</summary>
    protected override void OnExplorationChunkEnd()
    {
        if (++_chunkCounter < _trainingInterval) return;
        _learned.Train(NoveltyArchive.Concat(Population).Concat(LastOffspring).Concat(RewardArchive), Options.AutoencoderEpochs,
            order => Rng.Shuffle(order.AsSpan()));
        foreach (var emitter in Emitters.Concat(Candidates)) emitter.MostNovelNovelty = null;
        _chunkCounter = 0;
        _trainingInterval++;
    }

    /// <inheritdoc />
    protected override IReadOnlyDictionary<string, double> StepCore()
    {
        int surpriseBefore = _surpriseGenerations;
        var metrics = new Dictionary<string, double>(base.StepCore())
        {
            ["autoencoder_loss"] = _learned.LastLoss,
            ["autoencoder_trainings"] = _learned.Trainings,
        };
        metrics["generations_selected_by_surprise"] = _surpriseGenerations - surpriseBefore;
        return metrics;
    }

    /// <inheritdoc />
    protected override JsonObject SaveCore()
    {
        var o = base.SaveCore();
        _learned.Save(o);
        o["chunk_counter"] = _chunkCounter;
        o["training_interval"] = _trainingInterval;
        o["surprise_generations"] = _surpriseGenerations;
        return o;
    }

    /// <inheritdoc />
    protected override void RestoreCore(JsonObject state)
    {
        base.RestoreCore(state);
        _learned.Restore(state, "STAX");
        _chunkCounter = state["chunk_counter"]!.GetValue<int>();
        _trainingInterval = state["training_interval"]!.GetValue<int>();
        _surpriseGenerations = state["surprise_generations"]!.GetValue<int>();
    }

    /// <inheritdoc />
    public void Dispose() => _learned.Dispose();
}
