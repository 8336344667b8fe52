using System.Text.Json.Nodes;
using Rewire.Core.Rewards;

namespace Rewire.Core.Sampling;

/// <summary>How RECAP turns convergence and instability into a priority (both RECONSTRUCTED forms, spec R05).</summary>
public enum RecapPriority
{
    /// <summary>u_k = v_k / (c_k + ε).</summary>
    Ratio,
    /// <summary>u_k = ṽ_k + (1 − c̃_k) with ṽ, c̃ min-max normalised across objectives.</summary>
    Normalized,
}

/// <summary>Options of RECAP's re-weighting. RECONSTRUCTED (spec R05): every constant and the functional form are configurable.</summary>
public sealed record RecapOptions
{
    /// <summary>W: steps of history per objective; uniform weights until W are collected. <value>The default value is 10.</value></summary>
    public int Window { get; init; } = 10;

    /// <summary>ε in the convergence, instability and priority ratios. <value>The default value is 0.01.</value></summary>
    public double Epsilon { get; init; } = 0.01;

    /// <summary>T, the softmax temperature. <value>The default value is 1.</value></summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>The priority form. <value>The default value is ratio.</value></summary>
    public RecapPriority Priority { get; init; } = RecapPriority.Ratio;

    /// <summary>For <see cref="RecapSampler"/>: the per-domain signal, mean correctness or mean reward. <value>The default value is accuracy.</value></summary>
    public FilterMetric Signal { get; init; } = FilterMetric.Accuracy;

    internal void Validate(string name)
    {
        SamplerSupport.Require(Window >= 2, name, "window", Window, "an integer >= 2 (it is split into two halves)");
        SamplerSupport.Require(Epsilon > 0 && double.IsFinite(Epsilon), name, "epsilon", Epsilon, "a positive finite number");
        SamplerSupport.Require(Temperature > 0 && double.IsFinite(Temperature), name, "temperature", Temperature, "a positive finite number");
    }
}

/// <summary>
/// RECAP's dynamic objective re-weighting [R05] ("Beyond Reasoning Gains: Mitigating General Capabilities Forgetting in Large
/// Reasoning Models", arXiv 2510.21978). RECONSTRUCTED formulas (only the mechanism is published), per objective k over the
/// last W values h_k (higher is better; flip the sign of losses):
/// convergence c_k = |mean(second half) − mean(first half)| / (|mean(first half)| + ε);
/// instability v_k = std(window) / (|mean(window)| + ε);
/// priority u_k = v_k / (c_k + ε) (or ṽ_k + 1 − c̃_k); weights w_k = K·softmax(u/T)_k, summing to K; w = 1 before W steps.
/// Use the weights for the loss L = Σ w_k L_k, or (<see cref="RecapSampler"/>) to share replay batches across objectives.
/// </summary>
public sealed class RecapObjectiveWeights
{
    private readonly RecapOptions _options;
    private readonly List<double>[] _history;

    /// <summary>Creates the weights of <paramref name="objectives"/> objectives, all 1 until the history window fills.</summary>
    /// <param name="objectives">K, the number of objectives (≥ 1).</param>
    /// <param name="options">Window, ε, temperature and priority form; null uses <see cref="RecapOptions"/>' defaults.</param>
    public RecapObjectiveWeights(int objectives, RecapOptions? options = null)
    {
        if (objectives < 1) throw new ArgumentOutOfRangeException(nameof(objectives), objectives, "RECAP needs at least one objective.");
        _options = options ?? new RecapOptions();
        _options.Validate("recap");
        _history = Enumerable.Range(0, objectives).Select(_ => new List<double>()).ToArray();
    }

    /// <summary>Number of objectives K.</summary>
    public int Objectives => _history.Length;

    /// <summary>The retained history per objective (at most W values each, oldest first).</summary>
    public IReadOnlyList<IReadOnlyList<double>> History => _history;

    /// <summary>Appends one step's signal for objective <paramref name="k"/> (higher is better).</summary>
    public void Record(int k, double signal)
    {
        if ((uint)k >= (uint)_history.Length) throw new ArgumentOutOfRangeException(nameof(k), k, $"objective index must be in 0..{_history.Length - 1}.");
        if (!double.IsFinite(signal)) throw new ArgumentException($"RECAP signal of objective {k} is {signal}; pass a finite value (skip the step if the objective was not measured).", nameof(signal));
        _history[k].Add(signal);
        if (_history[k].Count > _options.Window) _history[k].RemoveAt(0);
    }

