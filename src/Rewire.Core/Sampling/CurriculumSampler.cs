using System.Text.Json.Nodes;
using Rewire.Core.Rewards;

namespace Rewire.Core.Sampling;

/// <summary>Options of <see cref="CurriculumSampler"/>. The spec gives no constants for this sampler; all are design choices.</summary>
public sealed record CurriculumOptions
{
    /// <summary>Measured pass rate on the frontier level at which the next level unlocks. <value>The default value is 0.6.</value></summary>
    public double AdvanceThreshold { get; init; } = 0.6;

    /// <summary>Recent frontier groups the pass rate is measured over (and the minimum observed before advancing). <value>The default value is 32.</value></summary>
    public int Window { get; init; } = 32;

    /// <summary>Share of each batch drawn from the frontier level; the rest reviews the easier unlocked levels uniformly. <value>The default value is 0.75.</value></summary>
    public double FrontierShare { get; init; } = 0.75;

    internal void Validate(string name)
    {
        SamplerSupport.Require(AdvanceThreshold is > 0 and <= 1, name, "advance_threshold", AdvanceThreshold, "(0, 1]");
        SamplerSupport.Require(Window >= 1, name, "window", Window, "an integer >= 1");
        SamplerSupport.Require(FrontierShare is > 0 and <= 1, name, "frontier_share", FrontierShare, "(0, 1]");
    }
}

/// <summary>
/// A difficulty curriculum, easy to hard by measured pass rate (the curriculum; no paper formula, see docs/sampling.md).
/// Levels are the distinct <see cref="Prompt.Difficulty"/> values in ascending order. Training starts on the easiest level
/// (the frontier); each slot of a batch comes from the frontier with probability frontier_share, otherwise from a uniformly
/// chosen easier unlocked level. The next level unlocks once at least <c>window</c> frontier groups were observed since the
/// frontier was unlocked and their mean pass rate over the last <c>window</c> groups is ≥ advance_threshold.
/// Within a level prompts are read from a shuffled order, reshuffled when exhausted.
/// </summary>
public sealed class CurriculumSampler : IPromptSampler
{
    /// <summary>The registry name, <c>curriculum</c>.</summary>
    public const string RegistryName = "curriculum";

    private readonly CurriculumOptions _options;
    private readonly Dictionary<string, int> _index;
    private readonly int[] _levelOf;
    private readonly int[] _levelValues;
    private Xoshiro256StarStar _rng;
    private int[][] _orders;
    private int[] _cursors;
    private int _frontier;
    private List<double> _window = [];
    private long _advancedAtStep;
    private long _step;

    /// <summary>Creates a curriculum sampler that starts at the easiest difficulty level of <paramref name="pool"/>.</summary>
    /// <param name="pool">The prompts to draw from (ids unique).</param>
    /// <param name="seed">Seed of the sampler's own random stream; the same seed and observations give the same batches.</param>
    /// <param name="options">Frontier window and advance threshold; null uses <see cref="CurriculumOptions"/>' defaults.</param>
    public CurriculumSampler(IReadOnlyList<Prompt> pool, ulong seed, CurriculumOptions? options = null)
    {
        _options = options ?? new CurriculumOptions();
        _options.Validate(RegistryName);
        _index = SamplerSupport.IndexPool(pool, RegistryName);
        Pool = pool;
        _rng = new Xoshiro256StarStar(seed);
        _levelValues = pool.Select(p => p.Difficulty).Distinct().Order().ToArray();
        _levelOf = pool.Select(p => Array.BinarySearch(_levelValues, p.Difficulty)).ToArray();
        _orders = new int[_levelValues.Length][];
        for (var l = 0; l < _orders.Length; l++)
        {
            _orders[l] = Enumerable.Range(0, pool.Count).Where(i => _levelOf[i] == l).ToArray();
            _rng.Shuffle(_orders[l].AsSpan());
        }
        _cursors = new int[_orders.Length];
    }

