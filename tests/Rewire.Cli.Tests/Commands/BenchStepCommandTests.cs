using System.Text.Json;
using Rewire.Cli.Commands;

namespace Rewire.Cli.Tests.Commands;

/// <summary>`rewire bench step`: refused input before any work, and a run that prints every figure.</summary>
public class BenchStepCommandTests
{
    [Theory]
    [InlineData("unknown", new[] { "bench", "step", "--workload", "gpt-5" })]
    [InlineData("--workload", new[] { "bench", "step" })]
    [InlineData("--repeats", new[] { "bench", "step", "--workload", "peer-tiny", "--repeats", "0" })]
    [InlineData("--repeats", new[] { "bench", "step", "--workload", "peer-tiny", "--repeats", "-3" })]
    [InlineData("--seed", new[] { "bench", "step", "--workload", "peer-tiny", "--seed", "-1" })]
    [InlineData("--threads", new[] { "bench", "step", "--workload", "peer-tiny", "--threads", "0" })]
    public void BadInputIsRefusedWithExitCode2AndAMessage(string mentions, string[] args)
    {
        var (code, output, error) = CliHarness.Run(args);
        Assert.Equal(2, code);
        Assert.Contains(mentions, output + error);
    }

    [Fact]
    public void UnknownWorkloadMessageListsTheWorkloads()
    {
        var (code, output, error) = CliHarness.Run("bench", "step", "--workload", "tiny");
        Assert.Equal(2, code);
        Assert.Contains("peer-tiny", output + error);
        Assert.Contains("smollm2-135m", output + error);
    }

    /// <summary>A smoke run of the whole command on peer-tiny's model with smaller batches; no figure is compared with a time.</summary>
    [Fact]
    public void PeerTinyJsonRunPrintsEveryFigurePositiveAndFinite()
    {
        BenchStepCommand.ResizeForTests = w => w with
        {
            TrainBatch = 4, TrainTokens = 16, GenerateBatch = 4, GeneratePromptTokens = 8, GenerateNewTokens = 6,
            GrpoPrompts = 3, GrpoGroupSize = 4, MatmulSize = 64, MatmulRepeats = 3,
        };
        try
        {
            var (code, output, error) = CliHarness.Run("bench", "step", "--workload", "peer-tiny", "--repeats", "1", "--json");
            Assert.True(code == 0, error);
            using var doc = JsonDocument.Parse(output);
            var root = doc.RootElement;
            Assert.Equal("peer-tiny", root.GetProperty("workload").GetString());
            Assert.Equal(809_728, root.GetProperty("parameters").GetInt64());
            Assert.Equal(2, root.GetProperty("threads").GetInt32());
            Assert.Equal(1, root.GetProperty("repeats").GetInt32());
            Assert.Equal(12, root.GetProperty("grpo_rollouts").GetInt32());
            string[] figures =
            [
                "train_tokens_per_s", "uncached_tokens_per_s", "cached_tokens_per_s", "grpo_step_seconds", "generate_s",
                "score_s", "update_s", "grpo_new_tokens", "matmul_gflops",
            ];
            foreach (var key in figures)
            {
                double v = root.GetProperty(key).GetDouble();
                Assert.True(double.IsFinite(v) && v > 0, $"{key} = {v}");
            }
            double parts = root.GetProperty("generate_s").GetDouble() + root.GetProperty("score_s").GetDouble() + root.GetProperty("update_s").GetDouble();
            Assert.Equal(root.GetProperty("grpo_step_seconds").GetDouble(), parts, 9);
            Assert.Equal(figures.Length + 5, root.EnumerateObject().Count());
        }
        finally
        {
            BenchStepCommand.ResizeForTests = null;
        }
    }
}