    /// <summary>Appends one step's signal for every objective.</summary>
    public void Record(ReadOnlySpan<double> signals)
    {
        if (signals.Length != _history.Length)
            throw new ArgumentException($"{signals.Length} signals for {_history.Length} objectives; pass one value per objective.", nameof(signals));
        for (var k = 0; k < signals.Length; k++) Record(k, signals[k]);
    }

    /// <summary>The current weights (sum K, all positive); uniform (all 1) until every objective has W values.</summary>
    public double[] Weights() => Compute(_history, _options);

    /// <summary>The weights for explicit histories (the last W values of each are used).</summary>
    public static double[] Compute(IReadOnlyList<IReadOnlyList<double>> histories, RecapOptions options)
    {
        ArgumentNullException.ThrowIfNull(histories);
        var k = histories.Count;
        var w = new double[k];
        Array.Fill(w, 1.0);
        if (k == 0 || histories.Any(h => h.Count < options.Window)) return w;
        var eps = options.Epsilon;
        var c = new double[k];
        var v = new double[k];
        for (var i = 0; i < k; i++)
        {
            var h = histories[i].Skip(histories[i].Count - options.Window).ToArray();
            var half = h.Length / 2;
            var first = h.Take(half).Average();
            var second = h.Skip(h.Length - half).Average();
            c[i] = Math.Abs(second - first) / (Math.Abs(first) + eps);
            var mean = h.Average();
            var std = Math.Sqrt(h.Sum(x => (x - mean) * (x - mean)) / h.Length);
            v[i] = std / (Math.Abs(mean) + eps);
        }
        var u = new double[k];
        if (options.Priority == RecapPriority.Ratio)
        {
            for (var i = 0; i < k; i++) u[i] = v[i] / (c[i] + eps);
        }
        else
        {
            var vn = MinMax(v);
            var cn = MinMax(c);
            for (var i = 0; i < k; i++) u[i] = vn[i] + (1 - cn[i]);
        }
        for (var i = 0; i < k; i++)
        {
            // Extreme signals can overflow the ratios; keep the ordering and stay finite.
            if (double.IsNaN(u[i])) u[i] = 0;
            else if (double.IsPositiveInfinity(u[i])) u[i] = double.MaxValue;
        }
        var max = u.Max();
        var z = 0.0;
        for (var i = 0; i < k; i++)
        {
            w[i] = Math.Exp(Math.Max(-700, (u[i] - max) / options.Temperature));
            z += w[i];
        }
        for (var i = 0; i < k; i++) w[i] = k * w[i] / z;
        return w;
    }

    private static double[] MinMax(double[] x)
    {
        var lo = x.Min();
        var hi = x.Max();
        return hi - lo <= 0 ? new double[x.Length] : x.Select(a => (a - lo) / (hi - lo)).ToArray();
    }

    internal double[][] Save() => _history.Select(h => h.ToArray()).ToArray();

    internal void Load(double[][] history)
    {
        if (history.Length != _history.Length)
            throw new ArgumentException($"the saved RECAP history has {history.Length} objectives, expected {_history.Length}.");
        for (var i = 0; i < history.Length; i++)
        {
            _history[i].Clear();
            _history[i].AddRange(history[i]);
        }
    }
}

/// <summary>
/// Replay across objectives with RECAP weights [R05]: each domain of the pool is one objective whose per-step signal is the
/// mean correctness (or reward) of its groups in that step; a batch gives domain k ⌊B·w_k/K⌋ slots, leftovers to the largest
/// weights. A domain without groups in a step repeats its last signal (none yet: it is not recorded). Steps end at <see cref="Next"/>.
/// </summary>
public sealed class RecapSampler : IPromptSampler
{
    /// <summary>The registry name, <c>recap</c>.</summary>
    public const string RegistryName = "recap";

    private readonly RecapOptions _options;
    private readonly Dictionary<string, int> _index;
    private readonly string[] _domains;
    private readonly int[] _domainOf;
    private readonly RecapObjectiveWeights _weights;
    private Xoshiro256StarStar _rng;
    private int[][] _orders;
    private int[] _cursors;
    private double[] _sum, _count, _last;
    private bool[] _hasLast;

