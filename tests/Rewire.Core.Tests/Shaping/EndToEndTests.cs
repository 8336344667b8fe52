using Rewire.Core.Rewards;
using Rewire.Core.Shaping;
using Rewire.Core.Tests.Rewards;

namespace Rewire.Core.Tests.Shaping;

public class EndToEndTests
{
    [Fact]
    public async Task Verify_compose_then_shape_by_name()
    {
        // Two prompts (groups "a" and "b"), four completions each; one scorer throws on a poisoned completion.
        var rollouts = new List<Rollout>();
        string[] a = ["<think>x</think><answer>42</answer>", "<think>y</think><answer>41</answer>", "\\boxed{42}", "<think>z</think><answer>42</answer>"];
        string[] b = ["<think>x</think><answer>7</answer>", "<think>x</think><answer>7</answer>", "POISON", "<think>x</think><answer>7</answer>"];
        int[] tokens = [100, 120, 3000, 110];
        for (var i = 0; i < 4; i++)
        {
            rollouts.Add(TestRollouts.Make(a[i], "42", id: "pa", group: "a", tokens: tokens[i]));
            rollouts.Add(TestRollouts.Make(b[i], "7", id: "pb", group: "b", tokens: tokens[i]));
        }

        var registry = RewardFunctionRegistry.CreateDefault();
        var poisonSensitive = new DelegateReward("poison", r => r.Completion == "POISON" ? throw new InvalidOperationException("bad input") : RewardResult.Of(0));
        var pipeline = new RewardPipeline(
        [
            RewardTerm.Of(registry.Create("numeric"), 1.0),
            RewardTerm.Of(registry.Create("required_tags"), 0.1),
            RewardTerm.Of(poisonSensitive, 1.0, new FailurePolicy { FailureValue = -1 }),
        ]);
        var results = await pipeline.ScoreAsync(rollouts);
        var batch = ShapingBatch.FromRollouts(rollouts, results);

        var shaping = ShapingPipeline.FromConfig(ShapingRegistry.CreateDefault(),
        [
            ("overlong_punishment", new Dictionary<string, string> { ["max_length"] = "4000", ["buffer"] = "2000" }),
        ]);
        shaping.Apply(batch);

        // Group a: correct+tags 1.1, wrong+tags 0.1, correct no tags 1.0 with a 1000-token overlong penalty (−0.5), correct+tags 1.1.
        Assert.Equal([1.1, 0.1, 0.5, 1.1], Enumerable.Range(0, 4).Select(i => Math.Round(batch.Rewards[2 * i], 12)));
        // Group b: the poisoned rollout gets the failure value −1 and no credit, the run goes on.
        Assert.Equal([1.1, 1.1, -1.5, 1.1], Enumerable.Range(0, 4).Select(i => Math.Round(batch.Rewards[2 * i + 1], 12)));
        Assert.True(results[5].Failed);
        Assert.Equal(1, pipeline.Statistics["poison"].Failures);
        Assert.Equal(8, pipeline.Statistics["numeric"].Count);
        Assert.Equal(2, batch.Index.GroupCount);
    }
}
