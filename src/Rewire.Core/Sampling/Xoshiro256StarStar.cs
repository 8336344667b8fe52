using System.Globalization;

namespace Rewire.Core.Sampling;

/// <summary>
/// A small seedable random number generator whose complete state can be saved and restored
/// (<see cref="System.Random"/> cannot), so that a restored sampler continues exactly as the original.
/// Algorithm: xoshiro256** (Blackman and Vigna, "Scrambled linear pseudorandom number generators", 2018),
/// seeded by expanding one 64-bit seed with SplitMix64.
/// </summary>
public sealed class Xoshiro256StarStar
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Creates a generator from a 64-bit seed; the same seed always gives the same stream.</summary>
    public Xoshiro256StarStar(ulong seed)
    {
        var sm = seed;
        _s0 = SplitMix64(ref sm);
        _s1 = SplitMix64(ref sm);
        _s2 = SplitMix64(ref sm);
        _s3 = SplitMix64(ref sm);
    }

    private Xoshiro256StarStar(ulong s0, ulong s1, ulong s2, ulong s3)
    {
        if ((s0 | s1 | s2 | s3) == 0)
            throw new ArgumentException("xoshiro256** state must not be all zero; save the state with SaveState() and restore that string.");
        (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);
    }

    /// <summary>One step of SplitMix64 (used to expand seeds and to derive independent child seeds).</summary>
    public static ulong SplitMix64(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        var z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Derives the seed of an independent stream number <paramref name="stream"/> from a master seed.</summary>
    public static ulong Derive(ulong masterSeed, ulong stream)
    {
        var s = masterSeed ^ (stream * 0xD1B54A32D192ED03UL);
        SplitMix64(ref s);
        return SplitMix64(ref s);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A double uniform on [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>An integer uniform on [0, <paramref name="maxExclusive"/>), without modulo bias (Lemire's method).</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0)
            throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "the upper bound must be positive.");
        var range = (ulong)maxExclusive;
        var m = Math.BigMul(NextUInt64(), range, out var low);
        if (low < range)
        {
            var threshold = (0UL - range) % range;
            while (low < threshold)
                m = Math.BigMul(NextUInt64(), range, out low);
        }
        return (int)m;
    }

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool NextBernoulli(double p) => NextDouble() < p;

    /// <summary>A standard normal draw (Box-Muller; one draw per call so the state stays four words).</summary>
    public double NextGaussian()
    {
        double u1;
        do u1 = NextDouble(); while (u1 <= double.Epsilon);
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>A Gamma(shape, 1) draw (Marsaglia and Tsang 2000; shape &lt; 1 by the boost Gamma(a+1)·U^(1/a)).</summary>
    public double NextGamma(double shape)
    {
        if (!(shape > 0) || double.IsInfinity(shape))
            throw new ArgumentOutOfRangeException(nameof(shape), shape, "the Gamma shape must be positive and finite.");
        if (shape < 1)
        {
            double u;
            do u = NextDouble(); while (u <= double.Epsilon);
            return NextGamma(shape + 1) * Math.Pow(u, 1.0 / shape);
        }
        var d = shape - 1.0 / 3.0;
        var c = 1.0 / Math.Sqrt(9.0 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = NextGaussian();
                v = 1.0 + c * x;
            }
            while (v <= 0);
            v = v * v * v;
            var u = NextDouble();
            if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
            if (Math.Log(u) < 0.5 * x * x + d * (1.0 - v + Math.Log(v))) return d * v;
        }
    }

    /// <summary>A Beta(a, b) draw as X/(X+Y) with X ~ Gamma(a), Y ~ Gamma(b).</summary>
    public double NextBeta(double a, double b)
    {
        var x = NextGamma(a);
        var y = NextGamma(b);
        var sum = x + y;
        return sum > 0 ? x / sum : 0.5;
    }

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher-Yates).</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (var i = items.Length - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>The complete state as a string of four hexadecimal words (JSON-safe; 64-bit integers lose precision in some JSON readers).</summary>
    public string SaveState() =>
        string.Create(CultureInfo.InvariantCulture, $"{_s0:x16}:{_s1:x16}:{_s2:x16}:{_s3:x16}");

    /// <summary>Restores a generator from <see cref="SaveState"/>'s string.</summary>
    public static Xoshiro256StarStar Restore(string state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var parts = state.Split(':');
        if (parts.Length != 4)
            throw new FormatException($"RNG state '{state}' must be four 16-digit hexadecimal words separated by ':', as written by SaveState().");
        var w = new ulong[4];
        for (var i = 0; i < 4; i++)
        {
            if (!ulong.TryParse(parts[i], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out w[i]))
                throw new FormatException($"RNG state word '{parts[i]}' is not hexadecimal; restore the string written by SaveState().");
        }
        return new Xoshiro256StarStar(w[0], w[1], w[2], w[3]);
    }
}
