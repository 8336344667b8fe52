using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Rewire.Branching;
using Rewire.Classic.Branching;
using Rewire.Core.Configuration;
using Rewire.Core.Runs;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Rewire.Cli.Commands;

/// <summary>Nodes explored on one held-out instance, per rule (summary.json).</summary>
/// <param name="Instance">Instance name.</param>
/// <param name="Nodes">Rule → nodes explored.</param>
/// <param name="Optimal">Rule → whether it proved optimality within the node limit.</param>
/// <param name="Objective">The optimum (NaN → null when no rule proved it).</param>
public sealed record BranchInstanceResult(string Instance, IReadOnlyDictionary<string, int> Nodes, IReadOnlyDictionary<string, bool> Optimal, double? Objective);

/// <summary>The summary of a `rewire branch` run (summary.json and `--json`).</summary>
/// <param name="Completed">Whether training and the whole held-out comparison finished.</param>
/// <param name="Run">The run folder.</param>
/// <param name="Algo">The algorithm (revibranch or a classic rule).</param>
/// <param name="Seed">run.seed.</param>
/// <param name="Problem">MILP class.</param>
/// <param name="Size">Instance size.</param>
/// <param name="Epochs">Training epochs asked for (0 for a classic rule).</param>
/// <param name="EpochsDone">Training epochs done.</param>
/// <param name="TrainInstances">Training instances.</param>
/// <param name="EvalInstances">Held-out instances asked for.</param>
/// <param name="Nodes">Rule → total nodes explored over the held-out instances.</param>
/// <param name="MeanNodes">Rule → mean nodes per held-out instance.</param>
/// <param name="GeometricMeanNodes">Rule → geometric mean of nodes per held-out instance.</param>
/// <param name="FewerNodesThanMostFractional">Held-out instances where ReviBranch explored fewer nodes than most-fractional (null for a classic rule).</param>
/// <param name="ObjectivesAgree">Whether every rule that proved optimality found the same optimum.</param>
/// <param name="Instances">Per held-out instance results.</param>
/// <param name="Seconds">Wall time, resumed runs included.</param>
/// <param name="StopReason">Why the run stopped early (null when completed).</param>
public sealed record BranchSummary(
    bool Completed, string Run, string Algo, int Seed, string Problem, int Size, int Epochs, int EpochsDone, int TrainInstances, int EvalInstances,
    IReadOnlyDictionary<string, long> Nodes, IReadOnlyDictionary<string, double> MeanNodes, IReadOnlyDictionary<string, double> GeometricMeanNodes,
    int? FewerNodesThanMostFractional, bool ObjectivesAgree, IReadOnlyList<BranchInstanceResult> Instances, double Seconds, string? StopReason);

/// <summary>
/// `rewire branch --algo revibranch|most-fractional|pseudo-cost|strong|strong-limited [key=value ...]`: branch-and-bound
/// on generated MILPs with LP relaxations from GLOP. ReviBranch trains its branching policy on training instances
/// (metrics.jsonl has one line per epoch; checkpoints/ the epoch and network for exact resume with --resume), then every
/// rule is compared by nodes explored on held-out instances; a classic rule alone only runs that comparison. Bad input
/// exits 2 before any work; a failure while running 1; Ctrl-C checkpoints at the next epoch or instance and exits 130.
/// </summary>
public sealed class BranchCommand : Command<BranchCommand.Settings>
{
    private const string CheckpointName = "last";
    private const string StateFile = "state.json";

