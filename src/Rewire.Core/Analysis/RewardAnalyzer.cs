using Rewire.Core.Runs.Reading;

namespace Rewire.Core.Analysis;

/// <summary>
/// Reward analysis of a run folder: per-component contributions and correlations with correctness, the additive
/// versus multiplicative (KRC) comparison, and the detectors (docs/analysis.md). Plain C# over <see cref="RunData"/>;
/// never throws on a run's data.
/// </summary>
public static class RewardAnalyzer
{
    /// <summary>The detectors in report order.</summary>
    public static IReadOnlyList<IRewardDetector> Detectors { get; } =
        [new RewardHackingDetector(), new LengthDriftDetector(), new DominantComponentDetector(), new FormatOnlyGainsDetector()];

    /// <summary>Reads <paramref name="runFolder"/> (<see cref="RunReader.Read"/>) and analyses it.</summary>
    /// <exception cref="Runs.RunFolderException">The path is not a run folder.</exception>
    public static RewardAnalysis Analyze(string runFolder, AnalysisThresholds? thresholds = null) => Analyze(RunReader.Read(runFolder), thresholds);

    /// <summary>Analyses an already read run: component contributions, the additive versus multiplicative comparison and every detector's finding.</summary>
    /// <param name="run">The run's data as <see cref="RunReader"/> read it.</param>
    /// <param name="thresholds">The detectors' thresholds; null uses the defaults of <see cref="AnalysisThresholds"/>.</param>
    public static RewardAnalysis Analyze(RunData run, AnalysisThresholds? thresholds = null)
    {
        var t = thresholds ?? new AnalysisThresholds();
        var matrix = ComponentMatrix.From(run);
        var input = new DetectorInput(run, matrix, t);
        HeldOutAccuracy? heldOut = run.Summary is { AccuracyBeforeRl: { } b, AccuracyAfterRl: { } a } ? new HeldOutAccuracy(b, a) : null;
        return new RewardAnalysis
        {
            Run = run.Path,
            Steps = run.Metrics.Count,
            Samples = matrix.Count,
            SamplesWithCorrectness = matrix.Correct.Count(c => c is not null),
            HeldOut = heldOut,
            Components = matrix.Names.Count == 0 ? [] : ComponentAnalysis.Contributions(matrix, run),
            TotalReconstructionError = matrix.Count == 0 || matrix.Names.Count == 0 ? null
                : Enumerable.Range(0, matrix.Count).Max(i => Math.Abs(matrix.RecordedTotals[i] - matrix.Totals[i])),
            Combination = CombinationComparison.From(matrix, t.MaxCombinationComponents),
            Detectors = Detectors.Select(d => d.Detect(input)).ToArray(),
            Thresholds = t,
            Issues = run.Issues,
        };
    }
}
