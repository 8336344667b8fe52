using System.Text.Json.Nodes;

namespace Rewire.Cli.Reports;

/// <summary>
/// The files a report page inlines, embedded in the `rewire` assembly at build time: the charting library (uPlot's
/// minified script, its stylesheet, its licence and package.json, restored by `npm ci` from src/Rewire.Cli/package-lock.json)
/// and the page's own script and stylesheet (src/Rewire.Cli/Reports/Assets).
/// </summary>
internal static class ReportAssets
{
    private static readonly Lazy<string> UPlotScriptText = new(() => Read("uPlot.iife.min.js"));
    private static readonly Lazy<string> UPlotStyleText = new(() => Read("uPlot.min.css"));
    private static readonly Lazy<string> UPlotLicenseText = new(() => Read("uPlot.LICENSE"));
    private static readonly Lazy<string> UPlotVersionText = new(() =>
        (JsonNode.Parse(Read("uPlot.package.json"))?["version"]?.GetValue<string>()) ?? throw new InvalidOperationException("uPlot's package.json has no version"));
    private static readonly Lazy<string> PageScriptText = new(() => Read("report.js"));
    private static readonly Lazy<string> PageStyleText = new(() => Read("report.css"));

    public static string UPlotScript => UPlotScriptText.Value;
    public static string UPlotStyle => UPlotStyleText.Value;
    public static string UPlotLicense => UPlotLicenseText.Value;
    public static string UPlotVersion => UPlotVersionText.Value;
    public static string PageScript => PageScriptText.Value;
    public static string PageStyle => PageStyleText.Value;

    private static string Read(string name)
    {
        string logical = "Rewire.Cli.Reports." + name;
        using var stream = typeof(ReportAssets).Assembly.GetManifestResourceStream(logical)
                           ?? throw new InvalidOperationException($"the resource {logical} is not embedded in rewire; rebuild src/Rewire.Cli (its build restores it with npm ci)");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