    /// <inheritdoc />
    public string Name => RegistryName;
    /// <inheritdoc />
    public IReadOnlyList<Prompt> Pool { get; }

    /// <summary>The difficulty value of the frontier level.</summary>
    public int FrontierDifficulty => _levelValues[_frontier];

    /// <summary>Index of the frontier among the levels (0 = easiest).</summary>
    public int FrontierLevel => _frontier;

    /// <summary>The step (call of <see cref="Next"/>) at which the current frontier was unlocked.</summary>
    public long FrontierSinceStep => _advancedAtStep;

    /// <summary>Number of difficulty levels in the pool.</summary>
    public int Levels => _levelValues.Length;

    /// <summary>Mean pass rate of the recent frontier groups (NaN before any).</summary>
    public double FrontierPassRate => _window.Count == 0 ? double.NaN : _window.Average();

    /// <inheritdoc />
    public IReadOnlyList<Prompt> Next(int batchSize)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "the batch size must be positive.");
        _step++;
        var batch = new Prompt[batchSize];
        for (var i = 0; i < batchSize; i++)
        {
            var level = _frontier == 0 || _rng.NextDouble() < _options.FrontierShare ? _frontier : _rng.NextInt(_frontier);
            if (_cursors[level] == _orders[level].Length)
            {
                _rng.Shuffle(_orders[level].AsSpan());
                _cursors[level] = 0;
            }
            batch[i] = Pool[_orders[level][_cursors[level]++]];
        }
        return batch;
    }

    /// <inheritdoc />
    public void Observe(IReadOnlyList<GroupOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        foreach (var o in outcomes)
        {
            var x = SamplerSupport.Lookup(_index, o.Prompt, RegistryName);
            if (_levelOf[x] != _frontier) continue;
            _window.Add(o.PassRate);
            if (_window.Count > _options.Window) _window.RemoveAt(0);
        }
        if (_frontier + 1 < _levelValues.Length && _window.Count >= _options.Window && _window.Average() >= _options.AdvanceThreshold)
        {
            _frontier++;
            _window.Clear();
            _advancedAtStep = _step;
        }
    }

    /// <inheritdoc />
    public JsonObject SaveState() =>
        SamplerSupport.WriteState(RegistryName, Pool, new State
        {
            Rng = _rng.SaveState(),
            Orders = _orders.Select(o => (int[])o.Clone()).ToArray(),
            Cursors = (int[])_cursors.Clone(),
            Frontier = _frontier,
            Window = _window.ToArray(),
            AdvancedAtStep = _advancedAtStep,
            Step = _step,
        });

    /// <inheritdoc />
    public void RestoreState(JsonObject state)
    {
        var s = SamplerSupport.ReadState<State>(state, RegistryName, Pool);
        SamplerSupport.CheckLength(s.Orders, _orders.Length, "orders", RegistryName);
        SamplerSupport.CheckLength(s.Cursors, _orders.Length, "cursors", RegistryName);
        for (var l = 0; l < _orders.Length; l++) SamplerSupport.CheckLength(s.Orders[l], _orders[l].Length, $"orders[{l}]", RegistryName);
        if (s.Frontier < 0 || s.Frontier >= _levelValues.Length)
            throw new ArgumentException($"the saved state of 'curriculum' has frontier {s.Frontier}, outside 0..{_levelValues.Length - 1}.");
        _rng = Xoshiro256StarStar.Restore(s.Rng);
        _orders = s.Orders;
        _cursors = s.Cursors;
        _frontier = s.Frontier;
        _window = [.. s.Window];
        _advancedAtStep = s.AdvancedAtStep;
        _step = s.Step;
    }

    private sealed class State
    {
        public string Rng { get; set; } = "";
        public int[][] Orders { get; set; } = [];
        public int[] Cursors { get; set; } = [];
        public int Frontier { get; set; }
        public double[] Window { get; set; } = [];
        public long AdvancedAtStep { get; set; }
        public long Step { get; set; }
    }
}