    /// <summary>Creates a RECAP sampler that treats each domain of <paramref name="pool"/> as an objective.</summary>
    /// <param name="pool">The prompts to draw from (ids unique).</param>
    /// <param name="seed">Seed of the sampler's own random stream; the same seed and observations give the same batches.</param>
    /// <param name="options">Window, ε, temperature and priority form; null uses <see cref="RecapOptions"/>' defaults.</param>
    public RecapSampler(IReadOnlyList<Prompt> pool, ulong seed, RecapOptions? options = null)
    {
        _options = options ?? new RecapOptions();
        _options.Validate(RegistryName);
        _index = SamplerSupport.IndexPool(pool, RegistryName);
        Pool = pool;
        _rng = new Xoshiro256StarStar(seed);
        (_domains, _domainOf) = SamplerSupport.IndexDomains(pool);
        var m = _domains.Length;
        _orders = SamplerSupport.ShuffledDomainOrders(_domainOf, m, _rng);
        _cursors = new int[m];
        _weights = new RecapObjectiveWeights(m, _options);
        _sum = new double[m];
        _count = new double[m];
        _last = new double[m];
        _hasLast = new bool[m];
    }

    /// <inheritdoc />
    public string Name => RegistryName;
    /// <inheritdoc />
    public IReadOnlyList<Prompt> Pool { get; }

    /// <summary>Domains (objectives) in order of first appearance.</summary>
    public IReadOnlyList<string> Domains => _domains;

    /// <summary>The current RECAP weights per domain (sum K).</summary>
    public IReadOnlyDictionary<string, double> Weights
    {
        get
        {
            var w = _weights.Weights();
            return _domains.Select((d, i) => (d, i)).ToDictionary(t => t.d, t => w[t.i]);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<Prompt> Next(int batchSize)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "the batch size must be positive.");
        if (batchSize < _domains.Length)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"RECAP shares each batch across {_domains.Length} domains; with fewer slots than domains the lowest-ranked domains would never be sampled, so use a batch of at least {_domains.Length} prompts.");
        CloseStep();
        var w = _weights.Weights();
        var share = w.Select(x => x / w.Length).ToArray();
        var counts = DomainAwareSampler.Allocate(share, batchSize);
        return SamplerSupport.DrawByDomain(Pool, _orders, _cursors, counts, _rng, batchSize);
    }

    private void CloseStep()
    {
        if (_count.All(c => c == 0)) return;
        for (var d = 0; d < _domains.Length; d++)
        {
            if (_count[d] > 0)
            {
                _last[d] = _sum[d] / _count[d];
                _hasLast[d] = true;
            }
            if (_hasLast[d]) _weights.Record(d, _last[d]);
        }
        Array.Clear(_sum);
        Array.Clear(_count);
    }

    /// <inheritdoc />
    public void Observe(IReadOnlyList<GroupOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        foreach (var o in outcomes)
        {
            var d = _domainOf[SamplerSupport.Lookup(_index, o.Prompt, RegistryName)];
            _sum[d] += (_options.Signal == FilterMetric.Accuracy ? o.PassRate : o.MeanReward) * o.Size;
            _count[d] += o.Size;
        }
    }

    /// <inheritdoc />
    public JsonObject SaveState() =>
        SamplerSupport.WriteState(RegistryName, Pool, new State
        {
            Rng = _rng.SaveState(),
            Orders = _orders.Select(o => (int[])o.Clone()).ToArray(),
            Cursors = (int[])_cursors.Clone(),
            Sum = (double[])_sum.Clone(),
            Count = (double[])_count.Clone(),
            Last = (double[])_last.Clone(),
            HasLast = (bool[])_hasLast.Clone(),
            History = _weights.Save(),
        });

    /// <inheritdoc />
    public void RestoreState(JsonObject state)
    {
        var s = SamplerSupport.ReadState<State>(state, RegistryName, Pool);
        var m = _domains.Length;
        SamplerSupport.CheckLength(s.Orders, m, "orders", RegistryName);
        for (var d = 0; d < m; d++) SamplerSupport.CheckLength(s.Orders[d], _orders[d].Length, $"orders[{d}]", RegistryName);
        foreach (var (a, f) in new (Array, string)[] { (s.Cursors, "cursors"), (s.Sum, "sum"), (s.Count, "count"), (s.Last, "last"), (s.HasLast, "has_last"), (s.History, "history") })
            SamplerSupport.CheckLength(a, m, f, RegistryName);
        _rng = Xoshiro256StarStar.Restore(s.Rng);
        _orders = s.Orders;
        _cursors = s.Cursors;
        _sum = s.Sum;
        _count = s.Count;
        _last = s.Last;
        _hasLast = s.HasLast;
        _weights.Load(s.History);
    }

    private sealed class State
    {
        public string Rng { get; set; } = "";
        public int[][] Orders { get; set; } = [];
        public int[] Cursors { get; set; } = [];
        public double[] Sum { get; set; } = [];
        public double[] Count { get; set; } = [];
        public double[] Last { get; set; } = [];
        public bool[] HasLast { get; set; } = [];
        public double[][] History { get; set; } = [];
    }
}
