using System.Text.Json.Nodes;
using Rewire.Core.Analysis;
using Rewire.Core.Runs.Reading;

namespace Rewire.Cli.Reports;

/// <summary>Reads run folders, analyses their rewards and renders their report page: the one path `rewire report` and `rewire dashboard` share.</summary>
internal static class ReportBuilder
{
    /// <summary>The report's title: the run's folder name, or how many runs are compared.</summary>
    public static string Title(IReadOnlyList<RunData> runs) =>
        runs.Count == 1 ? $"Rewire report: {runs[0].Name}" : $"Rewire report: {runs.Count} runs compared";

    public static JsonObject Payload(IReadOnlyList<RunData> runs, JsonObject? live = null)
    {
        var analyses = new List<RewardAnalysis?>();
        var shown = new List<RunData>();
        foreach (var run in runs)
        {
            try
            {
                analyses.Add(Analyze(run));
                shown.Add(run);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or ArithmeticException)
            {
                // The report still shows the run's data; the reason the analysis could not be made is listed with the run.
                analyses.Add(null);
                shown.Add(run with { Issues = [.. run.Issues, new ReadIssue("(analysis)", 0, $"the reward analysis failed: {e.Message}")] });
            }
        }
        return ReportPayload.Build(shown, analyses, Title(runs), live);
    }

    public static string Html(IReadOnlyList<RunData> runs, JsonObject? live = null) => ReportPage.Render(Payload(runs, live));

    /// <summary>The reward analysis of a run (docs/analysis.md); a run without samples yet has none.</summary>
    private static RewardAnalysis? Analyze(RunData run) => run.Samples.Count == 0 && run.Metrics.Count == 0 ? null : RewardAnalyzer.Analyze(run);
}
