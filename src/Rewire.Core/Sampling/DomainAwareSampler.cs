using System.Text.Json.Nodes;
using Rewire.Core.Rewards;

namespace Rewire.Core.Sampling;

/// <summary>Options of <see cref="DomainAwareSampler"/> (defaults from RuleReasoner's code, spec T10).</summary>
public sealed record DomainAwareOptions
{
    /// <summary>K: update batches kept in the reward buffer. <value>The default value is 4.</value></summary>
    public int BufferSize { get; init; } = 4;

    /// <summary>Decay α_k of the k-th most recent batch: harmonic 1/(k+1) or geometric 0.5^k. <value>The default value is harmonic.</value></summary>
    public DomainDecay Decay { get; init; } = DomainDecay.Harmonic;

    /// <summary>r_base, the reward a fitted domain reaches. <value>The default value is 1.0.</value></summary>
    public double TargetRewardBase { get; init; } = 1.0;

    /// <summary>ε added to every under-fit value before the softmax. <value>The default value is 0.1.</value></summary>
    public double Epsilon { get; init; } = 0.1;

    /// <summary>τ, the softmax temperature. <value>The default value is 0.3.</value></summary>
    public double Temperature { get; init; } = 0.3;

    /// <summary>Steps between weight updates (only every such step's batch enters the buffer). <value>The default value is 8.</value></summary>
    public int WeightUpdateSteps { get; init; } = 8;

    /// <summary>The reward-history form: the decayed buffer (<c>compute_weights</c>) or the EWMA (<c>compute_weights_v2</c>). <value>The default value is buffer.</value></summary>
    public DomainUpdate Update { get; init; } = DomainUpdate.Buffer;

    /// <summary>α of the EWMA variant. <value>The default value is 0.5.</value></summary>
    public double EwmaAlpha { get; init; } = 0.5;

    /// <summary>
    /// Divide the target by the number of batches present rather than by K (the code divides by K, which biases early
    /// targets low while the buffer fills). <value>The default value is true.</value>
    /// </summary>
    public bool NormalizeTargetByAvailable { get; init; } = true;

    /// <summary>The per-rollout reward used: correctness (the code's "correctness reward") or the scalar reward. <value>The default value is accuracy.</value></summary>
    public FilterMetric Signal { get; init; } = FilterMetric.Accuracy;

    /// <summary>Initial weights: average (uniform) or proportional to 1/sqrt(|D_d|). <value>The default value is average.</value></summary>
    public DomainInit InitWeights { get; init; } = DomainInit.Average;

    internal void Validate(string name)
    {
        SamplerSupport.Require(BufferSize >= 1, name, "buffer_size", BufferSize, "an integer >= 1");
        SamplerSupport.Require(Temperature > 0 && double.IsFinite(Temperature), name, "temperature", Temperature, "a positive finite number");
        SamplerSupport.Require(double.IsFinite(Epsilon), name, "epsilon", Epsilon, "a finite number");
        SamplerSupport.Require(double.IsFinite(TargetRewardBase), name, "target_reward_base", TargetRewardBase, "a finite number");
        SamplerSupport.Require(WeightUpdateSteps >= 1, name, "weight_update_steps", WeightUpdateSteps, "an integer >= 1");
        SamplerSupport.Require(EwmaAlpha is >= 0 and < 1, name, "ewma_alpha", EwmaAlpha, "[0, 1)");
    }
}

/// <summary>Decay of older batches in the reward buffer.</summary>
public enum DomainDecay
{
    /// <summary>α_k = 1/(k+1) for the k-th most recent batch (k = 0 is the newest).</summary>
    Harmonic,
    /// <summary>α_k = 0.5^k for the k-th most recent batch.</summary>
    Geometric,
}

/// <summary>Reward-history form of domain-aware sampling.</summary>
public enum DomainUpdate
{
    /// <summary>The decayed buffer of the last K update batches (RuleReasoner's <c>compute_weights</c>).</summary>
    Buffer,
    /// <summary>An exponentially weighted moving average of each domain's reward (RuleReasoner's <c>compute_weights_v2</c>).</summary>
    Ewma,
}

/// <summary>Initial domain weights.</summary>
public enum DomainInit
{
    /// <summary>Every domain starts with the same weight.</summary>
    Average,
    /// <summary>Each domain starts with a weight proportional to 1/sqrt(|D_d|), its prompt count's inverse square root.</summary>
    InverseSqrtSize,
}

