using FsCheck.Xunit;
using Rewire.Torch.Objectives;
using Rewire.Torch.Objectives.Aggregation;
using Rewire.Torch.Objectives.Policy;
using TorchSharp;
using static Rewire.Torch.Tests.Objectives.ObjectiveTestData;
using static TorchSharp.torch;

namespace Rewire.Torch.Tests.Objectives;

/// <summary>rlvr.md T00's generic invariants and the mask rules, for every registered objective.</summary>
[Collection("torch")]
public class MaskAndInvariantTests
{
    public static TheoryData<string> Objectives() => GradientCheckTests.Objectives();

    private static (double Loss, double[] Grad, IReadOnlyDictionary<string, double> Metrics) Run(string name, ObjectiveTestData.Case c, string? agg = null)
    {
        using var scope = NewDisposeScope();
        var opts = Options(name) with { LossAggMode = agg };
        var obj = PolicyObjectives.Create(name, opts);
        var lp = T(c.LogProb).requires_grad_(true);
        var r = obj.Compute(c.Input(lp, withWeights: true));
        r.Loss.backward();
        (obj as IDisposable)?.Dispose();
        return (r.Loss.item<double>(), Flat(lp.grad!), r.Metrics);
    }

    [Theory]
    [MemberData(nameof(Objectives))]
    public void MaskedPositionsChangeNothing(string name)
    {
        Loaded();
        var c = Make(21, spread: 0.5);
        var a = Run(name, c);
        var scrambled = c with
        {
            LogProb = Fill(4, 5, (i, t) => c.Mask[i, t] > 0 ? c.LogProb[i, t] : -40.0 + i + t),
            OldLogProb = Fill(4, 5, (i, t) => c.Mask[i, t] > 0 ? c.OldLogProb[i, t] : 3.0 - t),
            Advantages = Fill(4, 5, (i, t) => c.Mask[i, t] > 0 ? c.Advantages[i, t] : 1e6),
            IsWeights = Fill(4, 5, (i, t) => c.Mask[i, t] > 0 ? c.IsWeights[i, t] : 1e3),
            Entropy = Fill(4, 5, (i, t) => c.Mask[i, t] > 0 ? c.Entropy[i, t] : 99.0),
        };
        var b = Run(name, scrambled);
        Assert.Equal(a.Loss, b.Loss, 12);
        for (int k = 0; k < a.Grad.Length; k++)
        {
            if (c.Mask[k / 5, k % 5] == 0) { Assert.Equal(0.0, a.Grad[k]); Assert.Equal(0.0, b.Grad[k]); }
            else Assert.Equal(a.Grad[k], b.Grad[k], 12);
        }
        foreach (var key in new[] { PolicyMetricNames.ClipFraction, PolicyMetricNames.ClipFractionLow, PolicyMetricNames.ClipFractionHigh, PolicyMetricNames.RatioMean, PolicyMetricNames.RatioMax, PolicyMetricNames.RatioMin })
            Assert.Equal(a.Metrics[key], b.Metrics[key], 12);
    }

    [Theory]
    [MemberData(nameof(Objectives))]
    public void AllMaskedBatchGivesZeroLossAndNoNaN(string name)
    {
        Loaded();
        foreach (var agg in LossAggregators.Registry.Names)
        {
            var c = Make(22) with { Mask = Fill(4, 5, (_, _) => 0.0) };
            var r = Run(name, c, agg);
            Assert.Equal(0.0, r.Loss);
            Assert.All(r.Grad, g => Assert.Equal(0.0, g));
            Assert.All(r.Metrics.Values, v => Assert.True(double.IsFinite(v), $"{name}/{agg}: a metric is not finite"));
        }
    }

    [Theory]
    [MemberData(nameof(Objectives))]
    public void ZeroAdvantagesGiveZeroGradient(string name)
    {
        Loaded();
        var c = Make(23, spread: 0.5) with { Advantages = Fill(4, 5, (_, _) => 0.0) };
        // T00 invariant 3 holds "with KL coefficient 0": kl_cov's κ·|Δ| term is a KL penalty, so κ is set to 0 for it.
        var opts = name == "kl_cov" ? Options(name) with { KlCov = new KlCovOptions { Ratio = 0.25, KlCoefficient = 0 } } : Options(name);
        using var scope = NewDisposeScope();
        var obj = PolicyObjectives.Create(name, opts);
        var lp = T(c.LogProb).requires_grad_(true);
        obj.Compute(c.Input(lp, withWeights: true)).Loss.backward();
        (obj as IDisposable)?.Dispose();
        Assert.All(Flat(lp.grad!), g => Assert.Equal(0.0, g));
    }

