using Rewire.Core.Rewards;
using Rewire.Torch.Benchmarks;
using Rewire.Torch.Tests.Generation;
using Rewire.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Tests.Benchmarks;

/// <summary>The step benchmark's workloads are the exact models, and its GRPO step computes the stated loss.</summary>
[Collection("torch")]
public class StepBenchmarkTests : SingleThreadedTorchTest
{
    [Fact]
    public void PeerTinyHasTheStatedParameterCount()
    {
        using var policy = StepWorkload.PeerTinyPolicy(0);
        Assert.Equal(809_728, policy.Parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void PeerTinyIsInitialisedNormalWithZeroBiasesAndNoResidualScaling()
    {
        using var policy = StepWorkload.PeerTinyPolicy(3);
        foreach (var (name, p) in policy.Model.named_parameters())
        {
            using var scope = NewDisposeScope();
            if (name.EndsWith(".bias", StringComparison.Ordinal))
                Assert.Equal(0.0, p.abs().max().item<float>());
            else if (name.Contains("norm", StringComparison.Ordinal))
                Assert.True(p.eq(1.0f).all().item<bool>(), name);
            else
            {
                // Every weight matrix, the residual projections included (GPT-2's default would give them 0.02/sqrt(8) = 0.0071).
                double std = p.std().item<float>(), mean = p.mean().item<float>();
                Assert.InRange(std, 0.0185, 0.0215);
                Assert.InRange(mean, -0.002, 0.002);
            }
        }
    }

    [Fact]
    public void TheSameSeedGivesTheSameModelAndAnotherSeedAnother()
    {
        using var a = StepWorkload.PeerTinyPolicy(5);
        using var b = StepWorkload.PeerTinyPolicy(5);
        using var c = StepWorkload.PeerTinyPolicy(6);
        var pa = a.Parameters().ToArray();
        var pb = b.Parameters().ToArray();
        var pc = c.Parameters().ToArray();
        Assert.True(pa.Zip(pb).All(x => x.First.equal(x.Second).all().item<bool>()));
        Assert.False(pa.Zip(pc).All(x => x.First.equal(x.Second).all().item<bool>()));
    }

    [Fact]
    public void TokenizerUsesTheStatedIdsAndDecodesUpToEos()
    {
        var t = new StepBenchTokenizer(32);
        Assert.Equal(new[] { 5 + 3, 5 + 7, 3, 5 + 4, 5 + 5, 4 }, t.Encode("37+45="));
        Assert.Equal("82", t.Decode([13, 7]));
        Assert.Equal("8?", t.Decode([1, 13, 20, 0]));
        Assert.Equal(1.0, StepWorkload.ExactAnswer(new Rollout(new Prompt("p", "t", "d", "37+45=", "82"), "82")));
        Assert.Equal(0.0, StepWorkload.ExactAnswer(new Rollout(new Prompt("p", "t", "d", "37+45=", "82"), "821")));
    }

    /// <summary>
    /// One GRPO step on a small batch with a reward that varies (the response length), so the loss is not trivially 0.
    /// Before the update π_θ = π_old, so every ratio is 1 and the PPO-clip token-mean loss is
    /// −Σ_i n_i·Â_i / Σ_i n_i, with n_i the response's tokens (EOS included) and Â_i = (r_i − mean_g) / (std_g + 1e-6),
    /// std unbiased: computed here by hand from the rollouts the step returned.
    /// </summary>
    [Fact]
    public void GrpoLossEqualsTheHandComputedTokenMeanOfGroupAdvantages()
    {
        var w = StepWorkload.PeerTiny with { GrpoPrompts = 4, GrpoGroupSize = 6, GrpoMaxNewTokens = 8, Reward = r => r.CompletionTokens };
        using var policy = w.CreatePolicy(2);
        using var optimizer = new AdamW(policy.Parameters());
        var step = new GrpoBenchStep(policy, optimizer, w, seed: 2);
        using var g = new Generator(11);
        var result = step.Run(0, g);

        Assert.Equal(24, result.Rollouts.Count);
        double weighted = 0, tokens = 0;
        bool varied = false;
        for (int group = 0; group < 4; group++)
        {
            var members = result.Rollouts.Where((_, i) => result.GroupOf[i] == group).ToArray();
            Assert.Equal(6, members.Length);
            var r = members.Select(m => (double)m.ResponseTokens.Length).ToArray();
            Assert.Equal(r, members.Select(m => m.ShapedReward));
            double mean = r.Average();
            double std = Math.Sqrt(r.Sum(x => (x - mean) * (x - mean)) / (r.Length - 1));
            varied |= std > 0;
            for (int i = 0; i < r.Length; i++)
            {
                weighted += r[i] * (r[i] - mean) / (std + 1e-6);
                tokens += r[i];
            }
        }
        Assert.True(varied, "no group's response lengths varied; choose another seed so the check is not vacuous");
        double expected = -weighted / tokens;
        Assert.True(Math.Abs(expected) > 1e-3);
        Assert.Equal(expected, result.Metrics["pg_loss"], 4);
        Assert.Equal(1, result.Metrics["updates"]);
        Assert.True(result.GenerateSeconds > 0 && result.ScoreSeconds > 0 && result.UpdateSeconds > 0);
        // EOS ends a response and is its last token; every response is at most 8 tokens.
        Assert.All(result.Rollouts, x => Assert.True(x.ResponseTokens.Length <= 8 && x.ResponseTokens.Take(x.ResponseTokens.Length - 1).All(t => t != StepBenchTokenizer.Eos)));
    }

    [Fact]
    public void AdditionPromptsAreBosTwoDigitsPlusTwoDigitsEquals()
    {
        var w = StepWorkload.PeerTiny with { GrpoPrompts = 5 };
        using var policy = w.CreatePolicy(0);
        using var optimizer = new AdamW(policy.Parameters());
        var step = new GrpoBenchStep(policy, optimizer, w, seed: 4);
        Assert.Equal(5, step.Prompts.Count);
        foreach (var p in step.Prompts)
        {
            Assert.Matches("^[1-9][0-9]\\+[1-9][0-9]=$", p.Text);
            var parts = p.Text.TrimEnd('=').Split('+');
            Assert.Equal((int.Parse(parts[0]) + int.Parse(parts[1])).ToString(), p.Answer);
        }
    }
}
