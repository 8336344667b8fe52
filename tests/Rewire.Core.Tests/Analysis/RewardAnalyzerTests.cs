using System.Text.Json.Nodes;
using Rewire.Core.Analysis;

namespace Rewire.Core.Tests.Analysis;

/// <summary>Component contributions, variance shares, correlations and the whole analysis, against hand-computed values.</summary>
public sealed class RewardAnalyzerTests
{
    /// <summary>Components a (weight 2 from config) and b (default weight 1) over four samples:
    /// (a, b) = (1,0), (0,1), (1,1), (0,0); totals 2, 1, 3, 0; correct when the total is at least 2.</summary>
    private static SyntheticRun HandRun()
    {
        var run = new SyntheticRun(new JsonObject { ["reward"] = new JsonObject { ["weights"] = new JsonObject { ["a"] = 2.0 } } });
        (double A, double B)[] rows = [(1, 0), (0, 1), (1, 1), (0, 0)];
        for (int i = 0; i < rows.Length; i++)
        {
            double total = 2 * rows[i].A + rows[i].B;
            run.Sample(i + 1, total, total >= 2, new Dictionary<string, double> { ["a"] = rows[i].A, ["b"] = rows[i].B });
        }
        return run;
    }

    [Fact]
    public void ContributionsMatchTheHandComputation()
    {
        using var run = HandRun();
        var analysis = RewardAnalyzer.Analyze(run.Path);

        var a = analysis.Components.Single(c => c.Name == "a");
        var b = analysis.Components.Single(c => c.Name == "b");
        Assert.Equal((2.0, "config"), (a.Weight, a.WeightSource));
        Assert.Equal((1.0, "default"), (b.Weight, b.WeightSource));
        Assert.Equal(0.5, a.Mean, 12);
        Assert.Equal(0.5, a.Std, 12);
        Assert.Equal(1.0, a.Contribution, 12);      // mean of 2a
        Assert.Equal(0.5, b.Contribution, 12);
        Assert.Equal(2.0 / 3, a.ContributionShare, 12);
        Assert.Equal(1.0 / 3, b.ContributionShare, 12);
        // Var(total) = 1.25; Cov(2a, total) = 1; Cov(b, total) = 0.25.
        Assert.Equal(0.8, a.VarianceShare!.Value, 12);
        Assert.Equal(0.2, b.VarianceShare!.Value, 12);
        // correct = (1,0,1,0) equals a; b is uncorrelated with it.
        Assert.Equal(1.0, a.CorrelationWithCorrect!.Value, 12);
        Assert.Equal(0.0, b.CorrelationWithCorrect!.Value, 12);
        Assert.Equal(0.0, analysis.TotalReconstructionError!.Value, 12);
        Assert.Equal(4, analysis.SamplesWithCorrectness);
    }

    [Fact]
    public void DynamicWeightsOfTheStepAreUsed()
    {
        using var run = new SyntheticRun();
        run.Metric(1, 0.5, extra: [("reward_weighting/a", 0.25), ("reward_weighting/b", 0.75)]);
        run.Sample(1, 1, true, new Dictionary<string, double> { ["a"] = 1, ["b"] = 1 });
        var analysis = RewardAnalyzer.Analyze(run.Path);
        var a = analysis.Components.Single(c => c.Name == "a");
        Assert.Equal((0.25, "reward_weighting"), (a.Weight, a.WeightSource));
        Assert.Equal(0.25, a.Contribution, 12);
        Assert.Equal(0.0, analysis.TotalReconstructionError!.Value, 12);
    }

    [Fact]
    public void AReconstructionErrorShowsWhenComponentsDoNotExplainTheTotal()
    {
        using var run = new SyntheticRun();
        run.Sample(1, 0.7, true, new Dictionary<string, double> { ["a"] = 1, ["b"] = 1 });
        Assert.Equal(1.3, RewardAnalyzer.Analyze(run.Path).TotalReconstructionError!.Value, 12);
    }

    [Fact]
    public void StepCorrelationFollowsTheAccuracyMetric()
    {
        using var run = new SyntheticRun();
        for (int s = 1; s <= 6; s++)
        {
            run.Metric(s, 0.1 * s, accuracy: 0.1 * s);
            run.Sample(s, 0.1 * s, null, new Dictionary<string, double> { ["rises"] = 0.1 * s, ["falls"] = -0.1 * s });
        }
        var analysis = RewardAnalyzer.Analyze(run.Path);
        Assert.Equal(1.0, analysis.Components.Single(c => c.Name == "rises").StepCorrelationWithAccuracy!.Value, 9);
        Assert.Equal(-1.0, analysis.Components.Single(c => c.Name == "falls").StepCorrelationWithAccuracy!.Value, 9);
        Assert.Null(analysis.Components[0].CorrelationWithCorrect);
        Assert.Equal(0.5, analysis.Components.Single(c => c.Name == "rises").Trend!.Value, 9);
    }

    [Fact]
    public void AnEmptyRunGivesAnAnalysisWithEveryDetectorNotApplicable()
    {
        using var run = new SyntheticRun();
        var analysis = RewardAnalyzer.Analyze(run.Path);
        Assert.Equal(0, analysis.Steps);
        Assert.Empty(analysis.Components);
        Assert.Null(analysis.Combination);
        Assert.Null(analysis.TotalReconstructionError);
        Assert.Equal(["reward_hacking", "length_drift", "dominant_component", "format_only_gains"], analysis.Detectors.Select(d => d.Detector));
        Assert.All(analysis.Detectors, d => Assert.Equal(DetectorStatus.NotApplicable, d.Status));
        Assert.Empty(analysis.Findings);
    }

    [Fact]
    public void AnalysisCarriesTheReadersIssuesAndHeldOutAccuracy()
    {
        using var run = new SyntheticRun();
        run.Metric(1, 0.5);
        run.AppendRaw("metrics.jsonl", "{\"step\":2,"u8.ToArray());
        run.Summary(0.4, 0.6);
        var analysis = RewardAnalyzer.Analyze(run.Path);
        Assert.Equal(1, analysis.Steps);
        Assert.Single(analysis.Issues);
        Assert.Equal(0.2, analysis.HeldOut!.Change, 12);
    }
}
