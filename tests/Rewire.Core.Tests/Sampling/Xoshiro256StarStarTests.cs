using FsCheck.Xunit;
using Rewire.Core.Sampling;

namespace Rewire.Core.Tests.Sampling;

public class Xoshiro256StarStarTests
{
    [Fact]
    public void SplitMix64_matches_the_reference_first_output_for_seed_zero()
    {
        ulong state = 0;
        Assert.Equal(0xE220A8397B1DCDAFUL, Xoshiro256StarStar.SplitMix64(ref state));
    }

    [Fact]
    public void Same_seed_gives_the_same_stream_and_different_seeds_differ()
    {
        var a = new Xoshiro256StarStar(42);
        var b = new Xoshiro256StarStar(42);
        var c = new Xoshiro256StarStar(43);
        var sa = Enumerable.Range(0, 100).Select(_ => a.NextUInt64()).ToArray();
        Assert.Equal(sa, Enumerable.Range(0, 100).Select(_ => b.NextUInt64()).ToArray());
        Assert.NotEqual(sa, Enumerable.Range(0, 100).Select(_ => c.NextUInt64()).ToArray());
    }

    [Property]
    public bool Saved_state_continues_the_stream_exactly(ulong seed, byte skip)
    {
        var a = new Xoshiro256StarStar(seed);
        for (var i = 0; i < skip; i++) a.NextDouble();
        var b = Xoshiro256StarStar.Restore(a.SaveState());
        return Enumerable.Range(0, 20).All(_ => a.NextUInt64() == b.NextUInt64() && a.NextBeta(0.7, 2.5) == b.NextBeta(0.7, 2.5));
    }

    [Property]
    public bool NextInt_stays_in_range(ulong seed, FsCheck.PositiveInt bound)
    {
        var r = new Xoshiro256StarStar(seed);
        return Enumerable.Range(0, 50).Select(_ => r.NextInt(bound.Get)).All(x => x >= 0 && x < bound.Get);
    }

    [Fact]
    public void Beta_and_gamma_draws_have_the_right_means()
    {
        var r = new Xoshiro256StarStar(7);
        const int n = 40_000;
        var beta = Enumerable.Range(0, n).Select(_ => r.NextBeta(2, 6)).Average();
        var gammaSmall = Enumerable.Range(0, n).Select(_ => r.NextGamma(0.5)).Average();
        var uniform = Enumerable.Range(0, n).Select(_ => r.NextDouble()).Average();
        Assert.InRange(beta, 0.25 - 0.01, 0.25 + 0.01);
        Assert.InRange(gammaSmall, 0.5 - 0.02, 0.5 + 0.02);
        Assert.InRange(uniform, 0.49, 0.51);
    }

    [Fact]
    public void Bad_state_strings_and_bounds_fail_clearly()
    {
        Assert.Contains("four", Assert.Throws<FormatException>(() => Xoshiro256StarStar.Restore("abc")).Message);
        Assert.Contains("all zero", Assert.Throws<ArgumentException>(() => Xoshiro256StarStar.Restore("0:0:0:0")).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Xoshiro256StarStar(1).NextInt(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Xoshiro256StarStar(1).NextGamma(0));
    }
}
