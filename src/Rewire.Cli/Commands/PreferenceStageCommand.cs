using System.Globalization;
using System.Text.Json.Nodes;
using Rewire.Core.Configuration;
using Rewire.Core.Runs;
using Rewire.Torch.Checkpoints;
using Rewire.Torch.Preferences;
using Rewire.Torch.Training;
using Spectre.Console;

namespace Rewire.Cli.Commands;

/// <summary>
/// `rewire train stage=rm|dpo ...`: the preference stages. The configuration is resolved and the data read and checked
/// (<see cref="PreferencePlan"/>) before the run folder exists; then the stage's trainer runs and its summary is printed
/// (with --json, the content of summary.json and the run folder). Exit codes as `rewire train`: 0, 1, 2, 130.
/// </summary>
internal static class PreferenceStageCommand
{
    public static int Execute(TrainCommand.Settings settings, IReadOnlyList<KeyValuePair<string, string>> keys, CancellationToken cancellationToken)
    {
        PreferencePlan plan;
        RunDirectory run;
        RunLock runLock;
        try
        {
            plan = PreferencePlan.Resolve(keys);
            if (settings.DryRun)
            {
                var config = plan.ToJson();
                if (settings.Json) JsonOutput.Write(new JsonObject { ["config"] = config });
                else Console.Out.WriteLine(config.ToJsonString(RunDirectory.JsonOptions));
                return ExitCodes.Done;
            }
            var o = plan.Options;
            run = RunDirectory.Create(settings.Output, $"{o.Run.Name}-{o.Task.Name}-{o.Stage}-{plan.Technique.Name}-s{o.Run.Seed}", DateTimeOffset.UtcNow, plan.ToJson());
            runLock = run.Lock($"rewire train stage={o.Stage} (new run)");
        }
        catch (ConfigurationException e)
        {
            Console.Error.WriteLine(TerminalText.Clean(e.Message));
            return ExitCodes.Refused;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine(TerminalText.Clean(e.Message));
            return ExitCodes.Refused;
        }

        using var heldLock = runLock;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true; // stop at the next step, then evaluate and write the summary
            cts.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var observer = new LineObserver(settings.Quiet || settings.Json);
            if (!settings.Quiet && !settings.Json) Console.Out.WriteLine($"rewire train stage={plan.Options.Stage} -> {run.Path}");
            var summary = plan.Options.Stage == "rm"
                ? RewardModelTrainer.Run(plan, run, observer, cts.Token)
                : PreferenceOptimizationTrainer.Run(plan, run, observer, cts.Token);
            summary["run"] = run.Path;
            if (settings.Json || settings.JsonLines) JsonOutput.Write(summary);
            else
            {
                var table = new Table().AddColumn("result").AddColumn("value");
                foreach (var (k, v) in summary) table.AddRow(Markup.Escape(k), Markup.Escape(v is null ? "-" : v.GetValueKind() == System.Text.Json.JsonValueKind.String ? v.GetValue<string>() : v.ToJsonString()));
                AnsiConsole.Write(table);
            }
            return summary["completed"]!.GetValue<bool>() ? ExitCodes.Done : ExitCodes.Interrupted;
        }
        catch (ConfigurationException e)
        {
            Console.Error.WriteLine(TerminalText.Clean(e.Message));
            return ExitCodes.Refused;
        }
        catch (CheckpointException e)
        {
            Console.Error.WriteLine(TerminalText.Clean(e.Message));
            return ExitCodes.Failed;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>Plain progress lines (nothing when quiet).</summary>
    private sealed class LineObserver(bool quiet) : ITrainingObserver
    {
        public void Stage(string stage, string detail) { if (!quiet) Console.Out.WriteLine($"{stage}: {TerminalText.Clean(detail)}"); }

        public void SftStep(int step, int total, double loss)
        {
            if (!quiet && (step % 50 == 0 || step == total)) Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sft {step}/{total} loss {loss:0.0000}"));
        }

        public void RlStep(StepMetrics m, int total) { }

        public void Evaluated(string label, EvalResult r) { }

        public void Warning(string message) => Console.Error.WriteLine("warning: " + TerminalText.Clean(message));
    }
}
