namespace Rewire.Tasks.Common;

/// <summary>Deterministic seed derivation (SplitMix64) and stable string hashing (FNV-1a), independent of the .NET version.</summary>
public static class TaskRandom
{
    /// <summary>Mixes any number of integers into one 32-bit seed for <see cref="Random"/>.</summary>
    public static int Mix(params ReadOnlySpan<long> parts)
    {
        ulong h = 0x9E3779B97F4A7C15UL;
        foreach (var p in parts) h = SplitMix(h ^ (ulong)p);
        return (int)(h & 0x7FFFFFFF);
    }

    /// <summary>One SplitMix64 step: a well-mixed 64-bit value from <paramref name="x"/> (the same on every platform and .NET version).</summary>
    public static ulong SplitMix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    /// <summary>64-bit FNV-1a of the UTF-16 code units of <paramref name="text"/>, finished with SplitMix.</summary>
    public static ulong Hash(string text)
    {
        ulong h = 0xCBF29CE484222325UL;
        foreach (var c in text)
        {
            h ^= c;
            h *= 0x100000001B3UL;
        }
        return SplitMix(h);
    }

    /// <summary>A uniformly chosen element.</summary>
    public static T Pick<T>(this Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public static bool Chance(this Random random, double p) => random.NextDouble() < p;
}
