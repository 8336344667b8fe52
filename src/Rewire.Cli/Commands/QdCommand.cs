using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Rewire.Classic.Control;
using Rewire.Classic.QualityDiversity;
using Rewire.Core.Configuration;
using Rewire.Core.Runs;
using Rewire.Torch.QualityDiversity;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Rewire.Cli.Commands;

/// <summary>The summary of a `rewire qd` run (summary.json and `--json`).</summary>
public sealed record QdSummary(
    bool Completed, string Run, string Env, string Algo, int Seed, long Evaluations, long Budget, long Generations, long EnvSteps, double Coverage,
    double? BestReturn, bool ReachedGoal, long GoalEvaluations, long? FirstGoalEvaluation, int ArchiveSize, long EnvironmentFailures,
    long EnvironmentTimeouts, double Seconds, string? StopReason);

/// <summary>
/// `rewire qd --env NAME --algo map-elites|novelty|serene|taxons|stax|greedy [key=value ...]`: a quality-diversity search that
/// evolves small controllers, one episode per evaluation, in a run folder: config.json, metrics.jsonl (one line per
/// generation: coverage, best return, goal reached, the search's own figures), archive.json (the search's archive,
/// rewritten atomically at every checkpoint), checkpoints/ (the whole search state for exact resume with --resume) and
/// summary.json. A separate command rather than `rewire control`: these searches have no learner updates, environment
/// step budget or evaluation phase, but an evaluation budget, an archive and coverage. Bad input exits 2 before any
/// work; a failure while running 1; Ctrl-C checkpoints at the next generation and exits 130.
/// </summary>
public sealed class QdCommand : Command<QdCommand.Settings>
{
    private const string CheckpointName = "last";
    private const string StateFile = "state.json";
    public const string ArchiveFile = "archive.json";

    public sealed class Settings : CommandSettings
    {
        [CommandOption("--env <NAME>")]
        [Description("Environment with a behaviour descriptor: deceptive-maze, deceptive-maze-sparse, keydoor, ... (see `rewire list`).")]
        public string Env { get; init; } = "deceptive-maze";

        [CommandOption("--algo <NAME>")]
        [Description("Algorithm: map-elites, novelty, serene, taxons, stax or greedy (the return-only baseline).")]
        public string Algo { get; init; } = "map-elites";

        [CommandOption("--resume <RUN>")]
        [Description("Continue the run in this folder from its latest checkpoint.")]
        public string? Resume { get; init; }

        [CommandOption("-q|--quiet")]
        [Description("Print only the final summary.")]
        public bool Quiet { get; init; }

        [CommandOption("--json")]
        [Description("Print the summary (the content of summary.json) as one JSON document.")]
        public bool Json { get; init; }

        [CommandArgument(0, "[KEYS]")]
        [Description("key=value settings, for example run.seed=7 run.budget=20000 qd.mutation_sigma=0.1.")]
        public string[] Overrides { get; init; } = [];
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var log = settings.Quiet || settings.Json ? null : Console.Out;
        return RunCommandHost.Run(() => Prepare(settings), (config, run, cancel) => Search(config, run, settings.Resume is not null, log, cancel),
            summary => Report(summary, settings), summary => summary.Completed, e => e is EnvironmentHangException or QdRunException, cancellationToken);
    }

    /// <summary>Resolves and checks the configuration, then creates (or opens, for --resume) the run folder and takes its lock.</summary>
    public static (QdRunConfig Config, RunDirectory Run, RunLock Lock) Prepare(Settings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string holder = "rewire qd " + (settings.Resume is not null ? "--resume " + settings.Resume : "(new run)");
        if (settings.Resume is not null)
        {
            var (existing, json) = RunCommandHost.OpenForResume(settings.Resume, settings.Overrides);
            var resumed = QdRunConfig.FromJson(json, existing.ConfigFile);
            var held = existing.Lock(holder);
            try { existing.ResumeCheckpoint(); }
            catch
            {
                held.Dispose();
                throw;
            }
            return (resumed, existing, held);
        }
        var config = QdRunConfig.Resolve(settings.Env, settings.Algo, OptionsBinder.ParseOverrides(settings.Overrides));
        var created = RunDirectory.Create(config.Output, $"{config.Name}-{config.Environment}-{config.Algorithm}-s{config.Seed}", DateTimeOffset.UtcNow, config.ToJson());
        return (config, created, created.Lock(holder));
    }

    /// <summary>A new search for <paramref name="config"/> (its evaluator resets every episode with the run's seed).</summary>
    public static QdSearch CreateSearch(QdRunConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var options = config.Options;
        var space = BehaviorSpace.For(config.Environment)!;
        if (config.Algorithm is "taxons" or "stax")
        {
            // The autoencoder's small matrices: one thread is fastest, and the same thread count keeps runs reproducible.
            Rewire.Torch.Runtime.TorchRuntime.EnsureLoaded();
            TorchSharp.torch.set_num_threads(1);
        }
        var evaluator = new EpisodeEvaluator(() => ControlEnvironments.Make(config.Environment), space, config.Seed, config.Guard(), options.HiddenLayers, options.HiddenSize);
        return QdAlgorithms.Create(config.Algorithm, evaluator, options, config.Budget, config.Seed);
    }

    /// <summary>The search loop: generations until the budget is spent or <paramref name="cancel"/> fires, with checkpoints.</summary>
    public static QdSummary Search(QdRunConfig config, RunDirectory run, bool resume, TextWriter? log, CancellationToken cancel)
    {
        var search = CreateSearch(config);
        try { return Search(config, search, run, resume, log, cancel); }
        finally { (search as IDisposable)?.Dispose(); }
    }

