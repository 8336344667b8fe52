using Rewire.Core.Sampling;

namespace Rewire.Classic.Control;

/// <summary>
/// A set of observations or actions (Gymnasium's <c>Space</c>): its shape, a uniform sample and a membership test.
/// The non-generic view is what the environment checker and the registry see; <see cref="Space{T}"/> is typed.
/// </summary>
public abstract class Space
{
    /// <summary>The shape of one element (empty for a scalar such as a discrete action).</summary>
    public abstract IReadOnlyList<int> Shape { get; }

    /// <summary>A one-line description, e.g. <c>Discrete(2)</c> or <c>Box(-1, 1, (3,))</c>.</summary>
    public abstract override string ToString();

    /// <summary>True when <paramref name="value"/> is an element of the space (false for a value of the wrong type).</summary>
    public abstract bool ContainsObject(object? value);

    /// <summary>A uniform draw, boxed.</summary>
    public abstract object SampleObject(Xoshiro256StarStar rng);
}

/// <summary>A space whose elements are <typeparamref name="T"/>.</summary>
public abstract class Space<T> : Space where T : notnull
{
    /// <summary>A uniform draw from the space.</summary>
    public abstract T Sample(Xoshiro256StarStar rng);

    /// <summary>True when <paramref name="value"/> lies in the space.</summary>
    public abstract bool Contains(T value);

    /// <inheritdoc />
    public sealed override bool ContainsObject(object? value) => value is T t && Contains(t);

    /// <inheritdoc />
    public sealed override object SampleObject(Xoshiro256StarStar rng) => Sample(rng);
}

/// <summary>The integers {0, ..., N-1} (Gymnasium's <c>Discrete(n)</c> with start 0).</summary>
public sealed class DiscreteSpace : Space<int>
{
    /// <summary>The integers 0..<paramref name="n"/>−1.</summary>
    /// <param name="n">Number of elements, at least 1.</param>
    public DiscreteSpace(int n)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "a discrete space needs at least one element.");
        N = n;
    }

    /// <summary>The number of elements.</summary>
    public int N { get; }

    /// <inheritdoc />
    public override IReadOnlyList<int> Shape => [];

    /// <inheritdoc />
    public override int Sample(Xoshiro256StarStar rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        return rng.NextInt(N);
    }

    /// <inheritdoc />
    public override bool Contains(int value) => value >= 0 && value < N;

    /// <inheritdoc />
    public override string ToString() => $"Discrete({N})";
}

/// <summary>
/// A box of float vectors, <c>Low[i] ≤ x[i] ≤ High[i]</c> (Gymnasium's <c>Box</c>, flattened to one dimension; a bound may be
/// infinite). Sampling follows Gymnasium: uniform on a bounded coordinate, exponential on a half-bounded one, standard
/// normal on an unbounded one.
/// </summary>
public sealed class BoxSpace : Space<float[]>
{
    private readonly float[] _low, _high;

    /// <summary>The box [low, high] with one bound pair per coordinate.</summary>
    /// <param name="low">Lower bound of each coordinate.</param>
    /// <param name="high">Upper bound of each coordinate; same length as <paramref name="low"/> and no smaller.</param>
    public BoxSpace(float[] low, float[] high)
    {
        ArgumentNullException.ThrowIfNull(low);
        ArgumentNullException.ThrowIfNull(high);
        if (low.Length != high.Length) throw new ArgumentException($"low has {low.Length} entries but high has {high.Length}; give both the same length.");
        if (low.Length == 0) throw new ArgumentException("a box needs at least one dimension.");
        for (int i = 0; i < low.Length; i++)
        {
            if (float.IsNaN(low[i]) || float.IsNaN(high[i])) throw new ArgumentException($"bound {i} is NaN.");
            if (low[i] > high[i]) throw new ArgumentException($"low[{i}] = {low[i]} is above high[{i}] = {high[i]}.");
        }
        _low = (float[])low.Clone();
        _high = (float[])high.Clone();
    }

    /// <summary>A box with the same bounds on every one of <paramref name="dimension"/> coordinates.</summary>
    public static BoxSpace Uniform(float low, float high, int dimension) =>
        new(Enumerable.Repeat(low, dimension).ToArray(), Enumerable.Repeat(high, dimension).ToArray());

    /// <summary>Lower bound of each coordinate.</summary>
    public IReadOnlyList<float> Low => _low;
    /// <summary>Upper bound of each coordinate.</summary>
    public IReadOnlyList<float> High => _high;

    /// <summary>The number of coordinates.</summary>
    public int Dimension => _low.Length;

    /// <inheritdoc />
    public override IReadOnlyList<int> Shape => [Dimension];

    /// <summary>True when every coordinate has finite bounds.</summary>
    public bool IsBounded => _low.All(float.IsFinite) && _high.All(float.IsFinite);

    /// <inheritdoc />
    public override float[] Sample(Xoshiro256StarStar rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var x = new float[Dimension];
        for (int i = 0; i < x.Length; i++)
        {
            bool lo = float.IsFinite(_low[i]), hi = float.IsFinite(_high[i]);
            x[i] = (lo, hi) switch
            {
                (true, true) => (float)(_low[i] + rng.NextDouble() * ((double)_high[i] - _low[i])),
                (true, false) => (float)(_low[i] - Math.Log(1 - rng.NextDouble())),
                (false, true) => (float)(_high[i] + Math.Log(1 - rng.NextDouble())),
                _ => (float)rng.NextGaussian(),
            };
            x[i] = Math.Clamp(x[i], _low[i], _high[i]);
        }
        return x;
    }

    /// <inheritdoc />
    public override bool Contains(float[] value)
    {
        if (value is null || value.Length != Dimension) return false;
        for (int i = 0; i < value.Length; i++)
            if (float.IsNaN(value[i]) || value[i] < _low[i] || value[i] > _high[i]) return false;
        return true;
    }

    /// <summary>Clips <paramref name="value"/> into the box, coordinate by coordinate (a new array).</summary>
    public float[] Clip(ReadOnlySpan<float> value)
    {
        if (value.Length != Dimension) throw new ArgumentException($"the value has {value.Length} coordinates; the box has {Dimension}.");
        var x = new float[Dimension];
        for (int i = 0; i < x.Length; i++) x[i] = Math.Clamp(value[i], _low[i], _high[i]);
        return x;
    }

    /// <inheritdoc />
    public override string ToString() =>
        _low.Distinct().Count() == 1 && _high.Distinct().Count() == 1
            ? $"Box({_low[0]}, {_high[0]}, ({Dimension},))"
            : $"Box([{string.Join(", ", _low)}], [{string.Join(", ", _high)}])";
}
