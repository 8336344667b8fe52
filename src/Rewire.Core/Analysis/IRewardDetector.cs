using Rewire.Core.Runs.Reading;

namespace Rewire.Core.Analysis;

/// <summary>What every detector reads: the run, its component matrix and the thresholds.</summary>
public sealed record DetectorInput(RunData Run, ComponentMatrix Components, AnalysisThresholds Thresholds);

/// <summary>A reward pathology detector: one statistic against one documented threshold (docs/analysis.md).</summary>
public interface IRewardDetector
{
    /// <summary>The detector's name in reports and JSON.</summary>
    string Name { get; }

    /// <summary>Never throws on a run's data; returns <see cref="DetectorStatus.NotApplicable"/> with the reason when data is missing.</summary>
    DetectorFinding Detect(DetectorInput input);
}
