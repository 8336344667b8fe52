using Rewire.Torch.Models;
using Rewire.Torch.Runtime;
using TorchSharp;
using static TorchSharp.torch;

using Rewire.Torch.Tests.Generation;

namespace Rewire.Torch.Tests.Models;

/// <summary>The categorical MLP policy for small control problems.</summary>
[Collection("torch")]
public class MlpPolicyTests : SingleThreadedTorchTest
{
    [Fact]
    public void ShapesSeedingAndPyTorchDefaultInitBounds()
    {
        using var a = new MlpPolicy(new MlpPolicyConfig(4, 2, Seed: 1));
        using var b = new MlpPolicy(new MlpPolicyConfig(4, 2, Seed: 1));
        using var scope = NewDisposeScope();
        var obs = randn(5, 4, generator: new Generator(0));
        Assert.Equal(new long[] { 5, 2 }, a.forward(obs).shape);
        Assert.True(a.forward(obs).equal(b.forward(obs)).all().item<bool>());
        var first = a.named_parameters().First(p => p.name.EndsWith("0.weight", StringComparison.Ordinal)).parameter;
        Assert.True(first.abs().max().item<float>() <= 0.5f);   // 1/sqrt(fan_in = 4)
        Assert.Throws<ArgumentException>(() => a.forward(zeros(5, 3)));
        Assert.Throws<ArgumentException>(() => new MlpPolicy(new MlpPolicyConfig(4, 1)));
    }

    [Fact]
    public void ActAndEvaluateAgreeAndPolicyGradientLearnsTheBetterArm()
    {
        using var policy = new MlpPolicy(new MlpPolicyConfig(2, 3, [16], Seed: 2));
        using var g = new Generator(4);
        using var opt = optim.Adam(policy.parameters(), lr: 0.05);
        for (int step = 0; step < 60; step++)
        {
            using var scope = NewDisposeScope();
            var obs = ones(32, 2);
            var (actions, logp, _) = policy.Act(obs, g);
            var (lp, ent) = policy.Evaluate(obs, actions);
            Assert.True(allclose(lp.detach(), logp, 1e-6, 1e-6));
            var reward = (actions == 2).to(ScalarType.Float32);   // arm 2 pays 1, the others 0
            var loss = -((reward - reward.mean()) * lp).mean();
            opt.zero_grad();
            loss.backward();
            opt.step();
        }
        using var final = NewDisposeScope();
        var probs = policy.forward(ones(1, 2)).softmax(-1);
        Assert.True(probs[0, 2].item<float>() > 0.9f, $"p(best arm) = {probs[0, 2].item<float>()}");
    }
}
