using Rewire.Core.Rewards;

namespace Rewire.Core.Sampling;

/// <summary>What one training batch cost to assemble.</summary>
/// <param name="Rounds">Generation rounds used.</param>
/// <param name="GeneratedGroups">Groups generated over all rounds.</param>
/// <param name="ZeroVarianceGroups">Generated groups whose rewards were all equal (no GRPO gradient).</param>
/// <param name="KeptGroups">Groups in the training batch (excluding padding).</param>
/// <param name="DroppedGroups">Groups the filter rejected.</param>
/// <param name="SurplusGroups">Groups the filter kept beyond the batch size (generated, then discarded).</param>
/// <param name="PaddingGroups">Copies added to fill a short batch (no gradient).</param>
/// <param name="RolloutsGenerated">Rollouts generated over all rounds.</param>
public sealed record BatchStatistics(
    int Rounds,
    int GeneratedGroups,
    int ZeroVarianceGroups,
    int KeptGroups,
    int DroppedGroups,
    int SurplusGroups,
    int PaddingGroups,
    int RolloutsGenerated);

/// <summary>A finished training batch: the kept groups, padding copies (train with a zero mask) and the statistics.</summary>
public sealed record CollectedBatch(IReadOnlyList<GroupOutcome> Groups, IReadOnlyList<GroupOutcome> Padding, BatchStatistics Statistics);

/// <summary>
/// Drives a sampler through the generate-filter-refill loop of one training batch (DAPO's dynamic sampling [T03],
/// DOT's single-round PDS [T11]); for a sampler without <see cref="IGroupFilterPolicy"/> it is one round that keeps everything.
/// The trainer owns generation: ask <see cref="NextRequest"/>, generate G rollouts per prompt, score them, hand the groups to
/// <see cref="Offer"/>, repeat until <see cref="IsComplete"/>, then take <see cref="Result"/>. Every generated group, kept or
/// dropped, is passed to the sampler's <see cref="IPromptSampler.Observe"/>.
/// </summary>
public sealed class DynamicBatch
{
    private readonly IPromptSampler _sampler;
    private readonly IGroupFilterPolicy? _filter;
    private readonly int _batchSize;
    private readonly List<GroupOutcome> _kept = [];
    private IReadOnlyList<Prompt>? _pending;
    private int _rounds, _generated, _zeroVariance, _dropped, _surplus, _rollouts;
    private CollectedBatch? _result;

    /// <summary>Starts collecting one batch of <paramref name="batchSize"/> groups from <paramref name="sampler"/>.</summary>
    /// <param name="sampler">The sampler; when it is an <see cref="IGroupFilterPolicy"/> its filter and round sizes apply.</param>
    /// <param name="batchSize">Groups (prompts) in the training batch, &gt; 0.</param>
    public DynamicBatch(IPromptSampler sampler, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        if (batchSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "the batch size (prompts per training batch) must be positive.");
        _sampler = sampler;
        _filter = sampler as IGroupFilterPolicy;
        _batchSize = batchSize;
    }

    /// <summary>True when the batch is full or the sampler's rounds are used up.</summary>
    public bool IsComplete => _kept.Count >= _batchSize || _rounds >= (_filter?.MaxRounds ?? 1);

    /// <summary>Rounds generated so far.</summary>
    public int Rounds => _rounds;

    /// <summary>The prompts to generate for in the next round.</summary>
    public IReadOnlyList<Prompt> NextRequest()
    {
        if (IsComplete) throw new InvalidOperationException("the batch is complete; take Result() instead of requesting more prompts.");
        if (_pending is not null) throw new InvalidOperationException("the previous request has not been answered; pass its groups to Offer() first.");
        var size = _filter?.RoundSize(_batchSize, _kept.Count, _rounds) ?? _batchSize;
        _pending = _sampler.Next(size);
        return _pending;
    }

    /// <summary>The groups generated for the last request, one per requested prompt, in order.</summary>
    public void Offer(IReadOnlyList<GroupOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        var pending = _pending ?? throw new InvalidOperationException("Offer() without a request; call NextRequest() first.");
        if (outcomes.Count != pending.Count)
            throw new ArgumentException($"{outcomes.Count} groups offered for {pending.Count} requested prompts; generate one group per requested prompt.", nameof(outcomes));
        for (var i = 0; i < outcomes.Count; i++)
        {
            if (outcomes[i].Prompt.Id != pending[i].Id)
                throw new ArgumentException($"group {i} answers prompt {outcomes[i].Prompt.Id} but prompt {pending[i].Id} was requested; keep the request order.", nameof(outcomes));
        }
        _pending = null;
        _rounds++;
        _sampler.Observe(outcomes);
        foreach (var g in outcomes)
        {
            _generated++;
            _rollouts += g.Size;
            if (!g.HasVariance(FilterMetric.Reward)) _zeroVariance++;
            if (_filter is not null && !_filter.Keep(g))
            {
                _dropped++;
                continue;
            }
            if (_kept.Count < _batchSize) _kept.Add(g);
            else _surplus++;
        }
        if (_filter is not null && IsComplete && _kept.Count < _batchSize && _filter.WhenShort == ShortBatchPolicy.Error)
        {
            throw new InvalidOperationException(
                $"sampler '{_sampler.Name}' kept {_kept.Count} of {_batchSize} groups after {_rounds} generation rounds " +
                $"({_dropped} of {_generated} groups dropped for equal rewards); raise the oversample factor or max_rounds, " +
                "choose when_short = partial or pad, or remove solved and unsolvable prompts from the pool.");
        }
    }

    /// <summary>The finished batch (call when <see cref="IsComplete"/>).</summary>
    public CollectedBatch Result()
    {
        if (_result is not null) return _result;
        if (!IsComplete) throw new InvalidOperationException("the batch is not complete; keep calling NextRequest() and Offer().");
        var padding = new List<GroupOutcome>();
        if (_filter?.WhenShort == ShortBatchPolicy.Pad && _kept.Count > 0)
        {
            for (var i = 0; _kept.Count + padding.Count < _batchSize; i++)
                padding.Add(_kept[i % _kept.Count]);
        }
        var stats = new BatchStatistics(_rounds, _generated, _zeroVariance, _kept.Count, _dropped, _surplus, padding.Count, _rollouts);
        _filter?.BatchFinished(stats);
        _result = new CollectedBatch(_kept.ToArray(), padding, stats);
        return _result;
    }

    /// <summary>Runs the whole loop with a generation callback (a trainer's generate-and-score, or a simulator in tests).</summary>
    public static CollectedBatch Collect(IPromptSampler sampler, int batchSize, Func<IReadOnlyList<Prompt>, IReadOnlyList<GroupOutcome>> generate)
    {
        ArgumentNullException.ThrowIfNull(generate);
        var batch = new DynamicBatch(sampler, batchSize);
        while (!batch.IsComplete) batch.Offer(generate(batch.NextRequest()));
        return batch.Result();
    }
}
