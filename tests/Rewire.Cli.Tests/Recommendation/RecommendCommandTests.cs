using System.Text.Json.Nodes;
using Rewire.Cli.Commands;
using Rewire.Core.Configuration;
using Rewire.Core.Runs;

namespace Rewire.Cli.Tests.Recommendation;

/// <summary>`rewire recommend`: bad input is refused with exit 2 before a run folder exists; a tiny run reports both channels per request; an interrupted run resumes exactly.</summary>
public sealed class RecommendCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rewire-recommend").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static readonly string[] Small =
        ["recommend.users=40", "recommend.eval_users=10", "recommend.horizon=5", "recommend.epochs=2", "recommend.weight_epochs=2", "recommend.embedding=16",
         "recommend.heads=2", "recommend.layers=1", "recommend.batch=32", "recommend.requests=1,0"];

    [Theory]
    [InlineData("nope", "run.seed=1", "--algo 'nope' is not a recommender; valid: dt4ier")]
    [InlineData("dt4ier", "recommend.epochs=-1", "recommend.epochs=-1 is out of range")]
    [InlineData("dt4ier", "recommend.conditioning=retention", "recommend.conditioning=retention is not one of: both, clicks")]
    [InlineData("dt4ier", "recommend.requests=0.5,x", "recommend.requests=0.5,x 'x' is not a clicks share in [0, 1]")]
    [InlineData("dt4ier", "recommend.embedding=30", "recommend.embedding=30 is not divisible by recommend.heads=4")]
    [InlineData("dt4ier", "recommend.slate=17", "recommend.slate=17 is above the 16 items")]
    [InlineData("dt4ier", "recommend.nope=1", "recommend.nope is not a parameter of dt4ier")]
    [InlineData("dt4ier", "run.sed=5", "unknown key 'run.sed'")]
    public void Bad_input_is_refused_with_exit_2_before_any_work(string algo, string key, string message)
    {
        var (code, _, err) = CliHarness.Run("recommend", "--algo", algo, key, $"run.output={_root}");
        Assert.Equal(2, code);
        Assert.Contains(message, err, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateDirectories(_root));
    }

    [Fact]
    public void A_tiny_run_reports_both_channels_for_every_request()
    {
        var (code, output, err) = CliHarness.Run(["recommend", "--algo", "dt4ier", .. Small, "run.seed=3", $"run.output={_root}", "--json"]);
        Assert.True(code == 0, err);
        var s = JsonNode.Parse(output)!.AsObject();
        Assert.True(s["completed"]!.GetValue<bool>());
        Assert.Equal(2, s["epochs_done"]!.GetValue<int>());
        var requests = s["requests"]!.AsArray();
        Assert.Equal([1.0, 0.0], requests.Select(r => r!["alpha"]!.GetValue<double>()));
        // The first request's returns are the summary's; a target for clicks share 1 asks for more clicks and less retention.
        Assert.Equal(requests[0]!["clicks"]!.GetValue<double>(), s["clicks"]!.GetValue<double>());
        Assert.Equal(requests[0]!["retention"]!.GetValue<double>(), s["retention"]!.GetValue<double>());
        Assert.True(requests[0]!["target_clicks"]!.GetValue<double>() > requests[1]!["target_clicks"]!.GetValue<double>());
        Assert.True(requests[0]!["target_retention"]!.GetValue<double>() < requests[1]!["target_retention"]!.GetValue<double>());
        Assert.InRange(s["retention"]!.GetValue<double>(), 0, 5);
        Assert.InRange(s["clicks"]!.GetValue<double>(), 0, 15);
        Assert.Equal(1.0, s["mean_weight_clicks"]!.GetValue<double>() + s["mean_weight_retention"]!.GetValue<double>(), 3);
        Assert.NotNull(s["trade_off_followed"]);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(s["run"]!.GetValue<string>(), "metrics.jsonl")).Length);
    }

    [Fact]
    public void The_single_channel_baseline_conditions_on_clicks_alone()
    {
        var (code, output, err) = CliHarness.Run(["recommend", "--algo", "dt4ier", .. Small, "recommend.conditioning=clicks", "recommend.epochs=1", "run.seed=3", $"run.output={_root}", "--json"]);
        Assert.True(code == 0, err);
        var s = JsonNode.Parse(output)!.AsObject();
        Assert.True(s["completed"]!.GetValue<bool>());
        Assert.Null(s["weight_loss"]);
        Assert.Equal(1.0, s["mean_weight_clicks"]!.GetValue<double>());
        Assert.All(s["requests"]!.AsArray(), r => Assert.Equal(0.0, r!["target_retention"]!.GetValue<double>()));
    }

    [Fact]
    public void An_interrupted_run_resumes_to_the_same_result()
    {
        string[] keys = [.. Small, "run.seed=4", $"run.output={_root}"];
        var (code, output, err) = CliHarness.Run(["recommend", "--algo", "dt4ier", .. keys, "--json"]);
        Assert.True(code == 0, err);
        var whole = JsonNode.Parse(output)!.AsObject();

        var config = RecommendRunConfig.Resolve("dt4ier", OptionsBinder.ParseOverrides(keys));
        var run = RunDirectory.Create(_root, "interrupted", DateTimeOffset.UtcNow, config.ToJson());
        using var cts = new CancellationTokenSource();
        RecommendSummary partial;
        using (run.Lock("test")) partial = RecommendCommand.Execute(config, run, resume: false, new CancelOnWrite(cts, "epoch 1/"), cts.Token);
        Assert.False(partial.Completed);
        Assert.Equal(1, partial.EpochsDone);
        Assert.Empty(partial.Requests);

        var (rc, resumedOut, resumedErr) = CliHarness.Run("recommend", "--resume", run.Path, "--json");
        Assert.True(rc == 0, resumedErr);
        var resumed = JsonNode.Parse(resumedOut)!.AsObject();
        Assert.True(resumed["completed"]!.GetValue<bool>());
        Assert.Equal(whole["requests"]!.ToJsonString(), resumed["requests"]!.ToJsonString());
        Assert.Equal(whole["steps"]!.GetValue<long>(), resumed["steps"]!.GetValue<long>());
        static string[] Curve(string dir) => File.ReadAllLines(Path.Combine(dir, "metrics.jsonl"))
            .Select(l => { var o = JsonNode.Parse(l)!.AsObject(); o.Remove("seconds"); return o.ToJsonString(); }).ToArray();
        Assert.Equal(Curve(whole["run"]!.GetValue<string>()), Curve(run.Path));
    }

    [Fact]
    public void Resume_with_settings_is_refused()
    {
        var (code, _, err) = CliHarness.Run("recommend", "--resume", _root, "run.seed=2");
        Assert.Equal(2, code);
        Assert.Contains("--resume continues a run with its own config.json", err, StringComparison.Ordinal);
    }

    /// <summary>A writer that cancels the run once a line starting with <paramref name="prefix"/> is logged.</summary>
    private sealed class CancelOnWrite(CancellationTokenSource cts, string prefix) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.StartsWith(prefix, StringComparison.Ordinal) == true) cts.Cancel();
        }
    }
}
