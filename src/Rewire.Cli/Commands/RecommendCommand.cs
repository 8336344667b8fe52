using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Rewire.Core.Configuration;
using Rewire.Core.Runs;
using Rewire.Torch.Recommendation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Rewire.Cli.Commands;

/// <summary>The returns of one requested trade-off (summary.json).</summary>
/// <param name="Alpha">The request's clicks share α.</param>
/// <param name="TargetClicks">Clicks return conditioned on.</param>
/// <param name="TargetRetention">Retention return conditioned on (0 for the single-channel baseline).</param>
/// <param name="Clicks">Achieved mean clicks per evaluation user.</param>
/// <param name="Retention">Achieved mean retention return per evaluation user.</param>
public sealed record RecommendRequestSummary(double Alpha, double TargetClicks, double TargetRetention, double Clicks, double Retention);

/// <summary>The summary of a `rewire recommend` run (summary.json and `--json`).</summary>
/// <param name="Completed">Whether training and every request's evaluation finished.</param>
/// <param name="Run">The run folder.</param>
/// <param name="Algo">The recommender.</param>
/// <param name="Seed">run.seed.</param>
/// <param name="Conditioning">both (DT4IER) or clicks (single-channel baseline).</param>
/// <param name="Users">Logged users.</param>
/// <param name="EvalUsers">Evaluation users per request.</param>
/// <param name="Epochs">Transformer epochs asked for.</param>
/// <param name="EpochsDone">Transformer epochs done.</param>
/// <param name="Steps">Transformer optimiser steps done.</param>
/// <param name="WeightLoss">The weight generator's last epoch's balanced loss (null without one).</param>
/// <param name="MeanWeightClicks">Mean generated weight w_s of the logged users.</param>
/// <param name="MeanWeightRetention">Mean generated weight w_l of the logged users.</param>
/// <param name="DataClicks">Mean clicks per logged user (the behaviour data).</param>
/// <param name="DataRetention">Mean retention return per logged user (the behaviour data).</param>
/// <param name="Clicks">Achieved mean clicks of the first request (null when not evaluated).</param>
/// <param name="Retention">Achieved mean retention return of the first request (null when not evaluated).</param>
/// <param name="Requests">Every evaluated request.</param>
/// <param name="TradeOffFollowed">Whether, ordered by α from clicks to retention, clicks never rose and retention never fell (null with fewer than two distinct requests).</param>
/// <param name="Seconds">Wall time, resumed runs included.</param>
/// <param name="StopReason">Why the run stopped early (null when completed).</param>
public sealed record RecommendSummary(
    bool Completed, string Run, string Algo, int Seed, string Conditioning, int Users, int EvalUsers, int Epochs, int EpochsDone, long Steps,
    double? WeightLoss, double MeanWeightClicks, double MeanWeightRetention, double DataClicks, double DataRetention,
    double? Clicks, double? Retention, IReadOnlyList<RecommendRequestSummary> Requests, bool? TradeOffFollowed, double Seconds, string? StopReason);

/// <summary>
/// `rewire recommend --algo dt4ier [key=value ...]`: DT4IER on the sequential-recommendation simulator. Logs sessions of
/// mixed-quality behaviour policies, trains the weight generator and the decision transformer (metrics.jsonl has one line per
/// epoch; checkpoints/ hold the weights and AdamW moments for exact resume with --resume), then conditions it on each
/// requested trade-off and reports the clicks and retention it achieved on fresh users. Bad input exits 2 before any work;
/// a failure while running 1; Ctrl-C checkpoints at the next epoch or request and exits 130.
/// </summary>
public sealed class RecommendCommand : Command<RecommendCommand.Settings>
{
    private const string CheckpointName = "last";

    /// <summary>Command-line settings.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>The algorithm.</summary>
        [CommandOption("--algo <NAME>")]
        [Description("Recommender: dt4ier.")]
        public string Algo { get; init; } = "dt4ier";

        /// <summary>Run folder to resume.</summary>
        [CommandOption("--resume <RUN>")]
        [Description("Continue the run in this folder from its latest checkpoint.")]
        public string? Resume { get; init; }

        /// <summary>Print only the summary.</summary>
        [CommandOption("-q|--quiet")]
        [Description("Print only the final summary.")]
        public bool Quiet { get; init; }

