using System.Text.Json;

namespace Rewire.Cli.Tests;

public class BenchSamplersCommandTests
{
    private static (int Exit, string Out) Run(params string[] args)
    {
        var (code, output, _) = CliHarness.Run(args);
        return (code, output);
    }

    [Fact]
    public void Json_output_reports_the_required_fields_per_sampler()
    {
        var (exit, output) = Run("bench", "samplers", "--quick", "--budget", "6000", "--seed", "4", "--samplers", "uniform,dapo,vade,domain_aware", "--json");
        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal("simulated", root.GetProperty("learner").GetString());
        Assert.Equal([4UL, 5UL, 6UL], root.GetProperty("seeds").EnumerateArray().Select(e => e.GetUInt64()));
        var samplers = root.GetProperty("samplers");
        Assert.Equal(["uniform", "dapo", "vade", "domain_aware"], samplers.EnumerateObject().Select(p => p.Name));
        foreach (var s in samplers.EnumerateObject())
        {
            Assert.InRange(s.Value.GetProperty("zero_variance_share").GetDouble(), 0, 1);
            Assert.True(s.Value.GetProperty("rollouts_per_useful_group").GetDouble() >= 8);
            Assert.InRange(s.Value.GetProperty("final_accuracy").GetDouble(), 0, 1);
            Assert.Equal(3, s.Value.GetProperty("per_seed").GetArrayLength());
        }
    }

    [Fact]
    public void Same_seed_prints_the_same_result()
    {
        string[] args = ["bench", "samplers", "--budget", "3000", "--seeds", "1", "--samplers", "vade", "--json"];
        Assert.Equal(Run(args).Out, Run(args).Out);
    }

    [Fact]
    public void Unknown_sampler_labels_fail_with_the_valid_list()
    {
        var (code, _, err) = CliHarness.Run("bench", "samplers", "--samplers", "uniform,thompson", "--json");
        Assert.Equal(2, code);
        Assert.Contains("thompson", err);
        Assert.Contains("domain_aware", err);
    }
}
