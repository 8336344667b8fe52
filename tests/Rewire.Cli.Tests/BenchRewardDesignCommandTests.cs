using System.Text.Json;

namespace Rewire.Cli.Tests;

public class BenchRewardDesignCommandTests
{
    [Fact]
    public void Json_reports_every_design_and_pbrs_beats_the_sparse_reward_on_the_9x9_grid()
    {
        var (code, output, err) = CliHarness.Run("bench", "reward-design", "--env", "keydoor-9", "--designs", "sparse,pbrs", "--episodes", "100", "--seed", "2", "--seeds", "1", "--json");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(output);
        var designs = doc.RootElement.GetProperty("designs");
        Assert.Equal("q", doc.RootElement.GetProperty("learner").GetString());
        Assert.True(doc.RootElement.GetProperty("completed").GetBoolean());
        var pbrs = designs.GetProperty("pbrs");
        var sparse = designs.GetProperty("sparse");
        Assert.Equal(1, pbrs.GetProperty("solved_seeds").GetInt32());
        double p = pbrs.GetProperty("median_greedy_solved_step").GetDouble();
        var s = sparse.GetProperty("median_greedy_solved_step");
        Assert.True(s.ValueKind == JsonValueKind.Null || p < s.GetDouble(), output);
        Assert.True(pbrs.GetProperty("mean_metrics").TryGetProperty("reward_design/pbrs/mean_shaping_per_step", out _));
        // Same seed, same document.
        Assert.Equal(output, CliHarness.Run("bench", "reward-design", "--env", "keydoor-9", "--designs", "sparse,pbrs", "--episodes", "100", "--seed", "2", "--seeds", "1", "--json").Out);
    }

    [Theory]
    [InlineData("--env", "cartpole")]
    [InlineData("--designs", "sparse,nope")]
    [InlineData("--set", "pbrs.potential=magic")]
    [InlineData("--set", "oni.c_int=1")]
    [InlineData("--learner", "sgd")]
    public void Bad_input_is_refused_with_exit_code_2(string option, string value)
    {
        var (code, output, err) = CliHarness.Run("bench", "reward-design", "--designs", "sparse,pbrs", option, value, "--episodes", "5", "--seeds", "1");
        Assert.Equal(2, code);
        Assert.Contains(value.Split('=')[0].Split(',')[^1].Split('.')[^1], err + output, StringComparison.Ordinal);
    }
}

public class ControlRewardDesignRefusalTests
{
    [Theory]
    [InlineData("keydoor-5", "reward.design=oni", "reward.annotator=chat", "annotator_url")]
    [InlineData("keydoor-5", "reward.design=barfi", "run.seed=1", "rewire bench reward-design")]
    [InlineData("cartpole", "reward.design=pbrs", "run.seed=1", "key-door grid family")]
    public void A_design_that_cannot_run_is_refused_before_the_run_folder_exists(string env, string design, string extra, string expected)
    {
        string root = Path.Combine(Path.GetTempPath(), "rewire-rd-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, output, err) = CliHarness.Run("control", "--env", env, "--algo", "ppo", design, extra, "run.steps=64", $"run.output={root}");
            Assert.Equal(2, code);
            Assert.Contains(expected, err + output, StringComparison.Ordinal);
            Assert.False(Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any(), "a refused run must not create a run folder");
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }
}
