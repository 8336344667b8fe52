using Rewire.Core.Analysis;

namespace Rewire.Core.Tests.Analysis;

/// <summary>Each detector on a synthetic run that has its pathology and on one that does not.</summary>
public sealed class DetectorTests
{
    private const int Steps = 20;

    private static DetectorFinding Run(IRewardDetector detector, SyntheticRun run, AnalysisThresholds? t = null)
    {
        var data = run.Read();
        return detector.Detect(new DetectorInput(data, ComponentMatrix.From(data), t ?? new AnalysisThresholds()));
    }

    /// <summary>A deterministic wiggle in [-1, 1], so series are noisy but reproducible.</summary>
    private static double Noise(int step) => Math.Sin(step * 12.9898) * 0.5 + Math.Cos(step * 4.1414) * 0.5;

    // ---- reward hacking ----

    private static SyntheticRun RisingReward(double heldOutBefore, double heldOutAfter)
    {
        var run = new SyntheticRun();
        for (int s = 1; s <= Steps; s++) run.Metric(s, 0.2 + 0.6 * (s - 1) / (Steps - 1) + 0.02 * Noise(s), rewardStd: 0.3, accuracy: 0.5);
        run.Summary(heldOutBefore, heldOutAfter);
        return run;
    }

    [Fact]
    public void HackingFiresWhenRewardRisesAndHeldOutAccuracyFalls()
    {
        using var run = RisingReward(0.50, 0.48);
        var f = Run(new RewardHackingDetector(), run);
        Assert.Equal(DetectorStatus.Fired, f.Status);
        Assert.InRange(f.Value!.Value, 1.9, 2.1); // a rise of 0.6 over a spread of 0.3
        Assert.Equal(1, f.Evidence["accuracy_source"]);
        Assert.Equal(-0.02, f.Evidence["accuracy_change"], 9);
    }

    [Fact]
    public void HackingStaysClearWhenHeldOutAccuracyRisesWithTheReward()
    {
        using var run = RisingReward(0.40, 0.90);
        var f = Run(new RewardHackingDetector(), run);
        Assert.Equal(DetectorStatus.Clear, f.Status);
        Assert.True(f.Value > 0.5);
    }

    [Fact]
    public void HackingStaysClearWhenTheRewardIsFlat()
    {
        using var run = new SyntheticRun();
        for (int s = 1; s <= Steps; s++) run.Metric(s, 0.5 + 0.02 * Noise(s), rewardStd: 0.3);
        run.Summary(0.5, 0.5);
        var f = Run(new RewardHackingDetector(), run);
        Assert.Equal(DetectorStatus.Clear, f.Status);
        Assert.True(Math.Abs(f.Value!.Value) < 0.5);
    }

    [Fact]
    public void HackingUsesTrainingAccuracyWhileTheRunHasNoSummary()
    {
        using var run = new SyntheticRun();
        for (int s = 1; s <= Steps; s++) run.Metric(s, 0.2 + 0.03 * s, rewardStd: 0.3, accuracy: 0.5 + 0.005 * Noise(s));
        var f = Run(new RewardHackingDetector(), run);
        Assert.Equal(DetectorStatus.Fired, f.Status);
        Assert.Equal(0, f.Evidence["accuracy_source"]);
    }

    [Fact]
    public void HackingNeedsEnoughSteps()
    {
        using var run = new SyntheticRun();
        for (int s = 1; s <= 3; s++) run.Metric(s, 0.3 * s);
        run.Summary(0.5, 0.4);
        var f = Run(new RewardHackingDetector(), run);
        Assert.Equal(DetectorStatus.NotApplicable, f.Status);
        Assert.Null(f.Value);
        Assert.Contains("at least 5 steps", f.Message);
    }

    // ---- length drift ----

    [Fact]
    public void LengthDriftFiresWhenTheLengthDoubles()
    {
        using var run = new SyntheticRun();
        for (int s = 1; s <= Steps; s++)
        {
            double length = 10 + 10.0 * (s - 1) / (Steps - 1);
            run.Metric(s, 0.5, length: length + 0.3 * Noise(s));
            run.Sample(s, reward: s % 2, correct: s % 2 == 1, new Dictionary<string, double> { ["verifier"] = s % 2 }, completion: new string('x', (int)length));
        }
        var f = Run(new LengthDriftDetector(), run);
        Assert.Equal(DetectorStatus.Fired, f.Status);
        Assert.InRange(f.Value!.Value, 0.9, 1.1);
        Assert.Contains("grew", f.Message);
        Assert.Equal(10, f.Evidence["max_new_tokens"]);
        Assert.True(f.Evidence.ContainsKey("length_reward_correlation"));
    }

    [Fact]
    public void LengthDriftFiresWhenTheLengthCollapses()
    {
        using var run = new SyntheticRun();
        for (int s = 1; s <= Steps; s++) run.Metric(s, 0.5, length: 10 - 8.0 * (s - 1) / (Steps - 1));
        var f = Run(new LengthDriftDetector(), run);
        Assert.Equal(DetectorStatus.Fired, f.Status);
        Assert.True(f.Value < -0.3);
        Assert.Contains("shrank", f.Message);
    }

    [Fact]
    public void LengthDriftStaysClearWhenTheLengthOnlyWobbles()
    {
        using var run = new SyntheticRun();
        for (int s = 1; s <= Steps; s++) run.Metric(s, 0.5, length: 10 + 1.5 * Noise(s));
        var f = Run(new LengthDriftDetector(), run);
        Assert.Equal(DetectorStatus.Clear, f.Status);
        Assert.True(Math.Abs(f.Value!.Value) < 0.3);
    }

    // ---- one component dominating ----