/// <summary>
/// RuleReasoner's domain-aware dynamic sampling, DADS [T10] ("RuleReasoner: Reinforced Rule-based Reasoning via Domain-aware
/// Dynamic Sampling", arXiv 2506.08672). Decayed domain reward r̄_d = Σ_k α_k Σ_{samples of d in batch k} r / n_d over the last
/// K update batches; target r̄* = Σ_k α_k r_base / K; under-fit v_d = max(0, r̄* − r̄_d); w_d = softmax((v_d + ε)/τ).
/// A batch of B gets ⌊B·w_d⌋ prompts of domain d, leftover slots go to the highest-weight domains; each domain's prompts are
/// read from its own shuffled order, reshuffled when exhausted. A domain absent from the history keeps its previous weight
/// (the code would drop it); the other domains share the remaining mass.
/// </summary>
public sealed class DomainAwareSampler : IPromptSampler
{
    /// <summary>The registry name, <c>domain_aware</c>.</summary>
    public const string RegistryName = "domain_aware";

    private readonly DomainAwareOptions _options;
    private readonly Dictionary<string, int> _index;
    private readonly string[] _domains;
    private readonly int[] _domainOf;
    private Xoshiro256StarStar _rng;
    private double[] _weights;
    private int[][] _orders;
    private int[] _cursors;
    private List<Sample[]> _buffer = [];
    private List<Sample> _pending = [];
    private double[] _ewma;
    private bool[] _ewmaSeen;
    private int _stepsSinceUpdate;
    private long _updates;

    /// <summary>Creates a domain-aware sampler with the initial domain weights of <see cref="DomainAwareOptions.InitWeights"/>.</summary>
    /// <param name="pool">The prompts to draw from (ids unique).</param>
    /// <param name="seed">Seed of the sampler's own random stream; the same seed and observations give the same batches.</param>
    /// <param name="options">Buffer, decay, temperature and update settings; null uses <see cref="DomainAwareOptions"/>' defaults.</param>
    public DomainAwareSampler(IReadOnlyList<Prompt> pool, ulong seed, DomainAwareOptions? options = null)
    {
        _options = options ?? new DomainAwareOptions();
        _options.Validate(RegistryName);
        _index = SamplerSupport.IndexPool(pool, RegistryName);
        Pool = pool;
        _rng = new Xoshiro256StarStar(seed);
        (_domains, _domainOf) = SamplerSupport.IndexDomains(pool);
        var m = _domains.Length;
        _orders = SamplerSupport.ShuffledDomainOrders(_domainOf, m, _rng);
        _cursors = new int[m];
        _weights = new double[m];
        if (_options.InitWeights == DomainInit.Average)
        {
            Array.Fill(_weights, 1.0 / m);
        }
        else
        {
            for (var d = 0; d < m; d++) _weights[d] = 1.0 / Math.Sqrt(_orders[d].Length);
            var s = _weights.Sum();
            for (var d = 0; d < m; d++) _weights[d] /= s;
        }
        _ewma = new double[m];
        _ewmaSeen = new bool[m];
    }

    /// <inheritdoc />
    public string Name => RegistryName;
    /// <inheritdoc />
    public IReadOnlyList<Prompt> Pool { get; }

    /// <summary>Domains in order of first appearance in the pool.</summary>
    public IReadOnlyList<string> Domains => _domains;

    /// <summary>Current sampling weight per domain (sums to 1, all positive); log as <c>train/domain_weights/&lt;d&gt;</c>.</summary>
    public IReadOnlyDictionary<string, double> Weights => _domains.Select((d, i) => (d, i)).ToDictionary(t => t.d, t => _weights[t.i]);

    /// <summary>Weight updates made so far.</summary>
    public long Updates => _updates;

    /// <summary>Decay factor α_k of the k-th most recent buffered batch.</summary>
    public double DecayFactor(int k) => _options.Decay == DomainDecay.Harmonic ? 1.0 / (k + 1) : Math.Pow(0.5, k);

