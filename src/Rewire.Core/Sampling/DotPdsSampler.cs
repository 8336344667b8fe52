using System.Text.Json.Nodes;
using Rewire.Core.Rewards;

namespace Rewire.Core.Sampling;

/// <summary>Options of <see cref="DotPdsSampler"/> (defaults from DOT's code and run script, spec T11).</summary>
public sealed record DotPdsOptions
{
    /// <summary>Steps of pass rates ρ kept for the prediction. <value>The default value is 20.</value></summary>
    public int Window { get; init; } = 20;

    /// <summary>f_min. <value>The default value is 1.2.</value></summary>
    public double MinFactor { get; init; } = 1.2;

    /// <summary>f_max (the run script uses 5.0, the class default is 3.0). <value>The default value is 5.0.</value></summary>
    public double MaxFactor { get; init; } = 5.0;

    /// <summary>The factor at the first step, before any pass rate is known. <value>The default value is 1.5.</value></summary>
    public double InitialFactor { get; init; } = 1.5;

    /// <summary>What decides "all equal". <value>The default value is reward (DOT filters on reward std).</value></summary>
    public FilterMetric Metric { get; init; } = FilterMetric.Reward;

    /// <summary>Short batches are padded with masked copies (DOT) or trained as they are. <value>The default value is pad.</value></summary>
    public ShortBatchPolicy WhenShort { get; init; } = ShortBatchPolicy.Pad;

    /// <summary>The registry name of the sampler that proposes prompts. <value>The default value is uniform.</value></summary>
    public string Inner { get; init; } = UniformSampler.RegistryName;

    /// <summary>Options of the inner sampler. <value>The default value is null.</value></summary>
    public JsonObject? InnerOptions { get; init; }

    internal void Validate(string name)
    {
        SamplerSupport.Require(Window >= 1, name, "window", Window, "an integer >= 1");
        SamplerSupport.Require(MinFactor >= 1 && double.IsFinite(MinFactor), name, "min_factor", MinFactor, "a finite number >= 1");
        SamplerSupport.Require(MaxFactor >= MinFactor && double.IsFinite(MaxFactor), name, "max_factor", MaxFactor, $"a finite number >= min_factor ({MinFactor})");
        SamplerSupport.Require(InitialFactor >= 1 && double.IsFinite(InitialFactor), name, "initial_factor", InitialFactor, "a finite number >= 1");
        SamplerSupport.Require(WhenShort != ShortBatchPolicy.Error, name, "when_short", WhenShort, "pad or partial (PDS makes one round by design)");
        SamplerSupport.Require(Inner is not (DapoSampler.RegistryName or DotPdsSampler.RegistryName), name, "inner", Inner, "a sampler that does not filter (not dapo or dot_pds)");
    }
}

/// <summary>
/// DOT's predictive dynamic sampling, PDS [T11] ("Anti-Length Shift: Dynamic Outlier Truncation for Training Efficient
/// Reasoning Models", arXiv 2601.03969): ONE generation round per batch, sized by a prediction of how many groups will be
/// informative. With ρ_t = (#groups with reward std &gt; 0) / (#prompts sampled) over the last W steps:
/// f = clip((1 / mean ρ)·(1 + std ρ), f_min, f_max) (f = f_max when mean ρ = 0; f = 1.5 at the first step); request ⌊B·f⌋
/// prompts; keep informative groups (and singletons); more than B: keep the first B; fewer: pad with copies flagged as
/// padding (train them with a zero response mask). std ρ is the population standard deviation of the window.
/// </summary>
public sealed class DotPdsSampler : IPromptSampler, IGroupFilterPolicy
{
    /// <summary>The registry name, <c>dot_pds</c>.</summary>
    public const string RegistryName = "dot_pds";

    private readonly DotPdsOptions _options;
    private readonly IPromptSampler _inner;
    private List<double> _passRates = [];

    /// <summary>Wraps <paramref name="inner"/> with DOT's single-round pass-rate-driven oversampling and zero-variance filter.</summary>
    /// <param name="inner">The sampler that proposes prompts.</param>
    /// <param name="options">Pass-rate window, filter metric and short-batch policy; null uses <see cref="DotPdsOptions"/>' defaults.</param>
    public DotPdsSampler(IPromptSampler inner, DotPdsOptions? options = null)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _options = options ?? new DotPdsOptions();
        _options.Validate(RegistryName);
    }

    /// <inheritdoc />
    public string Name => RegistryName;
    /// <inheritdoc />
    public IReadOnlyList<Prompt> Pool => _inner.Pool;
    /// <summary>Always 1: DOT generates one oversampled round and never refills.</summary>
    public int MaxRounds => 1;
    /// <inheritdoc />
    public ShortBatchPolicy WhenShort => _options.WhenShort;

    /// <summary>The pass-rate window, oldest first.</summary>
    public IReadOnlyList<double> PassRates => _passRates;

    /// <summary>The oversample factor the next batch will use (log as <c>dynamic_sampling/step_oversample_factor</c>).</summary>
    public double OversampleFactor
    {
        get
        {
            if (_passRates.Count == 0) return _options.InitialFactor;
            var mean = _passRates.Average();
            if (mean <= 0) return _options.MaxFactor;
            var variance = _passRates.Sum(r => (r - mean) * (r - mean)) / _passRates.Count;
            return Math.Clamp(1.0 / mean * (1.0 + Math.Sqrt(variance)), _options.MinFactor, _options.MaxFactor);
        }
    }

    /// <inheritdoc />
    public int RoundSize(int batchSize, int kept, int round) => Math.Max(batchSize, (int)Math.Floor(batchSize * OversampleFactor + 1e-9));

    /// <inheritdoc />
    public bool Keep(GroupOutcome outcome) => outcome.Size == 1 || outcome.HasVariance(_options.Metric);

    /// <inheritdoc />
    public void BatchFinished(BatchStatistics statistics)
    {
        if (statistics.GeneratedGroups == 0) return;
        _passRates.Add((double)(statistics.GeneratedGroups - statistics.DroppedGroups) / statistics.GeneratedGroups);
        if (_passRates.Count > _options.Window) _passRates.RemoveAt(0);
    }

    /// <inheritdoc />
    public IReadOnlyList<Prompt> Next(int batchSize) => _inner.Next(batchSize);

    /// <inheritdoc />
    public void Observe(IReadOnlyList<GroupOutcome> outcomes) => _inner.Observe(outcomes);

    /// <inheritdoc />
    public JsonObject SaveState() =>
        SamplerSupport.WriteState(RegistryName, Pool, new State { Inner = _inner.SaveState(), PassRates = _passRates.ToArray() });

    /// <inheritdoc />
    public void RestoreState(JsonObject state)
    {
        var s = SamplerSupport.ReadState<State>(state, RegistryName, Pool);
        _inner.RestoreState(s.Inner ?? throw new ArgumentException("the saved state of 'dot_pds' has no inner sampler state."));
        _passRates = [.. s.PassRates];
    }

    private sealed class State
    {
        public JsonObject? Inner { get; set; }
        public double[] PassRates { get; set; } = [];
    }
}
