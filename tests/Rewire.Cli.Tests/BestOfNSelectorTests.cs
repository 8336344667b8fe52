using System.Text.Json.Nodes;

namespace Rewire.Cli.Tests;

/// <summary>
/// `rewire eval RUN --best-of N --selector RM`: best-of-N ranked by a reward model (a `stage=rm` run) instead of the task's
/// reward; a folder that is not a reward model is refused with exit 2 before any work.
/// </summary>
public sealed class BestOfNSelectorTests
{
    private static string OnlyRun(string dir) => Assert.Single(Directory.GetDirectories(dir));

    [Fact]
    public void A_reward_model_run_selects_and_a_policy_run_is_refused_as_selector()
    {
        var dir = Directory.CreateTempSubdirectory("rewire-bon-rm").FullName;
        try
        {
            var policy = Runs.RewireProcess.Run(["train", "sft.steps=20", "rl.steps=0", "task.train_size=100", "task.test_size=6",
                "eval.samples=1", "eval.pass_k=1", "-o", Path.Combine(dir, "policy"), "--json"], timeout: TimeSpan.FromMinutes(20));
            Assert.True(policy.ExitCode == 0, policy.ToString());
            var rm = Runs.RewireProcess.Run(["train", "stage=rm", "sft.steps=20", "rm.steps=20", "-o", Path.Combine(dir, "rm"), "--json"],
                timeout: TimeSpan.FromMinutes(20));
            Assert.True(rm.ExitCode == 0, rm.ToString());
            string policyRun = OnlyRun(Path.Combine(dir, "policy")), rmRun = OnlyRun(Path.Combine(dir, "rm"));

            // A policy run is not a reward model: exit 2, naming the missing marker and what to give instead.
            var refused = Runs.RewireProcess.Run(["eval", policyRun, "--best-of", "2", "--selector", policyRun, "--json"], timeout: TimeSpan.FromMinutes(10));
            Assert.True(refused.ExitCode == 2, refused.ToString());
            Assert.Contains("'--selector'", refused.Err, StringComparison.Ordinal);
            Assert.Contains("is not a reward model", refused.Err, StringComparison.Ordinal);
            Assert.Contains("stage=rm", refused.Err, StringComparison.Ordinal);
            Assert.Equal("", refused.Out.Trim());

            // --selector needs --best-of.
            var alone = Runs.RewireProcess.Run(["eval", policyRun, "--selector", rmRun], timeout: TimeSpan.FromMinutes(10));
            Assert.Equal(2, alone.ExitCode);
            Assert.Contains("add --best-of N", alone.Err + alone.Out, StringComparison.Ordinal);

            // The reward model ranks the candidates: N = 1 and 2, graded by the task's verifier.
            var ok = Runs.RewireProcess.Run(["eval", policyRun, "--best-of", "2", "--selector", rmRun, "--json"], timeout: TimeSpan.FromMinutes(10));
            Assert.True(ok.ExitCode == 0, ok.ToString());
            var result = JsonNode.Parse(ok.Out)!.AsObject();
            Assert.Equal("reward_model", result["selector"]!.GetValue<string>());
            Assert.Equal(Path.GetFullPath(rmRun), result["selector_run"]!.GetValue<string>());
            var points = result["best_of"]!.AsArray();
            Assert.Equal([1, 2], points.Select(p => p!["n"]!.GetValue<int>()));
            Assert.All(points, p => Assert.InRange(p!["accuracy"]!.GetValue<double>(), 0, 1));
            // With one candidate there is nothing to choose: best-of-1 is the same sample under either selector.
            var byReward = Runs.RewireProcess.Run(["eval", policyRun, "--best-of", "2", "--json"], timeout: TimeSpan.FromMinutes(10));
            Assert.True(byReward.ExitCode == 0, byReward.ToString());
            Assert.Equal(JsonNode.Parse(byReward.Out)!["best_of"]![0]!["accuracy"]!.GetValue<double>(), points[0]!["accuracy"]!.GetValue<double>());
        }
        finally { Directory.Delete(dir, true); }
    }
}
