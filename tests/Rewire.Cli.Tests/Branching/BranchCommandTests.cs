using System.Text.Json.Nodes;
using Rewire.Cli.Commands;
using Rewire.Core.Configuration;
using Rewire.Core.Runs;

namespace Rewire.Cli.Tests.Branching;

/// <summary>`rewire branch`: bad input is refused with exit 2 before a run folder exists; a small run reports node counts per rule; an interrupted run resumes exactly.</summary>
public sealed class BranchCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rewire-branch").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static readonly string[] Small = ["branch.size=12", "branch.train_instances=3", "branch.eval_instances=2", "branch.epochs=2", "branch.updates_per_epoch=20", "branch.batch=16", "branch.hidden=8"];

    [Theory]
    [InlineData("nope", "run.seed=1", "--algo 'nope' is not a branching algorithm; valid: revibranch, most-fractional")]
    [InlineData("revibranch", "branch.size=1", "branch.size=1 is out of range")]
    [InlineData("revibranch", "branch.problem=tsp", "branch.problem=tsp")]
    [InlineData("most-fractional", "branch.epochs=3", "branch.epochs is not a parameter of most-fractional")]
    [InlineData("revibranch", "branch.epsilon_end=0.9", "branch.epsilon_end=0.9 is above branch.epsilon_start=0.3")]
    [InlineData("revibranch", "run.sed=5", "unknown key 'run.sed'")]
    public void Bad_input_is_refused_with_exit_2_before_any_work(string algo, string key, string message)
    {
        var (code, _, err) = CliHarness.Run("branch", "--algo", algo, key, $"run.output={_root}");
        Assert.Equal(2, code);
        Assert.Contains(message, err, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateDirectories(_root));
    }

    [Fact]
    public void A_small_run_reports_nodes_per_rule_on_held_out_instances()
    {
        var (code, output, err) = CliHarness.Run(["branch", "--algo", "revibranch", .. Small, "run.seed=3", $"run.output={_root}", "--json"]);
        Assert.True(code == 0, err);
        var s = JsonNode.Parse(output)!.AsObject();
        Assert.True(s["completed"]!.GetValue<bool>());
        Assert.Equal(2, s["epochs_done"]!.GetValue<int>());
        Assert.True(s["objectives_agree"]!.GetValue<bool>());
        var nodes = s["nodes"]!.AsObject();
        Assert.Equal(["most-fractional", "pseudo-cost", "strong", "strong-limited", "revibranch"], nodes.Select(kv => kv.Key));
        var instances = s["instances"]!.AsArray();
        Assert.Equal(2, instances.Count);
        foreach (var (rule, total) in nodes)
            Assert.Equal(total!.GetValue<long>(), instances.Sum(i => i!["nodes"]![rule]!.GetValue<long>()));
        Assert.All(instances, i => Assert.All(i!["optimal"]!.AsObject(), kv => Assert.True(kv.Value!.GetValue<bool>())));
        Assert.InRange(s["fewer_nodes_than_most_fractional"]!.GetValue<int>(), 0, 2);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(s["run"]!.GetValue<string>(), "metrics.jsonl")).Length);
    }

    [Fact]
    public void A_classic_rule_alone_runs_only_the_comparison()
    {
        var (code, output, err) = CliHarness.Run("branch", "--algo", "strong", "branch.size=12", "branch.eval_instances=2", $"run.output={_root}", "--json");
        Assert.True(code == 0, err);
        var s = JsonNode.Parse(output)!.AsObject();
        Assert.True(s["completed"]!.GetValue<bool>());
        Assert.Equal(["strong"], s["nodes"]!.AsObject().Select(kv => kv.Key));
        Assert.Equal(0, s["epochs"]!.GetValue<int>());
        Assert.Null(s["fewer_nodes_than_most_fractional"]);
    }

    [Fact]
    public void An_interrupted_run_resumes_to_the_same_result()
    {
        string[] keys = [.. Small, "run.seed=4", $"run.output={_root}"];
        var (code, output, err) = CliHarness.Run(["branch", "--algo", "revibranch", .. keys, "--json"]);
        Assert.True(code == 0, err);
        var whole = JsonNode.Parse(output)!.AsObject();

        var config = BranchRunConfig.Resolve("revibranch", OptionsBinder.ParseOverrides(keys));
        var run = RunDirectory.Create(_root, "interrupted", DateTimeOffset.UtcNow, config.ToJson());
        using var cts = new CancellationTokenSource();
        BranchSummary partial;
        using (run.Lock("test")) partial = BranchCommand.Execute(config, run, resume: false, new CancelOnWrite(cts), cts.Token);
        Assert.False(partial.Completed);
        Assert.Equal(1, partial.EpochsDone);

        var (rc, resumedOut, resumedErr) = CliHarness.Run("branch", "--resume", run.Path, "--json");
        Assert.True(rc == 0, resumedErr);
        var resumed = JsonNode.Parse(resumedOut)!.AsObject();
        Assert.True(resumed["completed"]!.GetValue<bool>());
        Assert.Equal(whole["instances"]!.ToJsonString(), resumed["instances"]!.ToJsonString());
        static string[] Curve(string dir) => File.ReadAllLines(Path.Combine(dir, "metrics.jsonl"))
            .Select(l => { var o = JsonNode.Parse(l)!.AsObject(); o.Remove("seconds"); return o.ToJsonString(); }).ToArray();
        Assert.Equal(Curve(whole["run"]!.GetValue<string>()), Curve(run.Path));
    }

    [Fact]
    public void Resume_with_settings_is_refused()
    {
        var (code, _, err) = CliHarness.Run("branch", "--resume", _root, "run.seed=2");
        Assert.Equal(2, code);
        Assert.Contains("--resume continues a run with its own config.json", err, StringComparison.Ordinal);
    }

    /// <summary>A writer that cancels the run once the first epoch is logged.</summary>
    private sealed class CancelOnWrite(CancellationTokenSource cts) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            cts.Cancel();
        }
    }
}
