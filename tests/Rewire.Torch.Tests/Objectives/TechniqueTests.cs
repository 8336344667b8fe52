using FsCheck.Xunit;
using Rewire.Core;
using Rewire.Torch.Objectives;
using Rewire.Torch.Objectives.Policy;
using TorchSharp;
using static Rewire.Torch.Tests.Objectives.ObjectiveTestData;
using static TorchSharp.torch;

namespace Rewire.Torch.Tests.Objectives;

/// <summary>Technique-specific invariants: DCPO bounds [T05], ETR schedule [T07], DHPO weights [T06], Clip-Cov seeding, registries.</summary>
[Collection("torch")]
public class TechniqueTests
{
    [Fact]
    public void DcpoBoundsReproduceTheReadmeNumbers()
    {
        Loaded();
        using var scope = NewDisposeScope();
        var (low, high) = DcpoObjective.Bounds(V(0.9, 0.01, 0.0), 0.16, 0.2, 10);
        var l = Flat(low); var h = Flat(high);
        Assert.Equal(0.769, l[0], 3);
        Assert.Equal(1.187, h[0], 3);
        Assert.Equal(0.5, l[1], 15);
        Assert.Equal(5.0, h[1], 12);
        Assert.Equal(0.5, l[2]);
        Assert.Equal(10.0, h[2]); // q = 0 → +∞ capped at max(c, 10)
    }

    [Property(MaxTest = 100)]
    public bool DcpoBoundsSatisfyTheVarianceIdentityAndBracketOne(byte raw)
    {
        Loaded();
        using var scope = NewDisposeScope();
        double q = (raw + 1) / 256.0;
        const double el = 0.16, eh = 0.2;
        var (low, high) = DcpoObjective.Bounds(V(q), el, eh, 1e9);
        double rl = low.item<double>(), rh = high.item<double>();
        bool identityHigh = Math.Abs((rh - 1) * rh * q - eh) < 1e-12;
        bool identityLow = 1 - 4 * el / q < 0 ? rl == 0.5 : Math.Abs((1 - rl) * rl * q - el) < 1e-12;
        return rl <= 1 && 1 <= rh && identityHigh && identityLow;
    }

    [Fact]
    public void EtrBoundsGrowWithAdvantageAndPeakAtHalfPassRate()
    {
        Loaded();
        using var scope = NewDisposeScope();
        var etr = new EtrObjective(new PolicyObjectiveOptions { Etr = new EtrOptions { LambdaMicro = 0.5, LambdaMacro = 0.5, AdvantageCap = 3 } });
        var (_, high) = etr.Bounds(V(0, 1, 2, 3, 6), V(0.5, 0.5, 0.5, 0.5, 0.5));
        var h = Flat(high);
        for (int i = 1; i < h.Length; i++) Assert.True(h[i] >= h[i - 1]);
        Assert.Equal(h[3], h[4]);                          // saturates at A_cap
        Assert.Equal(0.2 * 1.5 * 1.5, h[3], 14);
        var (lowP, highP) = etr.Bounds(V(1, 1, 1, 1, 1), V(0, 0.25, 0.5, 0.75, 1));
        var hp = Flat(highP);
        Assert.Equal(hp.Max(), hp[2]);
        Assert.Equal(hp[1], hp[3], 14);
        Assert.Equal(0.2 * (1 + 0.5 / 3), Flat(lowP)[0], 14);
        var noPass = new EtrObjective();
        var e = Assert.Throws<ArgumentException>(() => noPass.Compute(Make(1).Input() with { PassRate = null }));
        Assert.Contains("PassRate", e.Message);
    }

    [Fact]
    public void DhpoEntropyWeightIsMinMaxPerResponseAndHalfWhenConstant()
    {
        Loaded();
        using var scope = NewDisposeScope();
        var c = Make(41) with
        {
            Entropy = new double[,] { { 1, 2, 3, 4, 5 }, { 2, 2, 2, 9, 9 }, { 1, 9, 3, 5, 9 }, { 1, 1, 1, 1, 1 } },
        };
        var dhpo = new DhpoObjective(new PolicyObjectiveOptions { Dhpo = new DhpoOptions { Mixing = DhpoMixing.EntropyGuided } });
        var w = Flat(dhpo.MixingWeight(c.Input()));
        Assert.Equal(new[] { 0, 0.25, 0.5, 0.75, 1 }, w.Take(5).Select(x => Math.Round(x, 7)));
        Assert.Equal(new[] { 0.5, 0.5, 0.5 }, w.Skip(5).Take(3));   // row 1: constant over its valid tokens
        Assert.Equal(new[] { 0.0, 0.5, 1.0 }, new[] { w[10], w[12], w[13] }.Select(x => Math.Round(x, 7)));  // row 2: valid 1, 3, 5 (the 9s are masked)
        var batch = new DhpoObjective(new PolicyObjectiveOptions { Dhpo = new DhpoOptions { Mixing = DhpoMixing.EntropyGuided, EntropyScope = DhpoEntropyScope.Batch } });
        Assert.Equal(0.0, Flat(batch.MixingWeight(c.Input()))[0], 7);
        Assert.Throws<ArgumentException>(() => dhpo.Compute(c.Input() with { Entropy = null }));
    }

