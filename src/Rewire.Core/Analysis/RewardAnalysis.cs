using Rewire.Core.Runs.Reading;

namespace Rewire.Core.Analysis;

/// <summary>Held-out accuracy before and after RL (summary.json).</summary>
public sealed record HeldOutAccuracy(double Before, double After)
{
    /// <summary>Accuracy after RL minus accuracy before (a fraction; positive means RL helped).</summary>
    public double Change => After - Before;
}

/// <summary>
/// "What did my reward reward?": the result of <see cref="RewardAnalyzer.Analyze(RunData, AnalysisThresholds?)"/> on one run. `rewire analyze --json`
/// prints it (snake_case), and the run report shows it.
/// </summary>
public sealed record RewardAnalysis
{
    /// <summary>The run folder.</summary>
    public required string Run { get; init; }

    /// <summary>RL steps in metrics.jsonl.</summary>
    public int Steps { get; init; }

    /// <summary>Samples analysed (samples.jsonl lines with a finite reward).</summary>
    public int Samples { get; init; }

    /// <summary>Of those, samples with a correctness.</summary>
    public int SamplesWithCorrectness { get; init; }

    /// <summary>Held-out accuracy before/after RL; null while the run has no summary.json.</summary>
    public HeldOutAccuracy? HeldOut { get; init; }

    /// <summary>Each component's contribution, variance share and correlations, sorted by name.</summary>
    public IReadOnlyList<ComponentContribution> Components { get; init; } = [];

    /// <summary>
    /// The largest |recorded total − Σ w·r| over samples: 0 when the components explain the recorded reward; larger when
    /// the verifier's own total is not the sum of its components (then contributions describe the components only).
    /// </summary>
    public double? TotalReconstructionError { get; init; }

    /// <summary>Additive versus multiplicative (KRC) combination of the components; null with fewer than two components.</summary>
    public CombinationComparison? Combination { get; init; }

    /// <summary>Every detector's finding, in a fixed order.</summary>
    public IReadOnlyList<DetectorFinding> Detectors { get; init; } = [];

    /// <summary>The thresholds used.</summary>
    public required AnalysisThresholds Thresholds { get; init; }

    /// <summary>What the reader skipped (torn or corrupt lines, unreadable files).</summary>
    public IReadOnlyList<ReadIssue> Issues { get; init; } = [];

    /// <summary>The detectors that fired.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IEnumerable<DetectorFinding> Findings => Detectors.Where(d => d.Fired);
}
