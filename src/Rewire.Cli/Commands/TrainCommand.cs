using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Rewire.Core.Configuration;
using Rewire.Core.Runs;
using Rewire.Torch.Checkpoints;
using Rewire.Torch.Preferences;
using Rewire.Torch.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Rewire.Cli.Commands;

/// <summary>
/// `rewire train [--config FILE] [key=value ...]`: supervised warm start, RL, evaluation, in a run folder.
/// Exit codes (<see cref="ExitCodes"/>): 0 done, 1 the run stopped (non-finite losses, a checkpoint problem), 2 invalid
/// configuration (refused before the run folder exists), 130 interrupted.
/// </summary>
public sealed class TrainCommand : Command<TrainCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-c|--config <FILE>")]
        [Description("A JSON configuration file; key=value overrides after it win.")]
        public string? Config { get; init; }

        [CommandOption("-o|--output <DIR>")]
        [Description("Parent folder of run folders (default: runs).")]
        public string Output { get; init; } = "runs";

        [CommandOption("--resume <RUN>")]
        [Description("Continue the run in this folder from its latest checkpoint.")]
        public string? Resume { get; init; }

        [CommandOption("-q|--quiet")]
        [Description("Print only the final summary.")]
        public bool Quiet { get; init; }

        [CommandOption("--jsonl")]
        [Description("Print one JSON object per event (stage, step, evaluation, summary) on standard output.")]
        public bool JsonLines { get; init; }

        [CommandOption("--json")]
        [Description("Print the final summary (the content of summary.json) as one JSON document.")]
        public bool Json { get; init; }

        [CommandOption("--dry-run")]
        [Description("Validate and print the fully resolved configuration (every technique's parameters and where each value came from); do no work and write no run folder.")]
        public bool DryRun { get; init; }

        [CommandArgument(0, "[OVERRIDES]")]
        [Description("Configuration overrides as key=value, for example rl.steps=20 seed=3.")]
        public string[] Overrides { get; init; } = [];
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        try
        {
            if (settings.Resume is null && PreferencePlan.Selects(Keys(settings))) return PreferenceStageCommand.Execute(settings, Keys(settings), cancellationToken);
        }
        catch (ConfigurationException e)
        {
            Console.Error.WriteLine(TerminalText.Clean(e.Message));
            return ExitCodes.Refused;
        }
        ResolvedTrainConfig options;
        RunDirectory run;
        RunLock runLock;
        try
        {
            if (settings.DryRun)
            {
                var resolved = Resolve(settings);
                TrainingPreflight.Check(resolved);
                if (settings.Json) JsonOutput.Write(resolved.ToJson());
                else PrintResolved(resolved);
                return 0;
            }
            (options, run, runLock) = Prepare(settings, DateTimeOffset.UtcNow);
        }
        catch (ConfigurationException e)
        {
            Console.Error.WriteLine(TerminalText.Clean(e.Message));
            return ExitCodes.Refused;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) // CheckpointException is an IOException
        {
            Console.Error.WriteLine(TerminalText.Clean(e.Message));
            return ExitCodes.Refused;
        }

        using var heldLock = runLock; // released on exit; the system releases it if the process dies
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true; // stop cleanly at the next step boundary, after a checkpoint
            cts.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            RunSummary summary;
            if (settings.JsonLines) summary = Train(options, run, settings, new JsonLinesObserver(), cts.Token);
            else if (settings.Quiet || settings.Json || Console.IsOutputRedirected) summary = Train(options, run, settings, new PlainObserver(settings.Quiet || settings.Json), cts.Token);
            else summary = TrainWithProgress(options, run, settings, cts.Token);
            Report(summary, run, settings);
            return summary.Completed ? ExitCodes.Done : ExitCodes.Interrupted;
        }
        catch (ConfigurationException e)
        {
            Console.Error.WriteLine(TerminalText.Clean(e.Message));
            return ExitCodes.Refused;
        }
        catch (RunFolderException e)
        {
            Console.Error.WriteLine(TerminalText.Clean(e.Message));
            return ExitCodes.Refused;
        }
        catch (Exception e) when (e is TrainingAbortedException or CheckpointException)
        {
            Console.Error.WriteLine(TerminalText.Clean(e.Message));
            return ExitCodes.Failed;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>
    /// Resolves the configuration (embedded defaults, recipe, file, overrides), checks all of it (<see cref="TrainingPreflight"/>),
    /// and only then creates the run folder (or opens the one to resume) and takes its lock; a resumed run's `latest` is
    /// checked under the lock. Nothing is created for a configuration that is refused.
    /// </summary>
    public static (ResolvedTrainConfig Options, RunDirectory Run, RunLock Lock) Prepare(Settings settings, DateTimeOffset now)
    {
        string holder = "rewire train " + (settings.Resume is not null ? "--resume " + settings.Resume : "(new run)");
        if (settings.Resume is not null)
        {
            if (settings.Config is not null || settings.Overrides.Length > 0)
                throw new ConfigurationException(["--resume continues a run with its own config.json; drop --config and the overrides (or start a new run)"]);
            var existing = RunDirectory.Open(settings.Resume);
            var resumed = TrainConfiguration.FromRunConfig(BoundedFile.ReadAllText(existing.ConfigFile, "the run's configuration"), existing.ConfigFile);
            TrainingPreflight.Check(resumed);
            var held = existing.Lock(holder);
            try
            {
                existing.ResumeCheckpoint(); // a missing or misdirected `latest` is refused here, before any work
            }
            catch
            {
                held.Dispose();
                throw;
            }
            return (resumed, existing, held);
        }
        var options = Resolve(settings);
        TrainingPreflight.Check(options);
        var o = options.Options;
        var run = RunDirectory.Create(settings.Output, $"{o.Run.Name}-{(o.Rl.Environment.Length > 0 ? o.Rl.Environment : o.Task.Name)}-{o.Rl.Objective}-s{o.Run.Seed}", now, OptionsBinder.ToJson(o));
        return (options, run, run.Lock(holder));
    }

    /// <summary>The configuration of a new run: the file's keys, then the overrides, resolved against the technique catalogue.</summary>
    public static ResolvedTrainConfig Resolve(Settings settings)
    {
        if (settings.Resume is not null && settings.DryRun)
            throw new ConfigurationException(["--dry-run shows the configuration of a new run; drop --resume (a run's own configuration is its config.json)"]);
        // `stage=rl` (the default) names this trainer; stage=rm and stage=dpo go to the preference stages before this.
        return TrainConfiguration.Resolve(Keys(settings).Where(kv => !(kv.Key == "stage" && kv.Value == "rl")).ToList());
    }

    /// <summary>The keys of a new run: the file's, then the overrides (with `seed=N` and `name=X` short for run.seed and run.name).</summary>
    public static List<KeyValuePair<string, string>> Keys(Settings settings)
    {
        var values = new List<KeyValuePair<string, string>>();
        if (settings.Config is not null)
        {
            values.AddRange(OptionsBinder.FlattenJson(BoundedFile.ReadAllText(settings.Config, "configuration file"), settings.Config));
        }
        // `seed=N` and `name=X` are short for run.seed and run.name.
        values.AddRange(OptionsBinder.ParseOverrides(settings.Overrides).Select(kv => kv.Key switch
        {
            "seed" => new KeyValuePair<string, string>("run.seed", kv.Value),
            "name" => new KeyValuePair<string, string>("run.name", kv.Value),
            _ => kv,
        }));
        return values;
    }

    /// <summary>The resolved configuration for a person: each technique with its parameters, then every key and its source.</summary>
    private static void PrintResolved(ResolvedTrainConfig c)
    {
        var techniques = new Table().AddColumn("kind").AddColumn("technique").AddColumn("parameters");
        foreach (var t in c.Techniques().Prepend(c.Recipe))
            techniques.AddRow(t.Descriptor.Kind, Markup.Escape(t.Name),
                Markup.Escape(string.Join("  ", t.Values.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"))));
        AnsiConsole.Write(techniques);
        var keys = new Table().AddColumn("key").AddColumn("value").AddColumn("source");
        var flat = OptionsBinder.FlattenJson(c.ToJson()["config"]!.ToJsonString(), "config");
        foreach (var (key, value) in flat.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            keys.AddRow(Markup.Escape(key), Markup.Escape(value), Markup.Escape(c.Sources.GetValueOrDefault(key, "default")));
        AnsiConsole.Write(keys);
    }

    private static RunSummary Train(ResolvedTrainConfig options, RunDirectory run, Settings settings, ITrainingObserver observer, CancellationToken cancel)
    {
        using var trainer = new RlvrTrainer(options, run, observer);
        return trainer.Run(settings.Resume is not null, cancel);
    }

    private static RunSummary TrainWithProgress(ResolvedTrainConfig options, RunDirectory run, Settings settings, CancellationToken cancel)
    {
        AnsiConsole.MarkupLine($"[bold]rewire train[/] → [blue]{Markup.Escape(run.Path)}[/]");
        RunSummary? summary = null;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var observer = new ProgressObserver(ctx, options.Options);
                using var trainer = new RlvrTrainer(options, run, observer);
                summary = trainer.Run(settings.Resume is not null, cancel);
            });
        return summary!;
    }

    private static void Report(RunSummary s, RunDirectory run, Settings settings)
    {
        if (settings.JsonLines) { Console.Out.WriteLine(JsonSerializer.Serialize(new { @event = "summary", run = run.Path, summary = s }, JsonOutput.Compact)); return; }
        if (settings.Json)
        {
            // The content of summary.json, with the run folder added.
            var o = System.Text.Json.JsonSerializer.SerializeToNode(s, JsonOutput.Compact)!.AsObject();
            o["run"] = run.Path;
            JsonOutput.Write(o);
            return;
        }
        var table = new Table().AddColumn("result").AddColumn("value");
        string F(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);
        table.AddRow("run", Markup.Escape(run.Path));
        table.AddRow("steps", s.Steps.ToString(CultureInfo.InvariantCulture));
        table.AddRow("accuracy before RL (sampled / greedy)", $"{F(s.AccuracyBeforeRl)} / {F(s.GreedyAccuracyBeforeRl)}");
        table.AddRow("accuracy after RL (sampled / greedy)", $"{F(s.AccuracyAfterRl)} / {F(s.GreedyAccuracyAfterRl)}");
        table.AddRow($"pass@{s.K} after RL", F(s.PassAtKAfterRl));
        table.AddRow("mean completion length", s.MeanLengthAfterRl.ToString("0.0", CultureInfo.InvariantCulture));
        table.AddRow("skipped updates / reward failures", $"{s.NonFiniteSkipped} / {s.RewardFailures}");
        table.AddRow("time", $"{s.Seconds:0} s");
        if (!s.Completed) table.AddRow("stopped", Markup.Escape(s.StopReason ?? "") + $" — resume with: rewire train --resume {Markup.Escape(run.Path)}");
        AnsiConsole.Write(table);
    }

    private sealed class ProgressObserver(ProgressContext ctx, TrainOptions o) : ITrainingObserver
    {
        private readonly ProgressTask _sft = ctx.AddTask("warm start", maxValue: Math.Max(1, o.Sft.Steps));
        private readonly ProgressTask _rl = ctx.AddTask("RL", maxValue: Math.Max(1, o.Rl.Steps));

        public void Stage(string stage, string detail)
        {
            if (stage == "resume") _sft.Value = _sft.MaxValue;
            AnsiConsole.MarkupLine($"[grey]{Markup.Escape(stage)}:[/] {Markup.Escape(TerminalText.Clean(detail))}");
        }

        public void SftStep(int step, int total, double loss)
        {
            _sft.Value = step;
            _sft.Description = $"warm start  loss {loss:0.000}";
        }

        public void RlStep(StepMetrics m, int total)
        {
            _sft.Value = _sft.MaxValue;
            _rl.Value = m.Step;
            _rl.Description = $"RL  step {m.Step}  reward {m.RewardMean:0.00}  acc {m.Accuracy:0.00}  {m.TokensPerSecond:0} tok/s";
        }

        public void Evaluated(string label, EvalResult r) =>
            AnsiConsole.MarkupLine($"[green]eval {Markup.Escape(label)}:[/] accuracy {r.Accuracy:0.000} (greedy {r.GreedyAccuracy:0.000}, pass@{r.K} {r.PassAtK:0.000}) on {r.Prompts} held-out prompts");

        public void Warning(string message) => AnsiConsole.MarkupLine($"[yellow]warning:[/] {Markup.Escape(TerminalText.Clean(message))}");
    }

    /// <summary>Plain text lines (redirected output, CI logs); with quiet, nothing but warnings.</summary>
    private sealed class PlainObserver(bool quiet) : ITrainingObserver
    {
        public void Stage(string stage, string detail) { if (!quiet) Console.Out.WriteLine($"{stage}: {TerminalText.Clean(detail)}"); }

        public void SftStep(int step, int total, double loss)
        {
            if (!quiet && (step % 50 == 0 || step == total)) Console.Out.WriteLine(FormattableString.Invariant($"sft {step}/{total} loss {loss:0.0000}"));
        }

        public void RlStep(StepMetrics m, int total)
        {
            if (!quiet) Console.Out.WriteLine(FormattableString.Invariant($"rl {m.Step}/{total} reward {m.RewardMean:0.000} acc {m.Accuracy:0.000} zero-var {m.ZeroVarianceShare:0.00} len {m.ResponseLengthMean:0.0} {m.TokensPerSecond:0} tok/s"));
        }

        public void Evaluated(string label, EvalResult r)
        {
            if (!quiet) Console.Out.WriteLine(FormattableString.Invariant($"eval {label}: accuracy {r.Accuracy:0.000} greedy {r.GreedyAccuracy:0.000} pass@{r.K} {r.PassAtK:0.000}"));
        }

        public void Warning(string message) => Console.Error.WriteLine("warning: " + TerminalText.Clean(message));
    }

    private sealed class JsonLinesObserver : ITrainingObserver
    {
        private static void Emit(object o) => Console.Out.WriteLine(JsonSerializer.Serialize(o, JsonOutput.Compact));
        public void Stage(string stage, string detail) => Emit(new { @event = "stage", stage, detail });
        public void SftStep(int step, int total, double loss) { if (step % 50 == 0 || step == total) Emit(new { @event = "sft", step, total, loss }); }
        public void RlStep(StepMetrics m, int total) => Emit(new { @event = "step", total, metrics = m });
        public void Evaluated(string label, EvalResult r) => Emit(new { @event = "eval", label, result = r });
        public void Warning(string message) => Emit(new { @event = "warning", message });
    }
}
