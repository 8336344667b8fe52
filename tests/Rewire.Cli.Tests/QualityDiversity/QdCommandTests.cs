using System.Text.Json.Nodes;
using Rewire.Cli.Commands;
using Rewire.Core.Configuration;
using Rewire.Core.Runs;

namespace Rewire.Cli.Tests.QualityDiversity;

/// <summary>`rewire qd`: bad input is refused with exit 2 before a run folder exists; a run reports its fields; an interrupted run resumes exactly.</summary>
public sealed class QdCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rewire-qd").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("deceptive-maze", "nope", "run.seed=1", "--algo 'nope' is not a quality-diversity algorithm; valid: map-elites, novelty, serene")]
    [InlineData("cartpole", "novelty", "run.seed=1", "--env 'cartpole' has no behaviour descriptor")]
    [InlineData("mazz", "novelty", "run.seed=1", "--env 'mazz' is not a control environment")]
    [InlineData("deceptive-maze", "novelty", "run.budget=0", "run.budget=0 is not an integer from 1")]
    [InlineData("deceptive-maze", "novelty", "qd.novelty_k=0", "qd.novelty_k=0 is out of range")]
    [InlineData("deceptive-maze", "map-elites", "qd.novelty_k=3", "qd.novelty_k is not a parameter of map-elites")]
    [InlineData("deceptive-maze", "novelty", "qd.mutation_sigma=abc", "qd.mutation_sigma=abc is not a finite number")]
    [InlineData("deceptive-maze", "novelty", "run.budgt=5", "unknown key 'run.budgt'")]
    [InlineData("deceptive-maze", "novelty", "budget", "'budget' is not an override")]
    public void Bad_input_is_refused_with_exit_2_before_any_work(string env, string algo, string key, string message)
    {
        var (code, _, err) = CliHarness.Run("qd", "--env", env, "--algo", algo, key, $"run.output={_root}");
        Assert.Equal(2, code);
        Assert.Contains(message, err, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateDirectories(_root));
    }

    [Fact]
    public void A_run_writes_its_archive_metrics_and_summary()
    {
        var (code, output, err) = CliHarness.Run("qd", "--env", "deceptive-maze", "--algo", "novelty", "run.budget=500", "run.seed=3", $"run.output={_root}", "--json");
        Assert.True(code == 0, err);
        var s = JsonNode.Parse(output)!.AsObject();
        Assert.True(s["completed"]!.GetValue<bool>());
        Assert.Equal(500, s["evaluations"]!.GetValue<long>());
        Assert.True(s["env_steps"]!.GetValue<long>() >= 500);
        double coverage = s["coverage"]!.GetValue<double>();
        Assert.InRange(coverage, 0.01, 1);
        Assert.NotNull(s["best_return"]);
        Assert.NotNull(s["reached_goal"]);
        string run = s["run"]!.GetValue<string>();
        var metrics = File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        Assert.Equal(s["generations"]!.GetValue<long>(), metrics.Count);
        // Coverage and best return are curves that never go down.
        for (int i = 1; i < metrics.Count; i++)
        {
            Assert.True(metrics[i]["coverage"]!.GetValue<double>() >= metrics[i - 1]["coverage"]!.GetValue<double>());
            Assert.True(metrics[i]["best_return"]!.GetValue<double>() >= metrics[i - 1]["best_return"]!.GetValue<double>());
        }
        Assert.Equal(coverage, metrics[^1]["coverage"]!.GetValue<double>());
        var archive = JsonNode.Parse(File.ReadAllText(Path.Combine(run, QdCommand.ArchiveFile)))!.AsObject();
        Assert.Equal(s["archive_size"]!.GetValue<int>(), archive["archive"]!.AsArray().Count);
    }

    /// <summary>A writer that cancels the run once it has been written to (the search logs every 10 generations).</summary>
    private sealed class CancelOnWrite(CancellationTokenSource cts) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            cts.Cancel();
        }
    }

    [Theory]
    [InlineData("map-elites", "deceptive-maze")]
    [InlineData("serene", "deceptive-maze")]
    [InlineData("stax", "deceptive-maze")]
    public void An_interrupted_run_resumes_to_the_same_archive_as_an_uninterrupted_one(string algo, string env)
    {
        string[] keys = ["run.budget=3000", "run.seed=5", "qd.population_size=50", $"run.output={_root}", .. algo is "serene" or "stax" ? new[] { "qd.chunk_size=100" } : []];
        var (code, output, err) = CliHarness.Run(["qd", "--env", env, "--algo", algo, .. keys, "--json"]);
        Assert.True(code == 0, err);
        string whole = JsonNode.Parse(output)!["run"]!.GetValue<string>();

        var config = QdRunConfig.Resolve(env, algo, OptionsBinder.ParseOverrides(keys));
        var run = RunDirectory.Create(_root, "interrupted", DateTimeOffset.UtcNow, config.ToJson());
        using var cts = new CancellationTokenSource();
        QdSummary partial;
        using (run.Lock("test")) partial = QdCommand.Search(config, run, resume: false, new CancelOnWrite(cts), cts.Token);
        Assert.False(partial.Completed);
        Assert.True(partial.Evaluations < 3000);

        var (rc, resumedOut, resumedErr) = CliHarness.Run("qd", "--resume", run.Path, "--json");
        Assert.True(rc == 0, resumedErr);
        var resumed = JsonNode.Parse(resumedOut)!.AsObject();
        Assert.True(resumed["completed"]!.GetValue<bool>());

        static JsonNode Archive(string dir) => JsonNode.Parse(File.ReadAllText(Path.Combine(dir, QdCommand.ArchiveFile)))!;
        Assert.Equal(Archive(whole).ToJsonString(), Archive(run.Path).ToJsonString());
        static string[] Curve(string dir) => File.ReadAllLines(Path.Combine(dir, "metrics.jsonl"))
            .Select(l => { var o = JsonNode.Parse(l)!.AsObject(); o.Remove("seconds"); return o.ToJsonString(); }).ToArray();
        Assert.Equal(Curve(whole), Curve(run.Path));
    }

    [Fact]
    public void Resume_with_settings_is_refused()
    {
        var (code, _, err) = CliHarness.Run("qd", "--resume", _root, "run.seed=2");
        Assert.Equal(2, code);
        Assert.Contains("--resume continues a run with its own config.json", err, StringComparison.Ordinal);
    }
}
