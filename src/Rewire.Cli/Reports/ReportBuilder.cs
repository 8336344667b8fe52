using System.Text.Json.Nodes;

namespace Rewire.Cli.Reports;

/// <summary>Reads run folders and renders their report page: the one path `rewire report` and `rewire dashboard` share.</summary>
internal static class ReportBuilder
{
    /// <summary>The report's title: the run's folder name, or how many runs are compared.</summary>
    public static string Title(IReadOnlyList<RunFolder> runs) =>
        runs.Count == 1 ? $"Rewire report: {runs[0].Name}" : $"Rewire report: {runs.Count} runs compared";

    public static JsonObject Payload(IReadOnlyList<RunFolder> runs, JsonObject? live = null) =>
        ReportPayload.Build(runs, Title(runs), analysis: null, live);

    public static string Html(IReadOnlyList<RunFolder> runs, JsonObject? live = null) => ReportPage.Render(Payload(runs, live));
}