    [Fact]
    public void DhpoWeightCarriesNoGradientFromEntropy()
    {
        Loaded();
        using var scope = NewDisposeScope();
        var c = Make(42, spread: 0.5);
        var ent = T(c.Entropy).requires_grad_(true);
        var dhpo = new DhpoObjective(new PolicyObjectiveOptions { Dhpo = new DhpoOptions { Mixing = DhpoMixing.EntropyGuided } });
        var loss = dhpo.Compute(c.Input(T(c.LogProb).requires_grad_(true)) with { Entropy = ent }).Loss;
        loss.backward();
        Assert.True(ent.grad is null || ent.grad.abs().sum().item<double>() == 0);
    }

    [Fact]
    public void ClipCovIsReproducibleForASeed()
    {
        Loaded();
        double Run(long seed)
        {
            using var scope = NewDisposeScope();
            using var o = new ClipCovObjective(new PolicyObjectiveOptions { ClipCov = new ClipCovOptions { Ratio = 0.2, LowerBound = -10, UpperBound = 10, Seed = seed } });
            var c = Make(43, b: 8, l: 16, spread: 0.1);
            return o.Compute(c.Input()).Loss.item<double>();
        }
        Assert.Equal(Run(5), Run(5));
        var distinct = Enumerable.Range(0, 6).Select(s => Run(s)).Distinct().Count();
        Assert.True(distinct > 1, "different seeds select different token subsets");
    }

    [Fact]
    public void KlCovPenalisesExactlyTheTopCovarianceTokens()
    {
        Loaded();
        using var scope = NewDisposeScope();
        var c = Make(44, spread: 0.3);
        var r = PolicyObjectives.Create("kl_cov", new PolicyObjectiveOptions { KlCov = new KlCovOptions { Ratio = 0.25, KlCoefficient = 1.0 } }).Compute(c.Input());
        Assert.Equal(Math.Floor(11 * 0.25) / 11, r.Metrics["kl_cov_selected_fraction"], 7);
    }

    [Fact]
    public void RegistriesRefuseDuplicatesAndListValidNames()
    {
        var r = new NamedRegistry<int>("widget");
        r.Register("a", 1);
        Assert.Throws<InvalidOperationException>(() => r.Register("a", 2));
        Assert.Throws<ArgumentException>(() => r.Register(" ", 2));
        var e = Assert.Throws<KeyNotFoundException>(() => PolicyObjectives.Create("ppo2"));
        foreach (var n in new[] { "vanilla", "dapo", "gspo", "gspo_token", "dcpo", "dhpo", "etr", "grpo_n", "sapo", "gpg", "clip_cov", "kl_cov", "geo_mean", "cispo", "reinforce" })
            Assert.Contains(n, e.Message);
        Assert.Throws<InvalidOperationException>(() => PolicyObjectives.Registry.Register("vanilla", o => new PpoClipObjective(o)));
    }

    [Fact]
    public void BadInputsAreRefusedWithTheFix()
    {
        Loaded();
        using var scope = NewDisposeScope();
        var c = Make(45);
        var e = Assert.Throws<ArgumentException>(() => PolicyObjectives.Create("vanilla").Compute(c.Input() with { Advantages = torch.zeros(4, 4, dtype: ScalarType.Float64) }));
        Assert.Contains("Advantages", e.Message);
        var d = Assert.Throws<ArgumentOutOfRangeException>(() => PolicyObjectives.Create("vanilla", new PolicyObjectiveOptions { ClipRatioC = 1.0 }));
        Assert.Contains("greater than 1.0", d.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => PolicyObjectives.Create("clip_cov", new PolicyObjectiveOptions { ClipCov = new ClipCovOptions { Ratio = 0 } }));
    }
}
