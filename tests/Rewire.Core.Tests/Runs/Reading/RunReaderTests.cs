using System.Text;
using Rewire.Core.Runs;
using Rewire.Core.Runs.Reading;
using Rewire.Core.Tests.Analysis;

namespace Rewire.Core.Tests.Runs.Reading;

/// <summary>The run-folder reader: reads what the trainer writes, skips (and reports) what is torn or corrupt, never throws on data.</summary>
public sealed class RunReaderTests
{
    // A metrics line and a samples line exactly as `rewire train` wrote them (the run in docs/analysis.md).
    private const string TrainerMetricsLine =
        "{\"step\":1,\"reward_mean\":0.25,\"reward_std\":0.4330127018922193,\"accuracy\":0.25,\"response_length_mean\":9,\"response_length_max\":10,\"pg_loss\":0,\"pg_clipfrac\":0,\"clipfrac_low\":0,\"clipfrac_high\":0,\"ppo_kl\":0,\"kl\":0,\"entropy\":1.5,\"grad_norm\":0.7,\"learning_rate\":0.0002,\"zero_variance_share\":0.15833333333333333,\"groups_generated\":120,\"groups_filtered\":118,\"groups_trained\":2,\"sampling_rounds\":10,\"reward_failures\":0,\"non_finite_skipped\":0,\"seconds_generate\":3.3766683,\"seconds_score\":0.1183322,\"seconds_update\":5.3E-06,\"tokens_per_second\":1185.691880683002,\"shaping/overlong_punishment/changed_fraction\":0.7020833333333333}";
    private const string TrainerSampleLine =
        "{\"step\":1,\"prompt_id\":\"train-17\",\"prompt\":\"reverse: kdq\",\"completion\":\"qdk\",\"reward\":1,\"shaped_reward\":1,\"correct\":true,\"components\":{\"verifier\":1},\"failure_reason\":null,\"finish\":\"eos\"}";

    [Fact]
    public void ReadsTheTrainersFiles()
    {
        using var run = new SyntheticRun();
        run.AppendLine("metrics.jsonl", TrainerMetricsLine);
        run.AppendLine("samples.jsonl", TrainerSampleLine);
        run.Summary(0.4, 0.9, steps: 1);
        Directory.CreateDirectory(run.File_("checkpoints/sft"));
        Directory.CreateDirectory(run.File_("checkpoints/step-000001"));
        Directory.CreateDirectory(run.File_("checkpoints/.tmp-step-000002"));
        File.WriteAllText(run.File_("checkpoints/latest"), "step-000001");

        var data = run.Read();

        Assert.Empty(data.Issues);
        var m = Assert.Single(data.Metrics);
        Assert.Equal(1, m.Step);
        Assert.Equal(0.4330127018922193, m["reward_std"]);
        Assert.Equal(5.3e-6, m["seconds_update"]);
        Assert.Equal(0.7020833333333333, m["shaping/overlong_punishment/changed_fraction"]);
        Assert.Null(m["missing"]);
        Assert.Equal("reward_mean", data.MetricNames[0]);
        Assert.Contains("shaping/overlong_punishment/changed_fraction", data.MetricNames);
        Assert.DoesNotContain("step", data.MetricNames);
        var s = Assert.Single(data.Samples);
        Assert.Equal(("train-17", "qdk", 1.0, true, "eos"), (s.PromptId, s.Completion, s.Reward, s.Correct, s.Finish));
        Assert.Equal(1.0, s.Components["verifier"]);
        Assert.Null(s.FailureReason);
        Assert.Equal(["verifier"], data.ComponentNames);
        Assert.Equal(0.9, data.Summary!.AccuracyAfterRl);
        Assert.True(data.Summary.Completed);
        Assert.Equal(["sft", "step-000001"], data.Checkpoints);
        Assert.Equal("step-000001", data.LatestCheckpoint);
        Assert.Equal("10", data.ConfigValues["rl.max_new_tokens"]);
        Assert.Equal("dapo", data.ConfigValues["rl.objective"]);
        Assert.Equal("[\"overlong_punishment\"]", data.ConfigValues["reward.shaping"]);
        Assert.Equal("{}", data.ConfigValues["reward.weights"]);
        Assert.Equal(Path.GetFileName(run.Path), data.Name);
    }