        /// <summary>Print the summary as JSON.</summary>
        [CommandOption("--json")]
        [Description("Print the summary (the content of summary.json) as one JSON document.")]
        public bool Json { get; init; }

        /// <summary>key=value settings.</summary>
        [CommandArgument(0, "[KEYS]")]
        [Description("key=value settings, for example run.seed=7 recommend.epochs=3 recommend.requests=1,0.5,0 recommend.conditioning=clicks.")]
        public string[] Overrides { get; init; } = [];
    }

    /// <inheritdoc />
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var log = settings.Quiet || settings.Json ? null : Console.Out;
        return RunCommandHost.Run(() => Prepare(settings), (config, run, cancel) => Execute(config, run, settings.Resume is not null, log, cancel),
            summary => Report(summary, settings), summary => summary.Completed, e => e is RecommendRunException, cancellationToken);
    }

    /// <summary>Resolves and checks the configuration, then creates (or opens, for --resume) the run folder and takes its lock.</summary>
    public static (RecommendRunConfig Config, RunDirectory Run, RunLock Lock) Prepare(Settings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string holder = "rewire recommend " + (settings.Resume is not null ? "--resume " + settings.Resume : "(new run)");
        if (settings.Resume is not null)
        {
            var (existing, json) = RunCommandHost.OpenForResume(settings.Resume, settings.Overrides);
            var resumed = RecommendRunConfig.FromJson(json, existing.ConfigFile);
            return (resumed, existing, existing.Lock(holder));
        }
        var config = RecommendRunConfig.Resolve(settings.Algo, OptionsBinder.ParseOverrides(settings.Overrides));
        var created = RunDirectory.Create(config.Output, $"{config.Name}-{config.Algorithm}-{config.Options.Conditioning}-s{config.Seed}", DateTimeOffset.UtcNow, config.ToJson());
        return (config, created, created.Lock(holder));
    }

    /// <summary>Training with a checkpoint per epoch, then the evaluation of every request.</summary>
    public static RecommendSummary Execute(RecommendRunConfig config, RunDirectory run, bool resume, TextWriter? log, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(run);
        TorchSharp.torch.set_num_threads(1);   // small networks; and one thread keeps the arithmetic the same on resume
        var options = config.Options;
        using var trainer = new Dt4ierTrainer(options, config.Seed);
        var clock = Stopwatch.StartNew();
        double previousSeconds = 0;
        if (resume && run.ResumeCheckpoint() is { } checkpoint)
        {
            try
            {
                trainer.Load(checkpoint);
                var state = JsonNode.Parse(File.ReadAllText(Path.Combine(checkpoint, "run.json")))!.AsObject();
                previousSeconds = state["seconds"]!.GetValue<double>();
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or NullReferenceException or IOException
                                          or System.Text.Json.JsonException)
            {
                throw new RecommendRunException($"the checkpoint {checkpoint} cannot be restored: {e.Message}");
            }
            if (File.Exists(run.MetricsFile)) JsonLinesWriter.TruncateToLines(run.MetricsFile, trainer.Epoch);
        }
        double Seconds() => previousSeconds + clock.Elapsed.TotalSeconds;
        void Checkpoint() => run.Checkpoints.Commit(CheckpointName, dir =>
        {
            trainer.Save(dir);
            AtomicFile.WriteAllText(Path.Combine(dir, "run.json"), new JsonObject { ["seconds"] = Seconds() }.ToJsonString());
        });

        if (!trainer.WeightsTrained && !cancel.IsCancellationRequested)
        {
            double loss = trainer.TrainWeights();
            var (ws, wl) = trainer.MeanWeights;
            log?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"weight generator: balanced loss {loss:F4}, mean weights (clicks {ws:F3}, retention {wl:F3})"));
            Checkpoint();
        }
        using (var metrics = new JsonLinesWriter(run.MetricsFile))
        {
            while (trainer.WeightsTrained && !trainer.Done && !cancel.IsCancellationRequested)
            {
                var e = trainer.RunEpoch();
                metrics.Write(new JsonObject
                {
                    ["epoch"] = e.Epoch, ["steps"] = e.Steps, ["sequence_loss"] = e.SequenceLoss,
                    ["contrastive_loss"] = double.IsNaN(e.ContrastiveLoss) ? null : e.ContrastiveLoss, ["seconds"] = Seconds(),
                });
                log?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"epoch {e.Epoch}/{options.Epochs}  steps {e.Steps}  sequence loss {e.SequenceLoss:F4}  contrastive loss {e.ContrastiveLoss:F4}"));
                Checkpoint();
            }
        }
        var requests = new List<RecommendRequestSummary>();
        if (trainer.Done)
        {
            foreach (var r in trainer.Evaluate(cancel))
            {
                requests.Add(new RecommendRequestSummary(r.Alpha, Math.Round(r.TargetClicks, 4), Math.Round(r.TargetRetention, 4), Math.Round(r.Clicks, 4), Math.Round(r.Retention, 4)));
                log?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"request clicks share {r.Alpha:G3}: target (clicks {r.TargetClicks:F2}, retention {r.TargetRetention:F2}) -> achieved (clicks {r.Clicks:F2}, retention {r.Retention:F2})"));
            }
        }
        bool completed = trainer.Done && requests.Count == options.Requests.Count;
        var summary = Summarize(config, run, trainer, requests, Seconds(), completed ? null : "interrupted");
        run.WriteSummary(summary);
        return summary;
    }

    private static RecommendSummary Summarize(RecommendRunConfig config, RunDirectory run, Dt4ierTrainer trainer, List<RecommendRequestSummary> requests, double seconds, string? stopReason)
    {
        var o = config.Options;
        var (ws, wl) = trainer.MeanWeights;
        bool? followed = null;
        var ordered = requests.GroupBy(r => r.Alpha).Select(g => g.First()).OrderByDescending(r => r.Alpha).ToList();
        if (ordered.Count >= 2)
            followed = ordered.Zip(ordered.Skip(1)).All(p => p.Second.Clicks <= p.First.Clicks && p.Second.Retention >= p.First.Retention);
        var first = requests.FirstOrDefault();
        return new RecommendSummary(stopReason is null, run.Path, config.Algorithm, config.Seed, o.Conditioning, o.Users, o.EvalUsers, o.Epochs, trainer.Epoch, trainer.Steps,
            double.IsNaN(trainer.WeightLoss) ? null : Math.Round(trainer.WeightLoss, 6), Math.Round(ws, 4), Math.Round(wl, 4),
            Math.Round(trainer.Data.ClickReturns.Average(), 4), Math.Round(trainer.Data.RetentionReturns.Average(), 4),
            first?.Clicks, first?.Retention, requests, followed, Math.Round(seconds, 3), stopReason);
    }

    private static void Report(RecommendSummary s, Settings settings)
    {
        if (settings.Json)
        {
            JsonOutput.Write(s);
            return;
        }
        var c = CultureInfo.InvariantCulture;
        var table = new Table().AddColumn("clicks share").AddColumn("target clicks").AddColumn("target retention").AddColumn("clicks").AddColumn("retention");
        foreach (var r in s.Requests)
            table.AddRow(r.Alpha.ToString("G3", c), r.TargetClicks.ToString("F2", c), r.TargetRetention.ToString("F2", c), r.Clicks.ToString("F2", c), r.Retention.ToString("F2", c));
        AnsiConsole.MarkupLine($"run [bold]{Markup.Escape(s.Run)}[/]: {Markup.Escape(s.Algo)} ({Markup.Escape(s.Conditioning)}) on {s.Users.ToString(c)} logged users, seed {s.Seed.ToString(c)}; behaviour data: clicks {s.DataClicks.ToString("F2", c)}, retention {s.DataRetention.ToString("F2", c)} per user");
        AnsiConsole.Write(table);
        if (s.TradeOffFollowed is { } f) AnsiConsole.MarkupLine(f ? "the requested trade-off was followed: fewer clicks and more retention as the clicks share fell" : "the requested trade-off was NOT followed in every step");
        if (!s.Completed) AnsiConsole.MarkupLine($"stopped: {Markup.Escape(s.StopReason ?? "")} — resume with: rewire recommend --resume {Markup.Escape(s.Run)}");
    }
}

/// <summary>A recommendation run that failed while running (exit code 1).</summary>
public sealed class RecommendRunException(string message) : Exception(message);
