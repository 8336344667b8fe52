using System.Text.Json.Nodes;
using Rewire.Core.Rewards;

namespace Rewire.Core.Sampling;

/// <summary>Options of <see cref="DapoSampler"/> (defaults from the verl DAPO recipe, spec T03).</summary>
public sealed record DapoOptions
{
    /// <summary>Prompts generated per round as a multiple of the batch size (verl <c>gen_batch_size / train_batch_size</c>). <value>The default value is 3.0.</value></summary>
    public double OversampleFactor { get; init; } = 3.0;

    /// <summary>Most generation rounds per training batch (verl <c>max_num_gen_batches</c>). <value>The default value is 10.</value></summary>
    public int MaxRounds { get; init; } = 10;

    /// <summary>What decides "all equal": correctness (paper) or the final reward (verl <c>score</c>). <value>The default value is accuracy.</value></summary>
    public FilterMetric Metric { get; init; } = FilterMetric.Accuracy;

    /// <summary>Keep groups of a single rollout (verl does; they cannot have variance). <value>The default value is true.</value></summary>
    public bool KeepSingletons { get; init; } = true;

    /// <summary>What to do when the rounds run out before the batch is full. <value>The default value is partial (verl aborts; Rewire trains on the groups it kept, counted in the batch statistics).</value></summary>
    public ShortBatchPolicy WhenShort { get; init; } = ShortBatchPolicy.Partial;

    /// <summary>The registry name of the sampler that proposes the prompts of each round. <value>The default value is uniform.</value></summary>
    public string Inner { get; init; } = UniformSampler.RegistryName;

    /// <summary>Options of the inner sampler. <value>The default value is null (its defaults).</value></summary>
    public JsonObject? InnerOptions { get; init; }

    internal void Validate(string name)
    {
        SamplerSupport.Require(OversampleFactor >= 1.0 && double.IsFinite(OversampleFactor), name, "oversample_factor", OversampleFactor, "a finite number >= 1");
        SamplerSupport.Require(MaxRounds >= 1, name, "max_rounds", MaxRounds, "an integer >= 1");
        SamplerSupport.Require(Inner is not (DapoSampler.RegistryName or DotPdsSampler.RegistryName), name, "inner", Inner, "a sampler that does not filter groups itself (not dapo or dot_pds)");
    }
}

/// <summary>
/// DAPO's dynamic sampling [T03] ("DAPO: An Open-Source LLM Reinforcement Learning System at Scale", arXiv 2503.14476):
/// train only on groups with 0 &lt; |{o_i : correct}| &lt; G. Each round requests ⌈B·oversample_factor⌉ prompts from the
/// inner sampler; groups whose filter metric is the same for all rollouts are dropped; kept groups accumulate across rounds
/// until B are kept, then the batch is truncated to exactly B whole groups; after max_rounds the short-batch policy applies.
/// Driven by <see cref="DynamicBatch"/>; cumulative rounds and drops are part of the state.
/// </summary>
public sealed class DapoSampler : IPromptSampler, IGroupFilterPolicy
{
    /// <summary>The registry name, <c>dapo</c>.</summary>
    public const string RegistryName = "dapo";

    private readonly DapoOptions _options;
    private readonly IPromptSampler _inner;
    private Counters _counters = new();

    /// <summary>Wraps <paramref name="inner"/> with DAPO's dynamic-sampling filter.</summary>
    /// <param name="inner">The sampler that proposes prompts (for example uniform).</param>
    /// <param name="options">Oversampling, round limit, filter metric and short-batch policy; null uses <see cref="DapoOptions"/>' defaults.</param>
    public DapoSampler(IPromptSampler inner, DapoOptions? options = null)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _options = options ?? new DapoOptions();
        _options.Validate(RegistryName);
    }

    /// <inheritdoc />
    public string Name => RegistryName;
    /// <inheritdoc />
    public IReadOnlyList<Prompt> Pool => _inner.Pool;

    /// <summary>The sampler that proposes prompts.</summary>
    public IPromptSampler Inner => _inner;

    /// <summary>Totals since the start: batches, rounds, generated, dropped and surplus groups.</summary>
    public (long Batches, long Rounds, long Generated, long Dropped, long Surplus) Totals =>
        (_counters.Batches, _counters.Rounds, _counters.Generated, _counters.Dropped, _counters.Surplus);

    /// <inheritdoc />
    public int MaxRounds => _options.MaxRounds;
    /// <inheritdoc />
    public ShortBatchPolicy WhenShort => _options.WhenShort;

    /// <inheritdoc />
    public int RoundSize(int batchSize, int kept, int round) => (int)Math.Ceiling(batchSize * _options.OversampleFactor - 1e-9);

    /// <inheritdoc />
    public bool Keep(GroupOutcome outcome) =>
        (outcome.Size == 1 && _options.KeepSingletons) || outcome.HasVariance(_options.Metric);

    /// <inheritdoc />
    public void BatchFinished(BatchStatistics statistics)
    {
        _counters.Batches++;
        _counters.Rounds += statistics.Rounds;
        _counters.Generated += statistics.GeneratedGroups;
        _counters.Dropped += statistics.DroppedGroups;
        _counters.Surplus += statistics.SurplusGroups;
    }

    /// <inheritdoc />
    public IReadOnlyList<Prompt> Next(int batchSize) => _inner.Next(batchSize);

    /// <inheritdoc />
    public void Observe(IReadOnlyList<GroupOutcome> outcomes) => _inner.Observe(outcomes);

    /// <inheritdoc />
    public JsonObject SaveState() =>
        SamplerSupport.WriteState(RegistryName, Pool, new State { Inner = _inner.SaveState(), Counters = _counters with { } });

    /// <inheritdoc />
    public void RestoreState(JsonObject state)
    {
        var s = SamplerSupport.ReadState<State>(state, RegistryName, Pool);
        _inner.RestoreState(s.Inner ?? throw new ArgumentException("the saved state of 'dapo' has no inner sampler state."));
        _counters = s.Counters ?? new Counters();
    }

    private sealed class State
    {
        public JsonObject? Inner { get; set; }
        public Counters? Counters { get; set; }
    }

    private sealed record Counters
    {
        public long Batches { get; set; }
        public long Rounds { get; set; }
        public long Generated { get; set; }
        public long Dropped { get; set; }
        public long Surplus { get; set; }
    }
}
