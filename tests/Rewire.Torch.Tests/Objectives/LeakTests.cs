using Rewire.Torch.Objectives.Entropy;
using Rewire.Torch.Objectives.Kl;
using Rewire.Torch.Objectives.Policy;
using Rewire.Torch.Objectives.Value;
using TorchSharp;
using static Rewire.Torch.Tests.Objectives.ObjectiveTestData;
using static TorchSharp.torch;

namespace Rewire.Torch.Tests.Objectives;

/// <summary>No native tensor outlives its dispose scope: live counts after 1,000 loss computations equal those after 10.</summary>
[Collection("torch")]
public class LeakTests
{
    private static long Live() => DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

    [Fact]
    public void LiveTensorCountIsFlatOverAThousandLossComputations()
    {
        Loaded();
        var c = Make(51, b: 8, l: 12, spread: 0.4);
        var objectives = PolicyObjectives.Registry.Names.Select(n => PolicyObjectives.Create(n, Options(n))).ToList();
        var value = new ClippedValueLoss(0.2);
        var kl = new KlPenaltyLoss("k3");
        using var logits = torch.randn([8, 12, 16], dtype: ScalarType.Float64, generator: new Generator(3));

        void Step(int i)
        {
            using var scope = NewDisposeScope();
            var lp = T(c.LogProb).requires_grad_(true);
            var input = c.Input(lp, withWeights: i % 2 == 0);
            var obj = objectives[i % objectives.Count];
            var loss = obj.Compute(input).Loss + kl.Compute(lp, input.RefLogProb!, input.ResponseMask, 0.01).Loss;
            loss.backward();
            var ent = EntropyLoss.Compute(logits, input.ResponseMask);
            var (vf, _) = value.Compute(lp, input.OldLogProb, input.RefLogProb!, input.ResponseMask);
            _ = ent.item<double>() + vf.item<double>() + EntropyStatistics.From(EntropyFromLogits.Compute(logits), input.ResponseMask).Mean;
        }

        for (int i = 0; i < 10; i++) Step(i);
        long after10 = Live();
        for (int i = 10; i < 1000; i++) Step(i);
        long after1000 = Live();
        Assert.Equal(after10, after1000);

        // The counter does see a leak: a tensor made outside any scope stays live until disposed.
        var leaked = torch.ones(3);
        Assert.Equal(after1000 + 1, Live());
        leaked.Dispose();
        Assert.Equal(after1000, Live());
        foreach (var o in objectives) (o as IDisposable)?.Dispose();
    }
}
