using System.Text.Json.Nodes;

namespace Rewire.Cli.Tests.QualityDiversity;

/// <summary>`rewire offline --algo morec`: a malformed or unusable dataset exits 2 naming the record; a tiny run goes to the end with and without the filter.</summary>
public sealed class MorecCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rewire-morec").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string Header = "{\"format\":\"rewire-transitions\",\"version\":1,\"env\":\"cartpole\",\"observation_size\":4,\"action_kind\":\"discrete\",\"action_size\":2,\"source\":\"t\"}";

    private string Write(params string[] lines)
    {
        string path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".jsonl");
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void Malformed_datasets_are_refused_with_exit_2_naming_the_record()
    {
        string nanReward = Write(Header, "{\"episode\":0,\"step\":0,\"obs\":[0,0,0,0],\"action\":[1],\"reward\":\"NaN\",\"next_obs\":[0,0,0,0],\"terminated\":true,\"truncated\":false}");
        string noEnd = Write(Header, "{\"episode\":0,\"step\":0,\"obs\":[0,0,0,0],\"action\":[1],\"reward\":1,\"next_obs\":[0,0,0,0],\"terminated\":false,\"truncated\":false}");
        string shape = Write(Header, "{\"episode\":0,\"step\":0,\"obs\":[0,0,0],\"action\":[1],\"reward\":1,\"next_obs\":[0,0,0,0],\"terminated\":true,\"truncated\":false}");
        string tiny = Write(Header,
            "{\"episode\":0,\"step\":0,\"obs\":[0,0,0,0],\"action\":[1],\"reward\":1,\"next_obs\":[0,0,0,0],\"terminated\":true,\"truncated\":false}");
        foreach (var (file, message) in new[]
        {
            (nanReward, "line 2 (episode 0, step 0): 'reward' is missing or not a finite number"),
            (noEnd, "the last episode (0) has no end"),
            (shape, "line 2 (episode 0, step 0): 'obs' has 3 values; the header says 4"),
            (tiny, "MOREC needs at least 10"),
            (Path.Combine(_dir, "missing.jsonl"), "does not exist"),
        })
        {
            var (code, _, err) = CliHarness.Run("offline", "--algo", "morec", "--dataset", file);
            Assert.Equal(2, code);
            Assert.Contains(message, err, StringComparison.Ordinal);
        }
        var (c, _, e) = CliHarness.Run("offline", "--algo", "dcppo", "--dataset", nanReward);
        Assert.Equal(2, c);
        Assert.Contains("--dataset is read by morec", e, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tiny_run_reads_a_collected_dataset_and_finishes_with_and_without_the_filter()
    {
        string dataset = Path.Combine(_dir, "random.jsonl");
        var (code, _, err) = CliHarness.Run("collect", "--env", "cartpole", "--agent", "random", "--episodes", "20", "--output", dataset, "--json");
        Assert.True(code == 0, err);
        JsonObject Run(bool filter)
        {
            var (c, output, e) = CliHarness.Run("offline", "--algo", "morec", "--dataset", dataset, $"morec.filter={filter.ToString().ToLowerInvariant()}",
                "morec.members=2", "morec.elites=1", "morec.model_epochs=2", "morec.reward_rounds=2", "morec.discriminator_steps=2", "morec.ensemble_choosing_interval=1",
                "morec.policy_steps=300", "dqn.learning_starts=100", "dqn.train_freq=100", "dqn.gradient_steps=5", "morec.eval_episodes=2", "run.seed=4", "--json");
            Assert.True(c == 0, e);
            return JsonNode.Parse(output)!.AsObject();
        }
        var on = Run(true);
        Assert.True(on["completed"]!.GetValue<bool>());
        Assert.Equal(2, on["discriminators"]!.GetValue<int>());
        Assert.Equal(300, on["model_steps"]!.GetValue<long>());
        Assert.Equal(2, on["eval_returns"]!.AsArray().Count);
        Assert.True(on["mean_dynamics_reward"]!.GetValue<double>() > 0);
        var off = Run(false);
        Assert.Equal(0, off["discriminators"]!.GetValue<int>());
        Assert.Equal(0, off["filter_terminations"]!.GetValue<long>());
        Assert.Equal(on["transitions"]!.GetValue<int>(), off["transitions"]!.GetValue<int>());
    }
}
