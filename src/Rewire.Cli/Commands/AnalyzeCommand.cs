using System.ComponentModel;
using System.Globalization;
using Rewire.Core.Analysis;
using Rewire.Core.Runs;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Rewire.Cli.Commands;

/// <summary>Settings of `rewire analyze`.</summary>
public sealed class AnalyzeSettings : CommandSettings
{
    [CommandArgument(0, "<RUN>")]
    [Description("A run folder made by `rewire train` (runs/<timestamp>-<name>); a running run is read as far as it is written.")]
    public string Run { get; init; } = "";

    [CommandOption("--json")]
    [Description("Print the analysis as one JSON document.")]
    public bool Json { get; init; }

    public override ValidationResult Validate() =>
        Directory.Exists(Run) ? ValidationResult.Success()
            : ValidationResult.Error($"run folder '{Run}' does not exist; pass a folder made by `rewire train` (runs/<timestamp>-<name>)");
}

/// <summary>
/// `rewire analyze RUN`: what the reward rewarded. Per-component contributions (weights × means, shares of the
/// variance), their correlation with correctness, additive versus multiplicative (KRC) combination, and the detectors
/// of docs/analysis.md. Reads only the run folder (no TorchSharp, no lock). A finding does not change the exit code.
/// </summary>
public sealed class AnalyzeCommand : Command<AnalyzeSettings>
{
    public override int Execute(CommandContext context, AnalyzeSettings settings, CancellationToken cancellationToken)
    {
        RewardAnalysis analysis;
        try
        {
            analysis = RewardAnalyzer.Analyze(settings.Run);
        }
        catch (RunFolderException e)
        {
            Console.Error.WriteLine($"rewire: {TerminalText.Clean(e.Message)}");
            return ExitCodes.Refused;
        }
        if (settings.Json)
        {
            JsonOutput.Write(analysis);
            return ExitCodes.Done;
        }
        Print(analysis);
        return ExitCodes.Done;
    }

    private static string F(double? v, string format = "0.###") => v is { } d ? d.ToString(format, CultureInfo.InvariantCulture) : "-";

    private static string Text(string s) => Markup.Escape(TerminalText.Clean(s));

    private static void Print(RewardAnalysis a)
    {
        string heldOut = a.HeldOut is { } h ? $"{F(h.Before)} -> {F(h.After)} ({F(h.Change, "+0.###;-0.###;0")})" : "not yet (no summary.json)";
        AnsiConsole.MarkupLine($"[bold]{Text(a.Run)}[/]");
        AnsiConsole.MarkupLine($"{a.Steps} steps, {a.Samples} samples ({a.SamplesWithCorrectness} with correctness); held-out accuracy {Text(heldOut)}");

        if (a.Components.Count > 0)
        {
            var t = new Table().Title("reward components (total = sum of weight x component)")
                .AddColumn("component").AddColumn("w").AddColumn("mean").AddColumn("w*mean").AddColumn("share")
                .AddColumn("var").AddColumn("r_ok").AddColumn("r_acc").AddColumn("trend");
            foreach (var c in a.Components)
                t.AddRow(Text(c.Name), F(c.Weight), F(c.Mean), F(c.Contribution), F(c.ContributionShare, "0%"),
                    F(c.VarianceShare, "0%"), F(c.CorrelationWithCorrect, "0.##"), F(c.StepCorrelationWithAccuracy, "0.##"), F(c.Trend, "+0.###;-0.###;0"));
            AnsiConsole.Write(t);
            AnsiConsole.MarkupLine("w: weight (from " + Text(string.Join(", ", a.Components.Select(c => $"{c.Name}: {c.WeightSource}"))) +
                "); share: of the mean total; var: share of the total's variance; r_ok: correlation with the samples' correctness; " +
                "r_acc: with the accuracy metric over steps; trend: fitted change of the per-step mean");
            if (a.TotalReconstructionError is > 1e-9)
                AnsiConsole.MarkupLine($"[yellow]the components do not add up to the recorded reward (largest gap {F(a.TotalReconstructionError)}); the shares describe the components only[/]");
        }
        else AnsiConsole.MarkupLine("no reward components in samples.jsonl yet");

        if (a.Combination is { } cmb)
        {
            var t = new Table().Title("sum versus KRC (sign-preserving geometric mean): Shapley shares")
                .AddColumn("component").AddColumn("sum").AddColumn("KRC").AddColumn("bottleneck").AddColumn("zero");
            foreach (var c in cmb.Components)
                t.AddRow(Text(c.Name), F(c.AdditiveShare, "0%"), F(c.MultiplicativeShare, "0%"), F(c.BottleneckShare, "0%"), F(c.ZeroShare, "0%"));
            AnsiConsole.Write(t);
            AnsiConsole.MarkupLine($"mean reward: sum {F(cmb.AdditiveMean)}, KRC {F(cmb.MultiplicativeMean)} (zero in {F(cmb.MultiplicativeZeroShare, "0%")} of samples); " +
                $"correlation with correctness: sum {F(cmb.AdditiveCorrelationWithCorrect, "0.##")}, KRC {F(cmb.MultiplicativeCorrelationWithCorrect, "0.##")}");
        }

        var d = new Table().Title("detectors (docs/analysis.md)").AddColumn("detector").AddColumn("status").AddColumn("value / threshold").AddColumn("finding");
        foreach (var f in a.Detectors)
        {
            string status = f.Status switch
            {
                DetectorStatus.Fired => "[red]fired[/]",
                DetectorStatus.Clear => "[green]clear[/]",
                _ => "[grey]not applicable[/]",
            };
            d.AddRow(Text(f.Detector), status, $"{F(f.Value)} / {F(f.Threshold)}", Text(f.Message));
        }
        AnsiConsole.Write(d);

        if (a.Issues.Count > 0)
        {
            AnsiConsole.MarkupLine($"[yellow]{a.Issues.Count} part(s) of the run folder were skipped:[/]");
            foreach (var issue in a.Issues.Take(10)) AnsiConsole.MarkupLine("  " + Text(issue.ToString()));
            if (a.Issues.Count > 10) AnsiConsole.MarkupLine($"  ... and {a.Issues.Count - 10} more (--json lists them all)");
        }
    }
}