    [Fact]
    public void ATornLastLineIsSkippedAndReported()
    {
        using var run = new SyntheticRun();
        for (int step = 1; step <= 3; step++) run.Metric(step, 0.1 * step);
        run.AppendRaw("metrics.jsonl", Encoding.UTF8.GetBytes("{\"step\":4,\"reward_mean\":0.4,\"rew"));

        var data = run.Read();

        Assert.Equal([1, 2, 3], data.Metrics.Select(m => m.Step));
        var issue = Assert.Single(data.Issues);
        Assert.Equal(("metrics.jsonl", 4), (issue.File, issue.Line));
        Assert.Contains("incomplete", issue.Reason);
    }

    [Fact]
    public void CorruptLinesAreSkippedAndTheRestIsRead()
    {
        using var run = new SyntheticRun();
        run.Metric(1, 0.1);
        run.AppendLine("metrics.jsonl", "this is not json");
        run.AppendRaw("metrics.jsonl", [0xFF, 0xFE, 0x00, 0x7B, (byte)'\n']);
        run.AppendLine("metrics.jsonl", "[1,2,3]");
        run.AppendLine("metrics.jsonl", "{\"reward_mean\":0.5}");
        run.AppendLine("metrics.jsonl", "{\"step\":2.5,\"reward_mean\":0.5}");
        run.AppendLine("metrics.jsonl", "");
        run.AppendLine("metrics.jsonl", "{\"step\":3,\"reward_mean\":\"NaN\",\"kl\":\"Infinity\",\"note\":\"text\",\"nested\":{\"a\":1}}");
        run.AppendLine("samples.jsonl", "{\"step\":1,\"reward\":\"high\"}");
        run.AppendLine("samples.jsonl", "{\"step\":1,\"reward\":0.5,\"components\":{\"a\":1,\"b\":\"x\"},\"correct\":\"yes\"}");

        var data = run.Read();

        Assert.Equal([1, 3], data.Metrics.Select(m => m.Step));
        Assert.True(double.IsNaN(data.Metrics[1]["reward_mean"]!.Value));
        Assert.Equal(double.PositiveInfinity, data.Metrics[1]["kl"]);
        Assert.Null(data.Metrics[1]["note"]);
        Assert.Equal([2, 3, 4, 5, 6], data.Issues.Where(i => i.File == "metrics.jsonl").Select(i => i.Line));
        Assert.Contains("not an object", data.Issues.Single(i => i.Line == 4).Reason);
        var sample = Assert.Single(data.Samples);
        Assert.Equal(1.0, Assert.Single(sample.Components).Value);
        Assert.Null(sample.Correct);
        Assert.Equal(1, Assert.Single(data.Issues, i => i.File == "samples.jsonl").Line);
    }

    [Fact]
    public void ARepeatedStepKeepsTheLaterLine()
    {
        using var run = new SyntheticRun();
        run.Metric(2, 0.2);
        run.Metric(1, 0.1);
        run.Metric(2, 0.7);

        var data = run.Read();

        Assert.Equal([1, 2], data.Metrics.Select(m => m.Step));
        Assert.Equal(0.7, data.Metrics[1]["reward_mean"]);
        Assert.Contains("appears again", Assert.Single(data.Issues).Reason);
    }

    [Fact]
    public void MalformedDocumentsAreReportedNotThrown()
    {
        using var run = new SyntheticRun();
        File.WriteAllText(run.File_("config.json"), "{\"rl\":");
        File.WriteAllText(run.File_("summary.json"), "[]");
        run.Metric(1, 0.5);

        var data = run.Read();

        Assert.Null(data.Config);
        Assert.Empty(data.ConfigValues);
        Assert.Null(data.Summary);
        Assert.Contains(data.Issues, i => i.File == "config.json" && i.Reason.Contains("not valid JSON"));
        Assert.Contains(data.Issues, i => i.File == "summary.json" && i.Reason.Contains("not a JSON object"));
        Assert.Single(data.Metrics);
    }

    [Fact]
    public void SummaryFieldsOfTheWrongTypeAreNull()
    {
        using var run = new SyntheticRun();
        File.WriteAllText(run.File_("summary.json"), "{\"steps\":\"ten\",\"accuracy_before_rl\":0.25,\"accuracy_after_rl\":null,\"completed\":1}");

        var summary = run.Read().Summary!;

        Assert.Null(summary.Steps);
        Assert.Equal(0.25, summary.AccuracyBeforeRl);
        Assert.Null(summary.AccuracyAfterRl);
        Assert.Null(summary.Completed);
        Assert.Equal(4, summary.Raw.Count);
    }