    private static QdSummary Search(QdRunConfig config, QdSearch search, RunDirectory run, bool resume, TextWriter? log, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        double previousSeconds = 0;
        if (resume && run.ResumeCheckpoint() is { } checkpoint)
        {
            var state = JsonNode.Parse(File.ReadAllText(Path.Combine(checkpoint, StateFile)))!.AsObject();
            try { search.RestoreState(state["search"]!.AsObject()); }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or NullReferenceException)
            {
                throw new QdRunException($"the checkpoint {checkpoint} cannot be restored: {e.Message}");
            }
            previousSeconds = state["seconds"]!.GetValue<double>();
            if (File.Exists(run.MetricsFile)) JsonLinesWriter.TruncateToLines(run.MetricsFile, (int)search.Generation);
        }
        double Seconds() => previousSeconds + clock.Elapsed.TotalSeconds;

        void Checkpoint()
        {
            run.Checkpoints.Commit(CheckpointName, dir =>
                AtomicFile.WriteAllText(Path.Combine(dir, StateFile), new JsonObject { ["seconds"] = Seconds(), ["search"] = search.SaveState() }.ToJsonString()));
            AtomicFile.WriteAllText(Path.Combine(run.Path, ArchiveFile), new JsonObject
            {
                ["algorithm"] = search.Name,
                ["env"] = config.Environment,
                ["generation"] = search.Generation,
                ["evaluations"] = search.Evaluations,
                ["behavior_space"] = search.Evaluator.Space.Name,
                ["archive"] = EvaluationJson.List(search.Archive),
            }.ToJsonString());
        }

        using (var metrics = new JsonLinesWriter(run.MetricsFile))
        {
            while (!search.Done && !cancel.IsCancellationRequested)
            {
                QdGeneration g;
                try { g = search.Step(); }
                catch (EnvironmentHangException e)
                {
                    // The generation is half done: the last checkpoint (a generation boundary) stays the resume point.
                    run.WriteSummary(Summarize(config, search, run, Seconds(), "environment hung: " + e.Message));
                    throw new QdRunException($"the environment '{config.Environment}' kept hanging: {e.Message} Resume from the last checkpoint with: rewire qd --resume {run.Path}");
                }
                var line = new JsonObject
                {
                    ["generation"] = g.Generation,
                    ["evaluations"] = g.Evaluations,
                    ["env_steps"] = g.EnvSteps,
                    ["coverage"] = g.Coverage,
                    ["best_return"] = double.IsFinite(g.BestReturn) ? g.BestReturn : null,
                    ["reached_goal"] = g.ReachedGoal,
                    ["goal_evaluations"] = g.GoalEvaluations,
                    ["seconds"] = Seconds(),
                };
                foreach (var (k, v) in g.Metrics) line[k] = double.IsFinite(v) ? v : null;
                metrics.Write(line);
                if (log is not null && (g.Generation % 10 == 0 || search.Done))
                    log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"generation {g.Generation}  evaluations {g.Evaluations}/{config.Budget}  coverage {g.Coverage:F3}  best return {g.BestReturn:F3}  goal {(g.ReachedGoal ? "reached" : "not reached")}"));
                if (!search.Done && config.CheckpointEvery > 0 && search.Generation % config.CheckpointEvery == 0) Checkpoint();
            }
        }
        Checkpoint();
        var summary = Summarize(config, search, run, Seconds(), search.Done ? null : "interrupted");
        run.WriteSummary(summary);
        return summary;
    }

    private static QdSummary Summarize(QdRunConfig config, QdSearch search, RunDirectory run, double seconds, string? stopReason) =>
        new(search.Done && stopReason is null, run.Path, config.Environment, config.Algorithm, config.Seed, search.Evaluations, config.Budget, search.Generation,
            search.EnvSteps, search.Coverage, double.IsFinite(search.BestReturn) ? search.BestReturn : null, search.ReachedGoal, search.GoalEvaluations,
            search.FirstGoalEvaluation, search.Archive.Count, search.Evaluator.Failures, search.Evaluator.Timeouts, Math.Round(seconds, 3), stopReason);

    private static void Report(QdSummary s, Settings settings)
    {
        if (settings.Json)
        {
            JsonOutput.Write(s);
            return;
        }
        var c = CultureInfo.InvariantCulture;
        var table = new Table().AddColumn("").AddColumn("");
        table.AddRow("run", Markup.Escape(s.Run));
        table.AddRow("environment / algorithm", $"{Markup.Escape(s.Env)} / {Markup.Escape(s.Algo)}");
        table.AddRow("evaluations", $"{s.Evaluations.ToString(c)} of {s.Budget.ToString(c)} in {s.Generations.ToString(c)} generations ({s.EnvSteps.ToString(c)} env steps)");
        table.AddRow("coverage", s.Coverage.ToString("F3", c));
        table.AddRow("best return", s.BestReturn is { } b ? b.ToString("F3", c) : "-");
        table.AddRow("goal", s.ReachedGoal ? $"reached by {s.GoalEvaluations.ToString(c)} evaluations, first at evaluation {s.FirstGoalEvaluation?.ToString(c)}" : "not reached");
        table.AddRow("archive", s.ArchiveSize.ToString(c));
        if (s.EnvironmentFailures > 0) table.AddRow("episodes that threw", s.EnvironmentFailures.ToString(c));
        if (s.EnvironmentTimeouts > 0) table.AddRow("episodes past env.episode_timeout_ms", s.EnvironmentTimeouts.ToString(c));
        if (!s.Completed) table.AddRow("stopped", $"{Markup.Escape(s.StopReason ?? "")} — resume with: rewire qd --resume {Markup.Escape(s.Run)}");
        AnsiConsole.Write(table);
    }
}

/// <summary>A quality-diversity run that failed while running (exit code 1).</summary>
public sealed class QdRunException(string message) : Exception(message);