    [Fact]
    public void DominantComponentFiresWhenOneTermCarriesTheVariance()
    {
        using var run = new SyntheticRun();
        for (int i = 0; i < 40; i++)
        {
            double correct = i % 2, format = i % 10 == 0 ? 0.9 : 1.0; // format barely varies
            run.Sample(1 + i / 4, correct + format, correct == 1, new Dictionary<string, double> { ["correct"] = correct, ["format"] = format });
        }
        var f = Run(new DominantComponentDetector(), run);
        Assert.Equal(DetectorStatus.Fired, f.Status);
        Assert.True(f.Value > 0.95);
        Assert.Contains("'correct'", f.Message);
        Assert.Equal(1.0, f.Evidence["variance_share/correct"] + f.Evidence["variance_share/format"], 9);
    }

    [Fact]
    public void DominantComponentStaysClearWhenTermsShareTheVariance()
    {
        using var run = new SyntheticRun();
        for (int i = 0; i < 40; i++)
        {
            double a = i % 2, b = (i / 2) % 2; // independent, equal variance
            run.Sample(1 + i / 4, a + b, a == 1, new Dictionary<string, double> { ["a"] = a, ["b"] = b });
        }
        var f = Run(new DominantComponentDetector(), run);
        Assert.Equal(DetectorStatus.Clear, f.Status);
        Assert.Equal(0.5, f.Value!.Value, 9);
    }

    [Fact]
    public void DominantComponentUsesTheConfiguredWeights()
    {
        // The same equal-variance components, but reward.weights.a = 3: a carries 9/(9+1) = 90% of the variance.
        var config = new System.Text.Json.Nodes.JsonObject
        {
            ["reward"] = new System.Text.Json.Nodes.JsonObject { ["weights"] = new System.Text.Json.Nodes.JsonObject { ["a"] = 3.0 } },
        };
        using var run = new SyntheticRun(config);
        for (int i = 0; i < 40; i++)
        {
            double a = i % 2, b = (i / 2) % 2;
            run.Sample(1 + i / 4, 3 * a + b, a == 1, new Dictionary<string, double> { ["a"] = a, ["b"] = b });
        }
        var f = Run(new DominantComponentDetector(), run);
        Assert.Equal(DetectorStatus.Fired, f.Status);
        Assert.Equal(0.9, f.Value!.Value, 9);
    }

    [Fact]
    public void DominantComponentIsNotApplicableToASingleTerm()
    {
        using var run = new SyntheticRun();
        for (int i = 0; i < 20; i++) run.Sample(1, i % 2, i % 2 == 1, new Dictionary<string, double> { ["verifier"] = i % 2 });
        Assert.Equal(DetectorStatus.NotApplicable, Run(new DominantComponentDetector(), run).Status);
    }

    // ---- format-only gains ----

    private static SyntheticRun FormatRun(Func<int, double> accuracy)
    {
        var run = new SyntheticRun();
        for (int s = 1; s <= Steps; s++)
        {
            double formatShare = 0.2 + 0.8 * (s - 1) / (Steps - 1);
            run.Metric(s, 0.5, accuracy: accuracy(s));
            for (int j = 0; j < 4; j++)
            {
                double format = j < Math.Round(formatShare * 4) ? 1 : 0;
                bool correct = j == 0 && accuracy(s) > 0.5;
                run.Sample(s, format + (correct ? 1 : 0), correct, new Dictionary<string, double> { ["format"] = format, ["correct"] = correct ? 1 : 0 });
            }
        }
        return run;
    }

    [Fact]
    public void FormatOnlyGainsFiresWhenFormatRisesAndCorrectnessDoesNot()
    {
        using var run = FormatRun(s => 0.3 + 0.01 * Noise(s));
        var f = Run(new FormatOnlyGainsDetector(), run);
        Assert.Equal(DetectorStatus.Fired, f.Status);
        Assert.True(f.Value > 0.5);
        Assert.Equal(1, f.Evidence["correctness_from_metrics"]);
        Assert.Contains("'format'", f.Message);
    }

    [Fact]
    public void FormatOnlyGainsStaysClearWhenCorrectnessRisesToo()
    {
        using var run = FormatRun(s => 0.3 + 0.5 * (s - 1) / (Steps - 1));
        var f = Run(new FormatOnlyGainsDetector(), run);
        Assert.Equal(DetectorStatus.Clear, f.Status);
        Assert.True(f.Evidence["correctness_change"] > 0.4);
    }

    [Fact]
    public void FormatOnlyGainsUsesSampleCorrectnessWithoutTheAccuracyMetric()
    {
        using var run = new SyntheticRun();
        for (int s = 1; s <= Steps; s++)
            for (int j = 0; j < 4; j++)
            {
                double format = s > Steps / 2 || j == 0 ? 1 : 0;
                bool correct = j == 0;
                run.Sample(s, format, correct, new Dictionary<string, double> { ["format_regex"] = format, ["verifier"] = correct ? 1 : 0 });
            }
        var f = Run(new FormatOnlyGainsDetector(), run);
        Assert.Equal(DetectorStatus.Fired, f.Status);
        Assert.Equal(0, f.Evidence["correctness_from_metrics"]);
    }

    [Fact]
    public void FormatOnlyGainsIsNotApplicableWithoutAFormatComponent()
    {
        using var run = new SyntheticRun();
        for (int s = 1; s <= Steps; s++) run.Sample(s, 1, true, new Dictionary<string, double> { ["verifier"] = 1 });
        var f = Run(new FormatOnlyGainsDetector(), run);
        Assert.Equal(DetectorStatus.NotApplicable, f.Status);
        Assert.Contains("format component", f.Message);
    }
}