    /// <summary>Command-line settings.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>The algorithm.</summary>
        [CommandOption("--algo <NAME>")]
        [Description("Algorithm: revibranch (train, then compare), or a classic rule alone: most-fractional, pseudo-cost, strong, strong-limited.")]
        public string Algo { get; init; } = "revibranch";

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
        [Description("key=value settings, for example run.seed=7 branch.problem=setcover branch.size=20 branch.epochs=10.")]
        public string[] Overrides { get; init; } = [];
    }

    /// <inheritdoc />
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var log = settings.Quiet || settings.Json ? null : Console.Out;
        return RunCommandHost.Run(() => Prepare(settings), (config, run, cancel) => Execute(config, run, settings.Resume is not null, log, cancel),
            summary => Report(summary, settings), summary => summary.Completed, e => e is BranchRunException or MilpException, cancellationToken);
    }

    /// <summary>Resolves and checks the configuration, then creates (or opens, for --resume) the run folder and takes its lock.</summary>
    public static (BranchRunConfig Config, RunDirectory Run, RunLock Lock) Prepare(Settings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string holder = "rewire branch " + (settings.Resume is not null ? "--resume " + settings.Resume : "(new run)");
        if (settings.Resume is not null)
        {
            var (existing, json) = RunCommandHost.OpenForResume(settings.Resume, settings.Overrides);
            var resumed = BranchRunConfig.FromJson(json, existing.ConfigFile);
            return (resumed, existing, existing.Lock(holder));
        }
        var config = BranchRunConfig.Resolve(settings.Algo, OptionsBinder.ParseOverrides(settings.Overrides));
        var created = RunDirectory.Create(config.Output, $"{config.Name}-{config.Algorithm}-{config.Options.Problem}-s{config.Seed}", DateTimeOffset.UtcNow, config.ToJson());
        return (config, created, created.Lock(holder));
    }

    /// <summary>Training (ReviBranch) with a checkpoint per epoch, then the held-out comparison.</summary>
    public static BranchSummary Execute(BranchRunConfig config, RunDirectory run, bool resume, TextWriter? log, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(run);
        var options = config.Options;
        using var solver = new GlopLpSolver();
        var trainer = new ReviBranchTrainer(options, solver, config.Seed);
        var clock = Stopwatch.StartNew();
        double previousSeconds = 0;
        if (resume && run.ResumeCheckpoint() is { } checkpoint)
        {
            try
            {
                var state = JsonNode.Parse(File.ReadAllText(Path.Combine(checkpoint, StateFile)))!.AsObject();
                trainer.RestoreState(state["trainer"]!.AsObject());
                previousSeconds = state["seconds"]!.GetValue<double>();
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or NullReferenceException or System.Text.Json.JsonException)
            {
                throw new BranchRunException($"the checkpoint {checkpoint} cannot be restored: {e.Message}");
            }
            if (File.Exists(run.MetricsFile)) JsonLinesWriter.TruncateToLines(run.MetricsFile, trainer.Epoch);
        }
        double Seconds() => previousSeconds + clock.Elapsed.TotalSeconds;
        void Checkpoint() => run.Checkpoints.Commit(CheckpointName, dir =>
            AtomicFile.WriteAllText(Path.Combine(dir, StateFile), new JsonObject { ["seconds"] = Seconds(), ["trainer"] = trainer.SaveState() }.ToJsonString()));

        using (var metrics = new JsonLinesWriter(run.MetricsFile))
        {
            while (!trainer.Done && !cancel.IsCancellationRequested)
            {
                var e = trainer.RunEpoch();
                metrics.Write(new JsonObject
                {
                    ["epoch"] = e.Epoch, ["epsilon"] = e.Epsilon, ["train_mean_nodes"] = e.MeanNodes, ["train_nodes_vs_most_fractional"] = e.MeanRelativeNodes,
                    ["examples"] = e.Examples, ["loss"] = e.Loss, ["seconds"] = Seconds(),
                });
                log?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"epoch {e.Epoch}/{options.Epochs}  epsilon {e.Epsilon:F3}  training nodes {e.MeanNodes:F1} ({e.MeanRelativeNodes:F3} of most-fractional)  loss {e.Loss:F5}"));
                Checkpoint();
            }
        }
        var instances = new List<BranchInstanceResult>();
        bool agree = true;
        if (trainer.Done)
        {
            IReadOnlyList<IBranchingRule>? rules = config.Algorithm == "revibranch" ? null : [trainer.Rule(config.Algorithm)];
            for (int i = 0; i < options.EvalInstances && !cancel.IsCancellationRequested; i++)
            {
                var ev = trainer.Evaluate(i, rules);
                agree &= ev.ObjectivesAgree;
                instances.Add(new BranchInstanceResult(ev.Instance, ev.Nodes, ev.Optimal, double.IsNaN(ev.Objective) ? null : ev.Objective));
                log?.WriteLine($"held-out {ev.Instance}: " + string.Join("  ", ev.Nodes.Select(kv => $"{kv.Key} {kv.Value}")));
            }
        }
        Checkpoint();
        bool completed = trainer.Done && instances.Count == options.EvalInstances;
        var summary = Summarize(config, run, trainer, instances, agree, Seconds(), completed ? null : "interrupted");
        run.WriteSummary(summary);
        if (!agree) throw new BranchRunException($"the rules disagree on an optimum (see {run.SummaryFile}); this is a bug of the branch-and-bound or the LP solver");
        return summary;
    }

    private static BranchSummary Summarize(BranchRunConfig config, RunDirectory run, ReviBranchTrainer trainer, List<BranchInstanceResult> instances, bool agree, double seconds, string? stopReason)
    {
        var options = config.Options;
        var names = instances.Count > 0 ? instances[0].Nodes.Keys.ToArray() : [];
        var total = names.ToDictionary(n => n, n => instances.Sum(i => (long)i.Nodes[n]));
        var mean = names.ToDictionary(n => n, n => Math.Round(instances.Average(i => (double)i.Nodes[n]), 3));
        var geo = names.ToDictionary(n => n, n => Math.Round(Math.Exp(instances.Average(i => Math.Log(i.Nodes[n]))), 3));
        int? fewer = names.Contains("revibranch") ? instances.Count(i => i.Nodes["revibranch"] < i.Nodes["most-fractional"]) : null;
        return new BranchSummary(stopReason is null, run.Path, config.Algorithm, config.Seed, options.Problem, options.Size, options.Epochs, trainer.Epoch,
            options.TrainInstances, options.EvalInstances, total, mean, geo, fewer, agree, instances, Math.Round(seconds, 3), stopReason);
    }

    private static void Report(BranchSummary s, Settings settings)
    {
        if (settings.Json)
        {
            JsonOutput.Write(s);
            return;
        }
        var c = CultureInfo.InvariantCulture;
        var table = new Table().AddColumn("rule").AddColumn("nodes (total)").AddColumn("mean").AddColumn("geometric mean");
        foreach (var (rule, nodes) in s.Nodes)
            table.AddRow(Markup.Escape(rule), nodes.ToString(c), s.MeanNodes[rule].ToString("F1", c), s.GeometricMeanNodes[rule].ToString("F1", c));
        AnsiConsole.MarkupLine($"run [bold]{Markup.Escape(s.Run)}[/]: {Markup.Escape(s.Algo)} on {s.EvalInstances.ToString(c)} held-out {Markup.Escape(s.Problem)} instances of size {s.Size.ToString(c)} (seed {s.Seed.ToString(c)})");
        AnsiConsole.Write(table);
        if (s.FewerNodesThanMostFractional is { } f) AnsiConsole.MarkupLine($"revibranch explored fewer nodes than most-fractional on {f.ToString(c)} of {s.Instances.Count.ToString(c)} instances");
        if (!s.Completed) AnsiConsole.MarkupLine($"stopped: {Markup.Escape(s.StopReason ?? "")} — resume with: rewire branch --resume {Markup.Escape(s.Run)}");
    }
}

/// <summary>A branching run that failed while running (exit code 1).</summary>
public sealed class BranchRunException(string message) : Exception(message);
