using Rewire.Torch.Objectives.Aggregation;
using Rewire.Torch.Objectives.Policy;
using TorchSharp;
using static Rewire.Torch.Tests.Objectives.ObjectiveTestData;
using static TorchSharp.torch;

namespace Rewire.Torch.Tests.Objectives;

/// <summary>The reductions the specs state between objectives: same loss value and same gradient.</summary>
[Collection("torch")]
public class ReductionTests
{
    private static (double Loss, double[] Grad) Run(IPolicyObjective o, ObjectiveTestData.Case c, Func<PolicyLossInput, PolicyLossInput>? edit = null)
    {
        using var scope = NewDisposeScope();
        var lp = T(c.LogProb).requires_grad_(true);
        var input = c.Input(lp);
        if (edit is not null) input = edit(input);
        var loss = o.Compute(input).Loss;
        loss.backward();
        return (loss.item<double>(), Flat(lp.grad!));
    }

    private static void Same((double Loss, double[] Grad) a, (double Loss, double[] Grad) b, double tol = 0)
    {
        Assert.True(Math.Abs(a.Loss - b.Loss) <= tol * (1 + Math.Abs(a.Loss)), $"loss {a.Loss:R} vs {b.Loss:R}");
        for (int i = 0; i < a.Grad.Length; i++)
            Assert.True(Math.Abs(a.Grad[i] - b.Grad[i]) <= tol * (1 + Math.Abs(a.Grad[i])), $"grad[{i}] {a.Grad[i]:R} vs {b.Grad[i]:R}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void DapoWithEqualBoundsIsPpoClip(int seed)
    {
        Loaded();
        var c = Make(seed, spread: 0.6, tokenAdvantages: true);
        var dapo = PolicyObjectives.Create("dapo", new PolicyObjectiveOptions { ClipRatioLow = 0.2, ClipRatioHigh = 0.2, ClipRatioC = 3.0 });
        var ppo = PolicyObjectives.Create("vanilla", new PolicyObjectiveOptions { ClipRatio = 0.2 });
        Same(Run(dapo, c), Run(ppo, c));
    }

    [Fact]
    public void DapoDefaultsAreClipHigherWithTokenMean()
    {
        var d = DapoObjective.Create();
        Assert.Equal(0.2, d.EpsilonLow);
        Assert.Equal(0.28, d.EpsilonHigh);
        Assert.Equal(10.0, d.DualClipC);
        Assert.Equal("token-mean", d.Aggregation);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void GspoWithOneTokenResponsesIsPpoClip(int seed)
    {
        Loaded();
        var c = Make(seed, b: 6, l: 1, spread: 0.5);
        var opts = new PolicyObjectiveOptions { ClipRatioLow = 0.1, ClipRatioHigh = 0.15, DualClip = false, LossAggMode = "seq-mean-token-mean" };
        Same(Run(PolicyObjectives.Create("gspo", opts), c), Run(PolicyObjectives.Create("vanilla", opts), c), 1e-14);
        Same(Run(PolicyObjectives.Create("gspo_token", opts), c), Run(PolicyObjectives.Create("vanilla", opts), c), 1e-14);
    }

    [Theory]
    [InlineData(6)]
    [InlineData(7)]
    public void GspoTokenEqualsGspoWithSequenceAdvantages(int seed)
    {
        Loaded();
        var c = Make(seed, spread: 0.2);
        var opts = new PolicyObjectiveOptions { ClipRatioLow = 0.03, ClipRatioHigh = 0.04 };
        Same(Run(PolicyObjectives.Create("gspo", opts), c), Run(PolicyObjectives.Create("gspo_token", opts), c), 1e-12);
    }

    [Fact]
    public void GspoSequenceClipZeroesEveryTokenGradient()
    {
        Loaded();
        // Row 0: all tokens up by log 1.5 ⇒ s = 1.5 > 1 + ε_high with A > 0: the whole row is clipped.
        var c = Make(8) with { Advantages = Fill(4, 5, (i, t) => 1.0) };
        var lp = Fill(4, 5, (i, t) => c.OldLogProb[i, t] + (i == 0 ? Math.Log(1.5) : 0.0));
        var r = Run(PolicyObjectives.Create("gspo", new PolicyObjectiveOptions { ClipRatioLow = 3e-4, ClipRatioHigh = 4e-4 }), c with { LogProb = lp });
        for (int t = 0; t < 5; t++) Assert.Equal(0.0, r.Grad[t]);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.0)]
    public void DhpoWithWeightOneOrZeroIsItsTokenOrSequenceBranch(double weight)
    {
        Loaded();
        var c = Make(9, spread: 0.5);
        var dhpo = new DhpoOptions { AveragedWeight = weight, TokenEpsilonLow = 0.2, TokenEpsilonHigh = 0.28, SequenceEpsilonLow = 0.01, SequenceEpsilonHigh = 0.02 };
        var mixed = Run(PolicyObjectives.Create("dhpo", new PolicyObjectiveOptions { Dhpo = dhpo }), c);
        var branch = weight == 1.0
            ? Run(PolicyObjectives.Create("vanilla", new PolicyObjectiveOptions { ClipRatioLow = 0.2, ClipRatioHigh = 0.28, DualClip = false, LossAggMode = "token-mean" }), c)
            : Run(PolicyObjectives.Create("gspo_token", new PolicyObjectiveOptions { ClipRatioLow = 0.01, ClipRatioHigh = 0.02, LossAggMode = "token-mean" }), c);
        Same(mixed, branch, 1e-15);
    }

    [Fact]
    public void DhpoGeometricMixWithWeightOneIsTheTokenBranch()
    {
        Loaded();
        var c = Make(10, spread: 0.5);
        var mixed = Run(PolicyObjectives.Create("dhpo", new PolicyObjectiveOptions { Dhpo = new DhpoOptions { AveragedWeight = 1, Combination = DhpoCombination.Geometric } }), c);
        var token = Run(PolicyObjectives.Create("vanilla", new PolicyObjectiveOptions { ClipRatioLow = 0.2, ClipRatioHigh = 0.28, DualClip = false }), c);
        Same(mixed, token, 1e-12);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void EtrWithZeroLambdasIsPpoClip(int seed)
    {
        Loaded();
        var c = Make(seed, spread: 0.6);
        var etr = PolicyObjectives.Create("etr", new PolicyObjectiveOptions { Etr = new EtrOptions { LambdaMicro = 0, LambdaMacro = 0 } });
        Same(Run(etr, c), Run(PolicyObjectives.Create("vanilla"), c), 1e-15);
    }

    [Theory]
    [InlineData("grpo_n", 13)]
    [InlineData("gspo_n", 14)]
    public void NegativeAndPositivePartsAddUpToTheBaseObjective(string name, int seed)
    {
        Loaded();
        var c = Make(seed, spread: 0.4, tokenAdvantages: true);
        var opts = Options(name);
        var baseName = name == "grpo_n" ? "vanilla" : "gspo";
        var negative = Run(PolicyObjectives.Create(name, opts), c);
        var positive = Run(PolicyObjectives.Create(baseName, opts), c, i => i with { Advantages = i.Advantages * (i.Advantages > 0).to_type(ScalarType.Float64) });
        var full = Run(PolicyObjectives.Create(baseName, opts), c);
        var sum = (negative.Loss + positive.Loss, negative.Grad.Zip(positive.Grad, (a, b) => a + b).ToArray());
        Same(sum, full, 1e-13);
    }

    [Fact]
    public void GrpoNWithNonNegativeAdvantagesHasZeroLossAndGradient()
    {
        Loaded();
        var c = Make(15) with { Advantages = Fill(4, 5, (i, t) => i * 0.5) };
        var r = Run(PolicyObjectives.Create("grpo_n"), c);
        Assert.Equal(0.0, r.Loss);
        Assert.All(r.Grad, g => Assert.Equal(0.0, g));
    }

    [Fact]
    public void GrpoNRenormalisedDividesByNegativeTokensOnly()
    {
        Loaded();
        var c = Make(16) with { Advantages = Fill(4, 5, (i, t) => i == 0 ? -1.0 : 1.0), LogProb = Fill(4, 5, (i, t) => -1.0), OldLogProb = Fill(4, 5, (i, t) => -1.0) };
        var plain = Run(PolicyObjectives.Create("grpo_n"), c).Loss;
        var renorm = Run(PolicyObjectives.Create("grpo_n", new PolicyObjectiveOptions { NegativeOnly = new NegativeOnlyOptions { RenormalizeNegatives = true } }), c).Loss;
        // On-policy, A = -1 on row 0's 5 tokens out of 5 + 3 + 3 valid tokens: plain = 5/11, renormalised = 5/5.
        Assert.Equal(5.0 / 11.0, plain, 14);
        Assert.Equal(1.0, renorm, 14);
    }
}
