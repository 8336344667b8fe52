using Rewire.Core.Rewards;
using Rewire.Torch.Preferences;
using static TorchSharp.torch;

namespace Rewire.Torch.Tests.Preferences;

/// <summary>Cooper's co-trained reward model: the pairs it builds from a step's rollouts and its masked Bradley–Terry loss.</summary>
[Collection("torch")]
public sealed class CooperTests
{
    private static Prompt P(string id, string answer) => new(id, "reverse", "reverse", $"rev {answer}=", answer);

    [Fact]
    public void PairsTakeTheFirstCorrectRolloutAndAVerifiedWrongRewrite()
    {
        var a = P("a", "3 2 1");
        var b = P("b", "5 4");
        var c = P("c", "9 8 7");
        var rollouts = new[]
        {
            (a, "3 2", false), (a, "3 2 1", true), (a, "3 2 1 ", true),  // the first correct one is the positive
            (b, "5", false), (b, "4 5", false),                          // no correct rollout: no pair
            (c, "9 8 7", true),
        };
        // The rewriter's first attempt for c returns the answer itself (the verifier says correct: rejected), the second a wrong one.
        var attempts = new Queue<string>(["3 2 0", "9 8 7", "9 7 8"]);
        bool Verify(Prompt p, string text) => text == p.Answer;
        var pairs = CooperPairs.Build(rollouts, (pos, _) => attempts.Dequeue(), Verify, new Random(1), out int invalid);
        Assert.Equal(1, invalid);
        Assert.Equal(2, pairs.Count);
        Assert.Equal(("a", "3 2 1", "3 2 0"), (pairs[0].Prompt.Id, pairs[0].Positive, pairs[0].Negative));
        Assert.Equal(("c", "9 8 7", "9 7 8"), (pairs[1].Prompt.Id, pairs[1].Positive, pairs[1].Negative));
        Assert.Empty(attempts);
    }

    [Fact]
    public void APromptWhoseRewritesAllStayCorrectGivesNoPairAfterThreeAttempts()
    {
        var a = P("a", "1 2");
        int calls = 0;
        var pairs = CooperPairs.Build([(a, "1 2", true)], (pos, _) => { calls++; return pos; }, (p, t) => t == p.Answer, new Random(1), out int invalid);
        Assert.Empty(pairs);
        Assert.Equal(1, invalid);
        Assert.Equal(CooperPairs.Attempts, calls);
        Assert.Equal(3, calls);
    }

    [Fact]
    public void ScriptedRewritesAreAcceptedOnlyWhenWrong()
    {
        var a = P("a", "4 8 15 16");
        var pairs = CooperPairs.Build([(a, "4 8 15 16", true)], Rewire.Tasks.Preferences.PreferenceSetBuilder.Scripted,
            (p, t) => t == p.Answer, new Random(3), out _);
        Assert.All(pairs, p => Assert.NotEqual("4 8 15 16", p.Negative));
    }

    [Fact]
    public void LossIsLogTwoAtEqualScoresIgnoresInvalidPairsAndFallsWithTheMargin()
    {
        using var scope = NewDisposeScope();
        static double Loss(double[] pos, double[] neg, double[] valid) => CooperLoss.Compute(
            tensor(pos, dtype: ScalarType.Float64), tensor(neg, dtype: ScalarType.Float64), tensor(valid, dtype: ScalarType.Float64)).item<double>();
        Assert.Equal(Math.Log(2), Loss([0.3, -1.0], [0.3, -1.0], [1, 1]), 5);
        // A masked pair contributes nothing, whatever its scores.
        Assert.Equal(Loss([0.5], [0.1], [1]), Loss([0.5, -9.0], [0.1, 9.0], [1, 0]), 12);
        // Hand-computed: −½[log σ(0.4) + log σ(−0.2)] (the 1e-6 of the denominator aside).
        static double LogSigmoid(double x) => -Math.Log(1 + Math.Exp(-x));
        Assert.Equal(-(LogSigmoid(0.4) + LogSigmoid(-0.2)) / (2 + 1e-6), Loss([0.5, 0.0], [0.1, 0.2], [1, 1]), 12);
        Assert.True(Loss([1.0], [0.0], [1]) < Loss([0.5], [0.0], [1]));
        // No valid pair: zero loss (the recipe's denominator guard).
        Assert.Equal(0.0, Loss([0.5], [0.1], [0]), 12);
    }

    [Fact]
    public void LossGradientMatchesFiniteDifferences()
    {
        using var scope = NewDisposeScope();
        double[] pos = [0.5, -0.3, 1.2], neg = [0.1, 0.4, -0.7], valid = [1, 1, 0];
        var x = tensor(pos, dtype: ScalarType.Float64).requires_grad_(true);
        CooperLoss.Compute(x, tensor(neg, dtype: ScalarType.Float64), tensor(valid, dtype: ScalarType.Float64)).backward();
        var grad = x.grad!.data<double>().ToArray();
        for (int k = 0; k < pos.Length; k++)
        {
            double F(double d)
            {
                var p = (double[])pos.Clone();
                p[k] += d;
                return CooperLoss.Compute(tensor(p, dtype: ScalarType.Float64), tensor(neg, dtype: ScalarType.Float64), tensor(valid, dtype: ScalarType.Float64)).item<double>();
            }
            double numeric = (F(1e-6) - F(-1e-6)) / 2e-6;
            Assert.True(Math.Abs(numeric - grad[k]) < 1e-7, $"pair {k}: autograd {grad[k]}, finite differences {numeric}");
        }
        Assert.Equal(0.0, grad[2]);
    }
}