    [Theory]
    [InlineData("vanilla")]
    [InlineData("dapo")]
    [InlineData("gspo")]
    [InlineData("gspo_token")]
    [InlineData("dcpo")]
    [InlineData("dhpo")]
    [InlineData("etr")]
    [InlineData("cispo")]
    [InlineData("geo_mean")]
    public void OnPolicyLossIsMinusMeanAdvantageAndNothingIsClipped(string name)
    {
        Loaded();
        var c0 = Make(24, tokenAdvantages: name != "geo_mean" && name != "gspo");
        var c = c0 with { LogProb = c0.OldLogProb };
        using var scope = NewDisposeScope();
        var obj = PolicyObjectives.Create(name, Options(name) with { LossAggMode = name == "geo_mean" ? null : "token-mean" });
        var r = obj.Compute(c.Input());
        (obj as IDisposable)?.Dispose();
        double expected;
        if (name is "geo_mean" or "gspo")
        {
            // row means of A, then mean over rows (all rows for GMPO; gspo aggregates broadcast row losses by token-mean)
            var rowAdv = Enumerable.Range(0, 4).Select(i => Enumerable.Range(0, 5).Sum(t => c.Mask[i, t] * c.Advantages[i, t]) / Math.Max(1, Enumerable.Range(0, 5).Sum(t => c.Mask[i, t]))).ToArray();
            expected = name == "geo_mean"
                ? -rowAdv.Average()
                : -Enumerable.Range(0, 4).Sum(i => rowAdv[i] * Enumerable.Range(0, 5).Sum(t => c.Mask[i, t])) / Enumerable.Range(0, 20).Sum(k => c.Mask[k / 5, k % 5]);
        }
        else if (name == "cispo")
            expected = -Enumerable.Range(0, 20).Sum(k => c.Mask[k / 5, k % 5] * c.Advantages[k / 5, k % 5] * c.LogProb[k / 5, k % 5]) / Enumerable.Range(0, 20).Sum(k => c.Mask[k / 5, k % 5]);
        else
            expected = -Enumerable.Range(0, 20).Sum(k => c.Mask[k / 5, k % 5] * c.Advantages[k / 5, k % 5]) / Enumerable.Range(0, 20).Sum(k => c.Mask[k / 5, k % 5]);
        Assert.Equal(expected, r.Loss.item<double>(), name == "geo_mean" ? 7 : 12); // GMPO divides by |o| + 1e-8
        Assert.Equal(0.0, r.Metrics[PolicyMetricNames.ClipFraction]);
        Assert.Equal(0.0, r.Metrics[PolicyMetricNames.ClipFractionLow]);
        Assert.Equal(0.0, r.Metrics[PolicyMetricNames.ClipFractionHigh]);
        Assert.Equal(0.0, r.Metrics[PolicyMetricNames.ApproxKl]);
        Assert.Equal(1.0, r.Metrics[PolicyMetricNames.RatioMean], 7);
    }

    [Theory]
    [MemberData(nameof(Objectives))]
    public void Float32InputsWorkAndAgreeWithFloat64(string name)
    {
        Loaded();
        var c = Make(26, spread: 0.3);
        using var scope = NewDisposeScope();
        var obj = PolicyObjectives.Create(name, Options(name));
        var input64 = c.Input(withWeights: true);
        var lp32 = input64.LogProb.to_type(ScalarType.Float32).requires_grad_(true);
        var input32 = new PolicyLossInput(lp32, input64.OldLogProb.to_type(ScalarType.Float32), input64.Advantages.to_type(ScalarType.Float32), input64.ResponseMask.to_type(ScalarType.Float32))
        {
            Entropy = input64.Entropy!.to_type(ScalarType.Float32),
            PassRate = input64.PassRate!.to_type(ScalarType.Float32),
            RolloutIsWeights = input64.RolloutIsWeights!.to_type(ScalarType.Float32),
        };
        var r32 = obj.Compute(input32);
        r32.Loss.backward();
        (obj as IDisposable)?.Dispose();
        double l64 = Run(name, c).Loss;
        Assert.Equal(ScalarType.Float32, r32.Loss.dtype);
        Assert.True(Math.Abs(r32.Loss.ToDoubleValue() - l64) <= 1e-4 * (1 + Math.Abs(l64)), $"{name}: float32 {r32.Loss.ToDoubleValue()} vs float64 {l64}");
        Assert.All(r32.Metrics.Values, v => Assert.True(double.IsFinite(v)));
        Assert.True(lp32.grad!.isfinite().all().item<bool>());
    }

    [Property(MaxTest = 30)]
    public bool ClipFractionsBySideAreDisjointAndBounded(int seed)
    {
        Loaded();
        using var scope = NewDisposeScope();
        var c = Make(seed, spread: 0.8, tokenAdvantages: true);
        var m = PolicyObjectives.Create("vanilla").Compute(c.Input()).Metrics;
        double lo = m[PolicyMetricNames.ClipFractionLow], hi = m[PolicyMetricNames.ClipFractionHigh], total = m[PolicyMetricNames.ClipFraction];
        return lo >= 0 && hi >= 0 && lo + hi <= 1 + 1e-12 && Math.Abs(total - (lo + hi)) < 1e-12;
    }

    [Fact]
    public void StandardMetricsAreReportedByEveryObjective()
    {
        Loaded();
        var c = Make(25, spread: 0.5);
        foreach (var name in PolicyObjectives.Registry.Names)
        {
            var m = Run(name, c).Metrics;
            foreach (var key in new[] { PolicyMetricNames.ClipFraction, PolicyMetricNames.ClipFractionLow, PolicyMetricNames.ClipFractionHigh, PolicyMetricNames.ClipFractionLowerVerl, PolicyMetricNames.ApproxKl, PolicyMetricNames.RatioMean, PolicyMetricNames.RatioMin, PolicyMetricNames.RatioMax })
                Assert.True(m.ContainsKey(key), $"{name} does not report {key}");
            Assert.True(m[PolicyMetricNames.RatioMin] <= m[PolicyMetricNames.RatioMean] && m[PolicyMetricNames.RatioMean] <= m[PolicyMetricNames.RatioMax], name);
        }
    }
}
