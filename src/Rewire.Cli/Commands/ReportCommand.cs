using System.ComponentModel;
using Rewire.Cli.Reports;
using Rewire.Core.Runs;
using Rewire.Core.Runs.Reading;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Rewire.Cli.Commands;

/// <summary>
/// `rewire report RUN [RUN ...] [--output FILE]`: one self-contained HTML file (docs/reports.md) with every metric over
/// steps (runs overlaid, configurations diffed), reward components and weights, zero-variance and sampler shares, time per
/// stage, held-out accuracy before and after RL, and a searchable table of samples. A run that is still being written
/// (or is damaged) is reported as far as it can be read, with the problems listed in the report.
/// </summary>
public sealed class ReportCommand : Command<ReportCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<RUN>")]
        [Description("One or more run folders made by `rewire train` (runs/<timestamp>-<name>); several are overlaid.")]
        public string[] Runs { get; init; } = [];

        [CommandOption("-o|--output <FILE>")]
        [Description("The HTML file to write (default: report.html in the current folder).")]
        public string Output { get; init; } = "report.html";

        [CommandOption("--json")]
        [Description("Print what was written as one JSON document.")]
        public bool Json { get; init; }

        public override ValidationResult Validate()
        {
            if (Runs.Length == 0) return ValidationResult.Error("give at least one run folder made by `rewire train` (runs/<timestamp>-<name>)");
            if (Runs.Length > 20) return ValidationResult.Error($"{Runs.Length} run folders given; a report compares at most 20");
            foreach (var run in Runs)
            {
                if (!Directory.Exists(run)) return ValidationResult.Error($"run folder '{run}' does not exist; pass a folder made by `rewire train` (runs/<timestamp>-<name>)");
            }
            if (string.IsNullOrWhiteSpace(Output)) return ValidationResult.Error("--output is empty; give the HTML file to write, e.g. --output report.html");
            if (Directory.Exists(Output)) return ValidationResult.Error($"--output '{Output}' is a folder; give a file name, e.g. {Path.Combine(Output, "report.html")}");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        List<RunData> runs;
        try
        {
            runs = settings.Runs.Select(RunReader.Read).ToList();
        }
        catch (RunFolderException e)
        {
            // Not a run folder: refused before anything is written.
            Console.Error.WriteLine($"rewire report: {TerminalText.Clean(e.Message)}");
            return ExitCodes.Refused;
        }
        try
        {
            string html = ReportBuilder.Html(runs);
            string output = Path.GetFullPath(settings.Output);
            AtomicFile.WriteAllText(output, html);
            var problems = runs.Sum(r => r.Issues.Count);
            if (settings.Json)
            {
                JsonOutput.Write(new
                {
                    output,
                    bytes = new FileInfo(output).Length,
                    runs = runs.Select(r => new { name = r.Name, path = r.Path, steps = r.Metrics.Count, samples = r.Samples.Count, problems = r.Issues.Select(i => i.ToString()) }),
                });
                return ExitCodes.Done;
            }
            AnsiConsole.MarkupLine($"Wrote [bold]{Markup.Escape(output)}[/] ({runs.Count} run{(runs.Count == 1 ? "" : "s")}, {runs.Sum(r => r.Metrics.Count)} steps, {runs.Sum(r => r.Samples.Count)} samples); open it in a browser.");
            foreach (var r in runs)
                foreach (var p in r.Issues.Take(5))
                    AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(r.Name)}: {Markup.Escape(TerminalText.Clean(p.ToString()))}[/]");
            if (problems > 0) AnsiConsole.MarkupLine($"[yellow]{problems} problem(s) met while reading; the report lists them.[/]");
            return ExitCodes.Done;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"rewire report: could not write the report: {TerminalText.Clean(e.Message)}");
            return ExitCodes.Failed;
        }
    }
}
