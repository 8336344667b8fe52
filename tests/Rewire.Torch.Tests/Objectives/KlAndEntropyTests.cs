using FsCheck.Xunit;
using AdaptiveKlController = Rewire.Core.Kl.AdaptiveKlController;
using FixedKlController = Rewire.Core.Kl.FixedKlController;
using Rewire.Torch.Objectives;
using Rewire.Torch.Objectives.Entropy;
using Rewire.Torch.Objectives.Kl;
using Rewire.Torch.Objectives.Policy;
using TorchSharp;
using static Rewire.Torch.Tests.Objectives.ObjectiveTestData;
using static TorchSharp.torch;

namespace Rewire.Torch.Tests.Objectives;

/// <summary>KL estimators, coefficients, full KL and entropy (rlvr.md T00, T01 invariant 3).</summary>
[Collection("torch")]
public class KlAndEntropyTests
{
    [Fact]
    public void EstimatorsHandComputed()
    {
        Loaded();
        using var scope = NewDisposeScope();
        var lp = V(-1.0, -2.0, -30.0);
        var rf = V(-1.5, -1.0, -1.0);
        Assert.Equal(new[] { 0.5, -1.0, -29.0 }, Flat(KlEstimators.Get("k1").Compute(lp, rf)));
        Assert.Equal(new[] { 0.5, 1.0, 29.0 }, Flat(KlEstimators.Get("abs").Compute(lp, rf)));
        Assert.Equal(new[] { 0.125, 0.5, 420.5 }, Flat(KlEstimators.Get("mse").Compute(lp, rf)));
        var k3 = Flat(KlEstimators.Get("low_var_kl").Compute(lp, rf));
        Assert.Equal(Math.Exp(-0.5) + 0.5 - 1, k3[0], 15);
        Assert.Equal(Math.E - 1 - 1, k3[1], 15);
        Assert.Equal(10.0, k3[2]); // e^20 − 20 − 1 clamped at 10
    }

    [Property(MaxTest = 50)]
    public bool K3IsNonNegativeAndZeroOnlyAtEquality(int seed)
    {
        Loaded();
        using var scope = NewDisposeScope();
        var c = Make(seed);
        var k3 = Flat(KlEstimators.Get("k3").Compute(T(c.LogProb), T(c.RefLogProb)));
        var same = Flat(KlEstimators.Get("k3").Compute(T(c.LogProb), T(c.LogProb)));
        return k3.All(v => v >= 0) && same.All(v => v == 0);
    }

    [Fact]
    public void K3GradientVanishesAtTheReference()
    {
        Loaded();
        using var scope = NewDisposeScope();
        var lp = V(-0.3, -2.0).requires_grad_(true);
        KlEstimators.Get("k3").Compute(lp, V(-0.3, -2.0)).sum().backward();
        Assert.All(Flat(lp.grad!), g => Assert.Equal(0.0, g));
    }

    [Theory]
    [InlineData("k3+", "k3")]
    [InlineData("low_var_kl+", "low_var_kl")]
    [InlineData("k1+", "k1")]
    [InlineData("abs+", "abs")]
    public void StraightThroughHasTheBaseValueAndTheK2Gradient(string name, string baseName)
    {
        Loaded();
        using var scope = NewDisposeScope();
        var lp = V(-0.2, -1.7, -3.0).requires_grad_(true);
        var rf = V(-0.9, -1.0, -2.0);
        var st = KlEstimators.Get(name).Compute(lp, rf);
        Assert.Equal(Flat(KlEstimators.Get(baseName).Compute(lp, rf)), Flat(st));
        st.sum().backward();
        Assert.Equal(new[] { 0.7, -0.7, -1.0 }, Flat(lp.grad!).Select(g => Math.Round(g, 12)));
    }

    [Fact]
    public void FullNameIsRefusedWithDirections()
    {
        var e = Assert.Throws<ArgumentException>(() => KlEstimators.Get("full"));
        Assert.Contains("FullKl.FromLogits", e.Message);
        var u = Assert.Throws<KeyNotFoundException>(() => KlEstimators.Get("k4"));
        Assert.Contains("low_var_kl", u.Message);
    }

