using Rewire.Torch.Objectives.Diagnostics;
using Rewire.Torch.Objectives.Entropy;
using Rewire.Torch.Objectives.Policy;
using TorchSharp;
using static Rewire.Torch.Tests.Objectives.ObjectiveTestData;
using static TorchSharp.torch;

namespace Rewire.Torch.Tests.Objectives;

/// <summary>T14's diagnostics accumulator, and a toy softmax bandit trained end to end (T12, T14).</summary>
[Collection("torch")]
public class ClippingBiasTests
{
    [Fact]
    public void AccumulatorSplitsClipFractionsBySideHandComputed()
    {
        Loaded();
        using var scope = NewDisposeScope();
        var d = new ClippingBiasDiagnostics(0.2, 0.2);
        var mask = T(new double[,] { { 1, 1, 1, 1 }, { 1, 1, 0, 0 } });
        var adv = T(new double[,] { { 1, 1, -1, -1 }, { -1, 1, 1, 1 } });
        var old = T(new double[,] { { -1, -1, -1, -1 }, { -1, -1, -1, -1 } });
        var ent = T(new double[,] { { 2, 2, 2, 2 }, { 1, 1, 9, 9 } });
        d.BeginRolloutBatch(ent, old, adv, mask);
        var first = d.AddMiniBatch(old, old, adv, mask);
        Assert.Equal(0.0, first.ClipTotal);                                  // on-policy: nothing clipped
        // ratios: e^{0.3} > 1.2 (A>0: upper), 1 ; e^{-0.3} < 0.8 (A<0: lower), 1 ; row 1: e^{-0.3} (A<0: lower), e^{0.3} (A>0: upper)
        var lp = T(new double[,] { { -0.7, -1, -1.3, -1 }, { -1.3, -0.7, 5, 5 } });
        var second = d.AddMiniBatch(lp, old, adv, mask, gradNorm: 0.5);
        Assert.Equal(2.0 / 6, second.ClipUpper, 7);
        Assert.Equal(2.0 / 6, second.ClipLower, 7);
        Assert.Equal(Math.Exp(0.3), second.RatioMax, 12);
        var report = d.EndRolloutBatch(ent * 0.5, lp, mask);
        Assert.Equal(10.0 / 6, report.EntropyBefore, 7);
        Assert.Equal(5.0 / 6, report.EntropyAfter, 7);
        Assert.Equal(-5.0 / 6, report.EntropyChange, 7);
        Assert.Equal(3.0 / 6, report.PositiveAdvantageFraction, 7);
        Assert.Equal(2.0 / 12, report.ClipUpper, 7);                         // token-weighted over both mini-batches
        Assert.Equal(2, report.MiniBatches.Count);
        Assert.Single(d.Reports);
        Assert.Throws<InvalidOperationException>(() => d.EndRolloutBatch(ent, lp, mask));
    }

    /// <summary>One softmax over V actions; log π of sampled actions as a [1, N] tensor.</summary>
    private static Tensor SampledLogProb(Tensor logits, long[] actions) =>
        nn.functional.log_softmax(logits, 0).index_select(0, torch.tensor(actions)).unsqueeze(0);

    [Fact]
    public void GrpoNStepLowersThePenalisedActionAndRaisesEntropyWhenItIsTheMode()
    {
        Loaded();
        using var scope = NewDisposeScope();
        var logits = torch.tensor(new double[] { 2.0, 0.5, 0.0, -0.5 }, dtype: ScalarType.Float64).requires_grad_(true);
        var actions = new long[] { 0, 1 };
        var lp = SampledLogProb(logits, actions);
        double p0 = lp[0, 0].exp().item<double>();
        double h0 = EntropyFromLogits.Compute(logits).item<double>();
        var input = new PolicyLossInput(lp, lp.detach(), T(new double[,] { { -1.0, 1.0 } }), T(new double[,] { { 1, 1 } }));
        PolicyObjectives.Create("grpo_n").Compute(input).Loss.backward();
        using (no_grad()) logits.sub_(0.5 * logits.grad!);
        double p1 = nn.functional.softmax(logits, 0)[0].item<double>();
        Assert.True(p1 < p0, $"π(penalised) went from {p0} to {p1}");
        Assert.True(EntropyFromLogits.Compute(logits).item<double>() > h0);
    }

    [Fact]
    public void BanditWithSeveralMiniBatchesClipsOnlyAfterTheFirst()
    {
        Loaded();
        using var scope = NewDisposeScope();
        var gen = new Generator(2024);
        var logits = torch.zeros(8, dtype: ScalarType.Float64).requires_grad_(true);
        var objective = PolicyObjectives.Create("vanilla", new PolicyObjectiveOptions { ClipRatio = 0.2 });
        var diag = new ClippingBiasDiagnostics(0.2, 0.2);
        for (int rollout = 0; rollout < 3; rollout++)
        {
            long[] actions;
            Tensor oldLp, adv, mask, entBefore;
            using (no_grad())
            {
                actions = torch.multinomial(nn.functional.softmax(logits, 0), 32, replacement: true, generator: gen).data<long>().ToArray();
                oldLp = SampledLogProb(logits, actions);
                var reward = torch.bernoulli(torch.full(32, 0.5, dtype: ScalarType.Float64), generator: gen);   // spurious reward
                adv = ((reward - reward.mean()) / (reward.std() + 1e-6)).unsqueeze(0);
                mask = torch.ones(1, 32, dtype: ScalarType.Float64);
                entBefore = EntropyFromLogits.Compute(logits).expand(1, 32);
            }
            diag.BeginRolloutBatch(entBefore, oldLp, adv, mask);
            for (int mb = 0; mb < 4; mb++)
            {
                logits.grad?.zero_();
                var lp = SampledLogProb(logits, actions);
                diag.AddMiniBatch(lp, oldLp, adv, mask);
                objective.Compute(new PolicyLossInput(lp, oldLp, adv, mask)).Loss.backward();
                using (no_grad()) logits.sub_(2.0 * logits.grad!);
            }
            using (no_grad())
                diag.EndRolloutBatch(EntropyFromLogits.Compute(logits).expand(1, 32), SampledLogProb(logits, actions), mask);
        }
        Assert.Equal(3, diag.Reports.Count);
        Assert.All(diag.Reports, r => Assert.Equal(0.0, r.MiniBatches[0].ClipTotal));
        Assert.Contains(diag.Reports.SelectMany(r => r.MiniBatches.Skip(1)), m => m.ClipTotal > 0);
        Assert.All(diag.Reports, r => Assert.NotEqual(r.EntropyBefore, r.EntropyAfter));
    }
}
