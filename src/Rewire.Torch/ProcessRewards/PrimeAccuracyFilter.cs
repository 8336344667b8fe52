// PRIME's prompt filtering ("Process Reinforcement through Implicit Rewards"): each step samples oversample_factor × B
// prompts (the paper's 4× oversampling), generates K responses for each, keeps the prompts whose sampled accuracy lies
// in [low, high] (the paper's [0.2, 0.8]) and trains on the first B of them; a step with fewer trains on those it kept
// (counted in the batch statistics). Wraps the configured sampler, which still proposes the prompts and observes the
// kept groups; the wrapper itself has no state.
using System.Text.Json.Nodes;
using Rewire.Core.Rewards;
using Rewire.Core.Sampling;

namespace Rewire.Torch.ProcessRewards;

/// <summary>PRIME's accuracy-band filter over an inner sampler (see the file header).</summary>
internal sealed class PrimeAccuracyFilter : IPromptSampler, IGroupFilterPolicy
{
    private readonly IPromptSampler _inner;

    /// <summary>Filters the groups of the prompts <paramref name="inner"/> proposes.</summary>
    public PrimeAccuracyFilter(IPromptSampler inner, double low, double high, double oversampleFactor)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        if (!(low >= 0 && low <= high && high <= 1)) throw new ArgumentOutOfRangeException(nameof(low), $"PRIME's accuracy band [{low}, {high}] must satisfy 0 <= low <= high <= 1 (paper: [0.2, 0.8]).");
        if (!(oversampleFactor >= 1 && double.IsFinite(oversampleFactor))) throw new ArgumentOutOfRangeException(nameof(oversampleFactor), $"PRIME's oversample factor {oversampleFactor} must be a finite number >= 1 (paper: 4).");
        (Low, High, OversampleFactor) = (low, high, oversampleFactor);
    }

    /// <summary>Lowest kept group accuracy.</summary>
    public double Low { get; }
    /// <summary>Highest kept group accuracy.</summary>
    public double High { get; }
    /// <summary>Prompts sampled per step as a multiple of the batch size.</summary>
    public double OversampleFactor { get; }

    /// <summary>True when the share of correct rollouts of <paramref name="outcome"/> lies in [low, high].</summary>
    public static bool InBand(GroupOutcome outcome, double low, double high)
    {
        double accuracy = outcome.PassRate;
        return accuracy >= low - 1e-12 && accuracy <= high + 1e-12;
    }

    /// <inheritdoc />
    public string Name => "prime_accuracy_filter";
    /// <inheritdoc />
    public IReadOnlyList<Prompt> Pool => _inner.Pool;
    /// <inheritdoc />
    public int MaxRounds => 1;
    /// <inheritdoc />
    public ShortBatchPolicy WhenShort => ShortBatchPolicy.Partial;
    /// <inheritdoc />
    public int RoundSize(int batchSize, int kept, int round) => (int)Math.Ceiling(batchSize * OversampleFactor - 1e-9);
    /// <inheritdoc />
    public bool Keep(GroupOutcome outcome) => InBand(outcome, Low, High);
    /// <inheritdoc />
    public void BatchFinished(BatchStatistics statistics) { }
    /// <inheritdoc />
    public IReadOnlyList<Prompt> Next(int batchSize) => _inner.Next(batchSize);
    /// <inheritdoc />
    public void Observe(IReadOnlyList<GroupOutcome> outcomes) => _inner.Observe(outcomes);
    /// <inheritdoc />
    public JsonObject SaveState() => _inner.SaveState();
    /// <inheritdoc />
    public void RestoreState(JsonObject state) => _inner.RestoreState(state);
}