    [Fact]
    public void FullKlMatchesTheDefinitionAndHandlesMaskedVocabulary()
    {
        Loaded();
        using var scope = NewDisposeScope();
        var p = new[] { 0.5, 0.25, 0.25 };
        var q = new[] { 0.25, 0.25, 0.5 };
        double expected = p.Zip(q, (a, b) => a * Math.Log(a / b)).Sum();
        var kl = FullKl.FromLogits(V(p.Select(x => Math.Log(x)).ToArray()), V(q.Select(x => Math.Log(x)).ToArray())).item<double>();
        Assert.Equal(expected, kl, 14);
        Assert.Equal(0.0, FullKl.FromLogits(V(1, 2, 3), V(1, 2, 3)).item<double>(), 15);
        var masked = FullKl.FromLogits(V(0, 0, double.NegativeInfinity), V(0, 0, 0)).item<double>();
        Assert.Equal(Math.Log(3.0 / 2.0), masked, 14);
    }

    [Fact]
    public void AdaptiveCoefficientFollowsZieglerEtAl()
    {
        var c = new AdaptiveKlController(0.1, targetKl: 6.0, horizon: 10000);
        c.Update(9.0, 100);             // error clipped to 0.2: ×(1 + 0.2·100/10000)
        Assert.Equal(0.1 * 1.002, c.Value, 15);
        c.Update(5.4, 1000);            // error −0.1: ×(1 − 0.1·0.1)
        Assert.Equal(0.1 * 1.002 * 0.99, c.Value, 15);
        var f = new FixedKlController(0.04);
        f.Update(100, 100);
        Assert.Equal(0.04, f.Value);
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveKlController(0.1, 0, 10));
    }

    [Fact]
    public void KlFoldedIntoRewardSubtractsBetaTimesK1()
    {
        Loaded();
        using var scope = NewDisposeScope();
        var r = KlInReward.Fold(V(1, 0), V(-1, -2), V(-1.5, -1), 0.1);
        Assert.Equal(new[] { 1 - 0.1 * 0.5, 0 - 0.1 * -1.0 }, Flat(r));
    }

    [Fact]
    public void EntropyOfUniformAndMaskedVocabulary()
    {
        Loaded();
        using var scope = NewDisposeScope();
        Assert.Equal(Math.Log(5), EntropyFromLogits.Compute(torch.zeros(2, 5, dtype: ScalarType.Float64)).max().item<double>(), 14);
        Assert.Equal(Math.Log(2), EntropyFromLogits.Compute(V(3, 3, double.NegativeInfinity)).item<double>(), 14);
        Assert.Equal(0.5, EntropyFromLogits.SumPiSquared(V(0, 0)).item<double>(), 15);
        Assert.Equal(1.0, EntropyFromLogits.SumPiSquared(V(0, double.NegativeInfinity)).item<double>(), 15);
    }

    [Fact]
    public void EntropyStatisticsOverValidTokens()
    {
        Loaded();
        using var scope = NewDisposeScope();
        var h = T(new double[,] { { 1, 2, 9 }, { 3, 9, 9 }, { 9, 9, 9 } });
        var m = T(new double[,] { { 1, 1, 0 }, { 1, 0, 0 }, { 0, 0, 0 } });
        var s = EntropyStatistics.From(h, m);
        Assert.Equal(2.0, s.Mean, 14);
        Assert.Equal(Math.Sqrt(2.0 / 3), s.Std, 14);
        Assert.Equal(1.0, s.Min);
        Assert.Equal(3.0, s.Max);
        Assert.Equal((1.5 + 3) / 2, s.ResponseMean, 14);
        Assert.Equal(3, s.Tokens);
        Assert.Equal(new EntropyStatistics(0, 0, 0, 0, 0, 0), EntropyStatistics.From(h, torch.zeros_like(m)));
    }

    [Fact]
    public void EntropyBonusAndActorLossCompose()
    {
        Loaded();
        using var scope = NewDisposeScope();
        var c = Make(31);
        var ent = T(c.Entropy);
        var input = c.Input();
        var actor = new ActorLoss(PolicyObjectives.Create("vanilla"), new KlPenaltyLoss("k3"), new FixedKlController(0.04), entropyCoefficient: 0.01);
        var total = actor.Compute(input, ent);
        double pg = PolicyObjectives.Create("vanilla").Compute(input).Loss.item<double>();
        var (klLoss, klValue) = new KlPenaltyLoss("k3").Compute(input.LogProb, input.RefLogProb!, input.ResponseMask, 0.04);
        double bonus = EntropyLoss.Bonus(ent, input.ResponseMask, 0.01).item<double>();
        Assert.Equal(pg + klLoss.item<double>() + bonus, total.Loss.item<double>(), 14);
        Assert.Equal(klValue, total.Metrics["kl_loss"], 14);
        Assert.Equal(0.04, total.Metrics["kl_coef"]);
        Assert.Throws<ArgumentException>(() => actor.Compute(input with { RefLogProb = null }, ent));
    }
}