    /// <inheritdoc />
    public IReadOnlyList<Prompt> Next(int batchSize)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "the batch size must be positive.");
        if (batchSize < _domains.Length)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"domain-aware sampling shares each batch across {_domains.Length} domains; with fewer slots than domains the lowest-ranked domains would never be sampled, so use a batch of at least {_domains.Length} prompts.");
        if (_pending.Count > 0)
        {
            _stepsSinceUpdate++;
            if (_stepsSinceUpdate >= _options.WeightUpdateSteps)
            {
                PushAndUpdate(_pending.ToArray());
                _stepsSinceUpdate = 0;
            }
            _pending.Clear();
        }
        var counts = Allocate(_weights, batchSize);
        return SamplerSupport.DrawByDomain(Pool, _orders, _cursors, counts, _rng, batchSize);
    }

    /// <summary>Splits <paramref name="batchSize"/> into ⌊B·w_d⌋ per domain, leftover slots to the highest weights (ties: domain order).</summary>
    public static int[] Allocate(IReadOnlyList<double> weights, int batchSize)
    {
        var m = weights.Count;
        var counts = new int[m];
        var used = 0;
        for (var d = 0; d < m; d++)
        {
            counts[d] = (int)Math.Floor(batchSize * weights[d] + 1e-9);
            used += counts[d];
        }
        var byWeight = Enumerable.Range(0, m).OrderByDescending(d => weights[d]).ThenBy(d => d).ToArray();
        for (var i = 0; used < batchSize; i = (i + 1) % m, used++) counts[byWeight[i]]++;
        while (used > batchSize)
        {
            var d = byWeight.Last(x => counts[x] > 0);
            counts[d]--;
            used--;
        }
        return counts;
    }

    /// <inheritdoc />
    public void Observe(IReadOnlyList<GroupOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        foreach (var o in outcomes)
        {
            var d = _domainOf[SamplerSupport.Lookup(_index, o.Prompt, RegistryName)];
            for (var i = 0; i < o.Size; i++)
            {
                var r = _options.Signal == FilterMetric.Accuracy
                    ? (o.Correct is not null ? (o.Correct[i] ? 1.0 : 0.0) : (o.Rewards[i] > 0 ? 1.0 : 0.0))
                    : o.Rewards[i];
                _pending.Add(new Sample(d, r));
            }
        }
    }

    /// <summary>Applies one update batch immediately (what <see cref="Next"/> does every weight_update_steps steps).</summary>
    public void PushAndUpdate(IReadOnlyList<Sample> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        foreach (var s in batch)
        {
            if (s.Domain < 0 || s.Domain >= _domains.Length)
                throw new ArgumentOutOfRangeException(nameof(batch), s.Domain, $"domain index must be in 0..{_domains.Length - 1}.");
        }
        var m = _domains.Length;
        var under = new double[m];
        var present = new bool[m];
        if (_options.Update == DomainUpdate.Buffer)
        {
            _buffer.Insert(0, batch.ToArray());
            if (_buffer.Count > _options.BufferSize) _buffer.RemoveAt(_buffer.Count - 1);
            var num = new double[m];
            var cnt = new int[m];
            for (var k = 0; k < _buffer.Count; k++)
            {
                var a = DecayFactor(k);
                foreach (var s in _buffer[k])
                {
                    num[s.Domain] += a * s.Reward;
                    cnt[s.Domain]++;
                }
            }
            var batches = _options.NormalizeTargetByAvailable ? _buffer.Count : _options.BufferSize;
            var target = 0.0;
            for (var k = 0; k < batches; k++) target += DecayFactor(k) * _options.TargetRewardBase;
            target /= batches;
            for (var d = 0; d < m; d++)
            {
                if (cnt[d] == 0) continue;
                present[d] = true;
                under[d] = Math.Max(0, target - num[d] / cnt[d]);
            }
        }
        else
        {
            var num = new double[m];
            var cnt = new int[m];
            foreach (var s in batch)
            {
                num[s.Domain] += s.Reward;
                cnt[s.Domain]++;
            }
            for (var d = 0; d < m; d++)
            {
                if (cnt[d] > 0)
                {
                    var mean = num[d] / cnt[d];
                    _ewma[d] = _ewmaSeen[d] ? _options.EwmaAlpha * _ewma[d] + (1 - _options.EwmaAlpha) * mean : mean;
                    _ewmaSeen[d] = true;
                }
                if (!_ewmaSeen[d]) continue;
                present[d] = true;
                under[d] = Math.Max(0, _options.TargetRewardBase - _ewma[d]);
            }
        }
        _weights = Reweight(_weights, under, present, _options.Epsilon, _options.Temperature);
        _updates++;
    }

    /// <summary>softmax((v + ε)/τ) over present domains, scaled into the mass absent domains leave (absent keep their weight).</summary>
    public static double[] Reweight(IReadOnlyList<double> previous, IReadOnlyList<double> underfit, IReadOnlyList<bool> present, double epsilon, double temperature)
    {
        var m = previous.Count;
        var next = new double[m];
        var absentMass = 0.0;
        var max = double.NegativeInfinity;
        for (var d = 0; d < m; d++)
        {
            if (!present[d]) absentMass += previous[d];
            else max = Math.Max(max, (underfit[d] + epsilon) / temperature);
        }
        if (double.IsNegativeInfinity(max))
        {
            for (var d = 0; d < m; d++) next[d] = previous[d];
            return next;
        }
        var z = 0.0;
        for (var d = 0; d < m; d++)
        {
            if (!present[d]) continue;
            next[d] = Math.Exp((underfit[d] + epsilon) / temperature - max);
            z += next[d];
        }
        for (var d = 0; d < m; d++) next[d] = present[d] ? next[d] / z * (1 - absentMass) : previous[d];
        return next;
    }

    /// <summary>One rollout's reward for a domain (by index into <see cref="Domains"/>).</summary>
    public readonly record struct Sample(int Domain, double Reward);

    /// <inheritdoc />
    public JsonObject SaveState() =>
        SamplerSupport.WriteState(RegistryName, Pool, new State
        {
            Rng = _rng.SaveState(),
            Weights = (double[])_weights.Clone(),
            Orders = _orders.Select(o => (int[])o.Clone()).ToArray(),
            Cursors = (int[])_cursors.Clone(),
            BufferDomains = _buffer.Select(b => b.Select(s => s.Domain).ToArray()).ToArray(),
            BufferRewards = _buffer.Select(b => b.Select(s => s.Reward).ToArray()).ToArray(),
            PendingDomains = _pending.Select(s => s.Domain).ToArray(),
            PendingRewards = _pending.Select(s => s.Reward).ToArray(),
            Ewma = (double[])_ewma.Clone(),
            EwmaSeen = (bool[])_ewmaSeen.Clone(),
            StepsSinceUpdate = _stepsSinceUpdate,
            Updates = _updates,
        });

    /// <inheritdoc />
    public void RestoreState(JsonObject state)
    {
        var s = SamplerSupport.ReadState<State>(state, RegistryName, Pool);
        var m = _domains.Length;
        SamplerSupport.CheckLength(s.Weights, m, "weights", RegistryName);
        SamplerSupport.CheckLength(s.Orders, m, "orders", RegistryName);
        SamplerSupport.CheckLength(s.Cursors, m, "cursors", RegistryName);
        SamplerSupport.CheckLength(s.Ewma, m, "ewma", RegistryName);
        SamplerSupport.CheckLength(s.EwmaSeen, m, "ewma_seen", RegistryName);
        for (var d = 0; d < m; d++) SamplerSupport.CheckLength(s.Orders[d], _orders[d].Length, $"orders[{d}]", RegistryName);
        if (s.BufferDomains.Length != s.BufferRewards.Length || s.PendingDomains.Length != s.PendingRewards.Length)
            throw new ArgumentException("the saved state of 'domain_aware' has mismatched buffer arrays; restore an unmodified saved state.");
        _rng = Xoshiro256StarStar.Restore(s.Rng);
        _weights = s.Weights;
        _orders = s.Orders;
        _cursors = s.Cursors;
        _buffer = s.BufferDomains.Select((ds, k) => ds.Select((d, i) => new Sample(d, s.BufferRewards[k][i])).ToArray()).ToList();
        _pending = s.PendingDomains.Select((d, i) => new Sample(d, s.PendingRewards[i])).ToList();
        _ewma = s.Ewma;
        _ewmaSeen = s.EwmaSeen;
        _stepsSinceUpdate = s.StepsSinceUpdate;
        _updates = s.Updates;
    }

    private sealed class State
    {
        public string Rng { get; set; } = "";
        public double[] Weights { get; set; } = [];
        public int[][] Orders { get; set; } = [];
        public int[] Cursors { get; set; } = [];
        public int[][] BufferDomains { get; set; } = [];
        public double[][] BufferRewards { get; set; } = [];
        public int[] PendingDomains { get; set; } = [];
        public double[] PendingRewards { get; set; } = [];
        public double[] Ewma { get; set; } = [];
        public bool[] EwmaSeen { get; set; } = [];
        public int StepsSinceUpdate { get; set; }
        public long Updates { get; set; }
    }
}
