using System.Text.Json.Nodes;
using Rewire.Core.Rewards;

namespace Rewire.Core.Sampling;

/// <summary>Options of <see cref="UniformSampler"/>.</summary>
public sealed record UniformOptions
{
    /// <summary>Draw with replacement (independent uniform draws). <value>The default value is false (epoch-wise shuffles).</value></summary>
    public bool Replacement { get; init; }

    /// <summary>Without replacement: the number of passes over the pool after which <c>Next</c> fails; null means unlimited. <value>The default value is null.</value></summary>
    public int? MaxEpochs { get; init; }

    internal void Validate(string name) =>
        SamplerSupport.Require(MaxEpochs is null or > 0, name, "max_epochs", MaxEpochs, "a positive number of epochs, or null for unlimited");
}

/// <summary>
/// Uniform prompt sampling, the baseline every other sampler is measured against.
/// Without replacement the pool is reshuffled at every epoch and read in order (a batch may straddle two epochs);
/// with replacement each slot is an independent uniform draw: P(x) = 1/N.
/// </summary>
public sealed class UniformSampler : IPromptSampler
{
    /// <summary>The registry name, <c>uniform</c>.</summary>
    public const string RegistryName = "uniform";

    private readonly UniformOptions _options;
    private readonly Dictionary<string, int> _index;
    private Xoshiro256StarStar _rng;
    private int[] _order;
    private int _cursor;
    private int _epoch;

    /// <summary>Creates a uniform sampler over a shuffled order of <paramref name="pool"/>.</summary>
    /// <param name="pool">The prompts to draw from (ids unique).</param>
    /// <param name="seed">Seed of the sampler's own random stream; the same seed and observations give the same batches.</param>
    /// <param name="options">With or without replacement; null uses <see cref="UniformOptions"/>' defaults.</param>
    public UniformSampler(IReadOnlyList<Prompt> pool, ulong seed, UniformOptions? options = null)
    {
        _options = options ?? new UniformOptions();
        _options.Validate(RegistryName);
        _index = SamplerSupport.IndexPool(pool, RegistryName);
        Pool = pool;
        _rng = new Xoshiro256StarStar(seed);
        _order = Enumerable.Range(0, pool.Count).ToArray();
        _rng.Shuffle(_order.AsSpan());
    }

    /// <inheritdoc />
    public string Name => RegistryName;
    /// <inheritdoc />
    public IReadOnlyList<Prompt> Pool { get; }

    /// <summary>Completed passes over the pool (without replacement).</summary>
    public int Epoch => _epoch;

    /// <inheritdoc />
    public IReadOnlyList<Prompt> Next(int batchSize)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "the batch size must be positive.");
        var batch = new Prompt[batchSize];
        if (_options.Replacement)
        {
            for (var i = 0; i < batchSize; i++) batch[i] = Pool[_rng.NextInt(Pool.Count)];
            return batch;
        }
        for (var i = 0; i < batchSize; i++)
        {
            if (_cursor == _order.Length)
            {
                if (_options.MaxEpochs is int max && _epoch + 1 >= max)
                    throw new InvalidOperationException($"the uniform sampler has used all {max} epochs of its {Pool.Count} prompts; raise max_epochs or stop training.");
                _epoch++;
                _cursor = 0;
                _rng.Shuffle(_order.AsSpan());
            }
            batch[i] = Pool[_order[_cursor++]];
        }
        return batch;
    }

    /// <inheritdoc />
    public void Observe(IReadOnlyList<GroupOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        foreach (var o in outcomes) SamplerSupport.Lookup(_index, o.Prompt, RegistryName);
    }

    /// <inheritdoc />
    public JsonObject SaveState() =>
        SamplerSupport.WriteState(RegistryName, Pool, new State { Rng = _rng.SaveState(), Order = (int[])_order.Clone(), Cursor = _cursor, Epoch = _epoch });

    /// <inheritdoc />
    public void RestoreState(JsonObject state)
    {
        var s = SamplerSupport.ReadState<State>(state, RegistryName, Pool);
        SamplerSupport.CheckLength(s.Order, Pool.Count, "order", RegistryName);
        _rng = Xoshiro256StarStar.Restore(s.Rng);
        _order = s.Order;
        _cursor = s.Cursor;
        _epoch = s.Epoch;
    }

    private sealed class State
    {
        public string Rng { get; set; } = "";
        public int[] Order { get; set; } = [];
        public int Cursor { get; set; }
        public int Epoch { get; set; }
    }
}
