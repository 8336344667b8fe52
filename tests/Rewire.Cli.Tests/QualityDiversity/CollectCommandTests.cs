using System.Text.Json.Nodes;
using Rewire.Classic.Offline;

namespace Rewire.Cli.Tests.QualityDiversity;

/// <summary>`rewire collect`: datasets from a trained control agent at two skill levels and from a random policy, all valid; bad input exits 2.</summary>
public sealed class CollectCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rewire-collect").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Collected_datasets_are_valid_and_record_the_agent()
    {
        var (code, output, err) = CliHarness.Run("control", "--env", "cartpole", "--algo", "ppo", "run.steps=2048", "run.seed=1", $"run.output={_root}", "--json");
        Assert.True(code == 0, err);
        string run = JsonNode.Parse(output)!["run"]!.GetValue<string>();

        JsonObject Collect(string agent, double epsilon, string file)
        {
            var (c, o, e) = CliHarness.Run("collect", "--env", "cartpole", "--agent", agent, "--episodes", "4", "--epsilon", epsilon.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--output", Path.Combine(_root, file), "--seed", "2", "--json");
            Assert.True(c == 0, e);
            return JsonNode.Parse(o)!.AsObject();
        }
        var expert = Collect(run, 0, "expert.jsonl");
        var mixed = Collect(run, 0.5, "mixed.jsonl");
        var random = Collect("random", 0, "random.jsonl");
        foreach (var (summary, file) in new[] { (expert, "expert.jsonl"), (mixed, "mixed.jsonl"), (random, "random.jsonl") })
        {
            var (header, transitions) = TransitionDataset.Read(Path.Combine(_root, file));
            Assert.Equal("cartpole", header.Env);
            Assert.Equal(4, transitions.Select(t => t.Episode).Distinct().Count());
            Assert.Equal(summary["transitions"]!.GetValue<int>(), transitions.Count);
            // CartPole pays 1 per step: the return of an episode is its length.
            Assert.Equal(summary["mean_return"]!.GetValue<double>(), transitions.Count / 4.0, 9);
        }
        Assert.Equal(1.0, random["epsilon"]!.GetValue<double>());
    }

    [Theory]
    [InlineData("--agent", "nowhere", "nowhere")]
    [InlineData("--epsilon", "2", "--epsilon is 2")]
    [InlineData("--env", "nope", "--env 'nope' is not a control environment")]
    public void Bad_input_is_refused_with_exit_2(string option, string value, string message)
    {
        var args = new Dictionary<string, string> { ["--env"] = "cartpole", ["--agent"] = "random", ["--output"] = Path.Combine(_root, "x.jsonl"), ["--episodes"] = "1" };
        args[option] = value;
        var (code, output, err) = CliHarness.Run(["collect", .. args.SelectMany(kv => new[] { kv.Key, kv.Value })]);
        Assert.Equal(2, code);
        Assert.Contains(message, err + output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_root, "x.jsonl")));
    }
}
