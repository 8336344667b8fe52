using System.Text.Json.Nodes;

namespace Rewire.Cli.Tests.QualityDiversity;

/// <summary>`rewire offline --algo dcppo`: bad input exits 2 naming the key; a run reports reward error and regret that shrink with data.</summary>
public sealed class OfflineCommandTests
{
    [Theory]
    [InlineData("dcppo", "dcppo.beta=-1", "dcppo.beta=-1 is out of range")]
    [InlineData("dcppo", "dcppo.foo=1", "unknown key 'dcppo.foo'")]
    [InlineData("reinforce", "run.seed=1", "--algo 'reinforce' is not an offline algorithm; valid: dcppo, morec")]
    [InlineData("morec", "morec.foo=1", "'morec.foo' is not a parameter of offline_algorithm 'morec'")]
    [InlineData("morec", "morec.elites=9", "morec.elites is 9; give 1 to morec.members (7)")]
    [InlineData("morec", "dqn.gamma=2", "'dqn.gamma' = '2'")]
    [InlineData("morec", "ppo.gamma=0.9", "unknown key 'ppo.gamma'")]
    [InlineData("dcppo", "run.seed=x", "run.seed=x is not an integer")]
    public void Bad_input_is_refused_with_exit_2(string algo, string key, string message)
    {
        var (code, _, err) = CliHarness.Run("offline", "--algo", algo, key);
        Assert.Equal(2, code);
        Assert.Contains(message, err, StringComparison.Ordinal);
    }

    [Fact]
    public void More_data_gives_a_smaller_reward_error_and_regret()
    {
        JsonObject Run(int episodes)
        {
            var (code, output, err) = CliHarness.Run("offline", "--algo", "dcppo", $"dcppo.episodes={episodes}", "run.seed=3", "--json");
            Assert.True(code == 0, err);
            return JsonNode.Parse(output)!.AsObject();
        }
        var small = Run(50);
        var large = Run(20000);
        Assert.True(large["completed"]!.GetValue<bool>());
        Assert.True(large["reward_error"]!.GetValue<double>() < small["reward_error"]!.GetValue<double>() / 4);
        Assert.True(large["regret"]!.GetValue<double>() <= small["regret"]!.GetValue<double>());
        Assert.True(large["regret"]!.GetValue<double>() >= 0);
        Assert.Equal(20000 * 5, large["records"]!.GetValue<int>());
    }
}