    [Fact]
    public void AFileBeingAppendedToIsReadAsFarAsItIsWritten()
    {
        using var run = new SyntheticRun();
        using var writer = new JsonLinesWriter(run.File_("metrics.jsonl"));
        writer.Write(new { Step = 1, RewardMean = 0.5 });

        var first = run.Read();
        writer.Write(new { Step = 2, RewardMean = 0.6 });
        var second = run.Read();

        Assert.Equal([1], first.Metrics.Select(m => m.Step));
        Assert.Equal([1, 2], second.Metrics.Select(m => m.Step));
        Assert.Equal(0.6, second.Metrics[1]["reward_mean"]);
    }

    [Fact]
    public void AFolderWithOnlyAConfigIsARunThatHasNotStarted()
    {
        using var run = new SyntheticRun();

        var data = run.Read();

        Assert.Empty(data.Metrics);
        Assert.Empty(data.Samples);
        Assert.Null(data.Summary);
        Assert.Empty(data.Issues);
        Assert.Empty(data.Series("reward_mean"));
    }

    [Fact]
    public void WhatIsNotARunFolderIsRefusedWithTheFix()
    {
        string root = Directory.CreateTempSubdirectory("rewire-not-a-run").FullName;
        try
        {
            var missing = Assert.Throws<RunFolderException>(() => RunReader.Read(Path.Combine(root, "nope")));
            Assert.Contains("does not exist", missing.Message);
            var empty = Assert.Throws<RunFolderException>(() => RunReader.Read(root));
            Assert.Contains("not a run folder", empty.Message);
            File.WriteAllText(Path.Combine(root, "file.txt"), "x");
            Assert.Contains("is a file", Assert.Throws<RunFolderException>(() => RunReader.Read(Path.Combine(root, "file.txt"))).Message);
            Assert.Throws<RunFolderException>(() => RunReader.Read(""));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void SeriesFollowsStepOrderAndSkipsStepsWithoutTheMetric()
    {
        using var run = new SyntheticRun();
        run.Metric(3, 0.3, extra: ("kl", 0.03));
        run.Metric(1, 0.1, extra: ("kl", 0.01));
        run.Metric(2, 0.2);

        var data = run.Read();

        Assert.Equal([(1, 0.01), (3, 0.03)], data.Series("kl"));
        Assert.Equal([1, 2, 3], data.Series("reward_mean").Select(p => p.Step));
    }

    [Fact]
    public void RandomBytesAndFragmentsNeverMakeTheReaderOrTheAnalysisThrow()
    {
        string[] fragments =
        [
            TrainerMetricsLine, TrainerSampleLine, "{", "}", "[", "\"", "\n", "{\"step\":", "NaN", "1e999", "-0", "null", "{\"step\":1}",
            "{\"step\":2,\"reward\":1,\"components\":{\"a\":\"Infinity\",\"b\":1e308},\"correct\":true}",
            "{\"step\":3,\"reward_mean\":\"-Infinity\",\"reward_std\":1e308,\"response_length_mean\":-5}", "\u0000", "\uFFFD",
        ];
        var rng = new Random(11);
        for (int trial = 0; trial < 60; trial++)
        {
            using var run = new SyntheticRun();
            foreach (var file in new[] { "metrics.jsonl", "samples.jsonl", "summary.json", "config.json" })
            {
                using var s = new MemoryStream();
                int parts = rng.Next(0, 40);
                for (int i = 0; i < parts; i++)
                {
                    if (rng.Next(4) == 0)
                    {
                        var junk = new byte[rng.Next(1, 30)];
                        rng.NextBytes(junk);
                        s.Write(junk);
                    }
                    else s.Write(Encoding.UTF8.GetBytes(fragments[rng.Next(fragments.Length)]));
                    if (rng.Next(3) > 0) s.WriteByte((byte)'\n');
                }
                File.WriteAllBytes(run.File_(file), s.ToArray());
            }
            var data = run.Read();
            var analysis = Rewire.Core.Analysis.RewardAnalyzer.Analyze(data);
            Assert.Equal(4, analysis.Detectors.Count);
            _ = System.Text.Json.JsonSerializer.Serialize(analysis, RunDirectory.JsonOptions);
        }
    }
}
