using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rewire.Cli.Reports;

/// <summary>
/// Renders a report as one self-contained HTML page: the charting library, the page's script and style and the data
/// are all inline, so the file opens offline from disk with no server and nothing fetched. Data from the run (prompts,
/// completions, reasons) travels only inside the JSON block, whose `&lt;`, `&gt;` and `&amp;` are escaped, and the page's
/// script puts it into the document as text, never as markup.
/// </summary>
internal static class ReportPage
{
    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    public static string Render(JsonObject payload)
    {
        string title = payload["title"]?.GetValue<string>() ?? "Rewire report";
        // The default encoder escapes <, >, & and quotes as \uXXXX, so the block cannot close its <script> element.
        string data = payload.ToJsonString(Compact);
        var html = new StringBuilder(capacity: data.Length + 80_000);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(WebUtility.HtmlEncode(title)).Append("</title>\n")
            .Append("<style>\n").Append(InlineSafe(ReportAssets.UPlotStyle, "style")).Append("\n</style>\n")
            .Append("<style>\n").Append(InlineSafe(ReportAssets.PageStyle, "style")).Append("\n</style>\n")
            .Append("</head>\n<body data-render-complete=\"0\" data-plots-rendered=\"0\" data-points-rendered=\"0\" data-script-errors=\"\">\n")
            .Append("<header><h1>").Append(WebUtility.HtmlEncode(title)).Append("</h1><div id=\"subtitle\"></div></header>\n")
            .Append("<div id=\"errors\" hidden></div>\n<main id=\"report\"></main>\n")
            .Append("<footer><details><summary>Charts drawn with uPlot ").Append(WebUtility.HtmlEncode(ReportAssets.UPlotVersion))
            .Append(" (MIT licence)</summary><pre>").Append(WebUtility.HtmlEncode(ReportAssets.UPlotLicense)).Append("</pre></details></footer>\n")
            .Append("<script type=\"application/json\" id=\"rewire-data\">").Append(data).Append("</script>\n")
            // The error hook comes first, so a failure of the library or the page script is recorded too.
            .Append("<script>\n").Append(ErrorHook).Append("\n</script>\n")
            .Append("<script>\n").Append(InlineSafe(ReportAssets.UPlotScript, "script")).Append("\n</script>\n")
            .Append("<script>\n").Append(InlineSafe(ReportAssets.PageScript, "script")).Append("\n</script>\n")
            .Append("</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>Records every script error in the body's data-script-errors attribute and shows it on the page.</summary>
    private const string ErrorHook = """
        (function () {
          function record(message) {
            var b = document.body;
            var prev = b.getAttribute('data-script-errors') || '';
            b.setAttribute('data-script-errors', prev + (prev ? ' | ' : '') + message);
            var box = document.getElementById('errors');
            if (box) { box.hidden = false; var p = document.createElement('div'); p.textContent = 'Script error: ' + message; box.appendChild(p); }
          }
          window.addEventListener('error', function (e) { record((e.message || 'error') + (e.filename ? ' at ' + e.filename + ':' + e.lineno + ':' + e.colno : '') + (e.error && e.error.stack ? ' (' + String(e.error.stack).split('\n').slice(1, 4).join(' ') + ')' : '')); });
          window.addEventListener('unhandledrejection', function (e) { record('unhandled rejection: ' + (e.reason && e.reason.message || e.reason)); });
          window.rewireRecordError = record;
        })();
        """;

    /// <summary>An inlined asset must not contain its element's closing tag (it would end the element early).</summary>
    private static string InlineSafe(string text, string element) =>
        text.Contains("</" + element, StringComparison.OrdinalIgnoreCase)
            ? throw new InvalidOperationException($"an inlined asset contains </{element}; it cannot be inlined as it is")
            : text;
}
