using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Rewire.Classic.Control;
using Rewire.Core.Configuration;
using Rewire.Core.Runs;
using Rewire.Core.Techniques;
using Rewire.Torch.Checkpoints;
using Rewire.Torch.Control;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Rewire.Cli.Commands;

/// <summary>The summary of a `rewire control` run (summary.json and `--json`).</summary>
public sealed record ControlSummary(
    bool Completed, string Run, string Env, string Algo, string RewardDesign, int Seed, long EnvSteps, long StepBudget, long Updates, long Episodes,
    [property: JsonPropertyName("mean_return_last_100")] double? MeanReturnLast100, double? EvalMeanReturn, int EvalEpisodes, double Seconds,
    long StepFailures, long StepTimeouts, string? StopReason);

/// <summary>
/// `rewire control --env NAME --algo ppo|dqn [key=value ...]`: trains a control learner in a run folder (config.json,
/// metrics.jsonl with one line per update, checkpoints/ for exact resume with --resume, summary.json), then evaluates the
/// deterministic policy. Keys: run.* and eval.episodes (<see cref="ControlRunConfig.RunKeys"/>), the algorithm's
/// parameters as ppo.* / dqn.*, and reward.design=NAME with its reward.* parameters, the hook through which reward
/// designs wrap the training environments, and env.step_timeout_ms / env.max_abandoned, the time budget of the training
/// environments' calls (see <see cref="EnvironmentCallGuard"/>). Bad input exits 2 before any work; a failure while
/// running 1 (an environment that keeps hanging until env.max_abandoned calls are stuck is one); Ctrl-C writes a
/// checkpoint and exits 130.
/// </summary>
public sealed class ControlCommand : Command<ControlCommand.Settings>
{
    private const string CheckpointName = "last";
    private const string RunStateFile = "run.json";
    private const string DesignStateFile = "design.json";

    public sealed class Settings : CommandSettings
    {
        [CommandOption("--env <NAME>")]
        [Description("Environment: cartpole, mountaincar, mountaincar-continuous, acrobot, pendulum (see `rewire list`).")]
        public string Env { get; init; } = "cartpole";

        [CommandOption("--algo <NAME>")]
        [Description("Algorithm: ppo or dqn.")]
        public string Algo { get; init; } = "ppo";

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
        [Description("key=value settings, for example run.seed=7 run.steps=50000 ppo.n_epochs=10 reward.design=none.")]
        public string[] Overrides { get; init; } = [];
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return RunCommandHost.Run(() => Prepare(settings), (config, run, cancel) => Train(config, run, settings, cancel),
            summary => Report(summary, settings), summary => summary.Completed, e => e is CheckpointException or ControlRunException, cancellationToken);
    }

    /// <summary>Trains with a progress bar on an interactive terminal, plain log lines otherwise (none with --quiet or --json).</summary>
    private static ControlSummary Train(ControlRunConfig config, RunDirectory run, Settings settings, CancellationToken cancel)
    {
        bool quiet = settings.Quiet || settings.Json;
        bool resume = settings.Resume is not null;
        if (quiet || Console.IsOutputRedirected) return Train(config, run, resume, null, quiet ? null : Console.Out, cancel);
        ControlSummary? s = null;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask($"{config.Algorithm.Name} on {config.Environment}", maxValue: config.Steps);
                s = Train(config, run, resume, (u, mean) =>
                {
                    task.Value = Math.Min(u.EnvSteps, config.Steps);
                    task.Description = $"{config.Algorithm.Name} on {config.Environment} · mean return {(mean is { } m ? m.ToString("F1", CultureInfo.InvariantCulture) : "-")}";
                }, null, cancel);
            });
        return s!;
    }

    /// <summary>Resolves and checks the whole configuration, then creates (or opens, for --resume) the run folder and takes its lock.</summary>
    public static (ControlRunConfig Config, RunDirectory Run, RunLock Lock) Prepare(Settings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string holder = "rewire control " + (settings.Resume is not null ? "--resume " + settings.Resume : "(new run)");
        if (settings.Resume is not null)
        {
            var (existing, json) = RunCommandHost.OpenForResume(settings.Resume, settings.Overrides);
            var resumed = ControlRunConfig.FromJson(json, existing.ConfigFile);
            var held = existing.Lock(holder);
            try { existing.ResumeCheckpoint(); }
            catch
            {
                held.Dispose();
                throw;
            }
            return (resumed, existing, held);
        }
        var config = ControlRunConfig.Resolve(settings.Env, settings.Algo, OptionsBinder.ParseOverrides(settings.Overrides));
        var created = RunDirectory.Create(config.Output, $"{config.Name}-{config.Environment}-{config.Algorithm.Name}-s{config.Seed}", DateTimeOffset.UtcNow, config.ToJson());
        return (config, created, created.Lock(holder));
    }

    /// <summary>
    /// The training loop: updates until the budget is spent or <paramref name="cancel"/> fires, checkpoints, then evaluates.
    /// <paramref name="environment"/> replaces the registry's spec of <c>config.Environment</c> (a program or test that
    /// does not register its environment). An environment that keeps hanging (<see cref="EnvironmentHangException"/>)
    /// ends it with <see cref="ControlRunException"/> after summary.json records why.
    /// </summary>
    public static ControlSummary Train(ControlRunConfig config, RunDirectory run, bool resume, Action<ControlUpdate, double?>? progress, TextWriter? log, CancellationToken cancel,
        ControlEnvironmentSpec? environment = null)
    {
        Rewire.Torch.Runtime.TorchRuntime.EnsureLoaded();
        TorchSharp.torch.set_num_threads(config.Threads);
        var spec = environment ?? ControlEnvironments.Spec(config.Environment);
        var designContext = new RewardDesignContext(config.RewardDesign, config.Environment, config.Seed,
            config.Algorithm.Descriptor.Parameter("gamma") is not null ? config.Algorithm.Double("gamma") : 0.99);
        var design = RewardDesigns.Create(designContext);
        var environments = ControlEnvironmentSet.From(spec.Create, spec.MaxEpisodeSteps, (e, i) => RewardDesigns.Wrap(design, e, i, designContext))
            with { Guard = config.EnvironmentGuard() };
        var clock = Stopwatch.StartNew();
        double previousSeconds = 0;
        IControlLearner created;
        try { created = ControlAlgorithms.Create(config.Algorithm, environments, config.Steps, config.Seed); }
        catch (EnvironmentHangException e)
        {
            throw new ControlRunException($"the environment '{config.Environment}' kept hanging before training started: {e.Message}");
        }
        using var learner = created;
        if (resume && run.ResumeCheckpoint() is { } checkpoint)
        {
            learner.Load(checkpoint);
            if (design is IStatefulTechnique sd && File.Exists(Path.Combine(checkpoint, DesignStateFile)))
                sd.RestoreState(JsonNode.Parse(File.ReadAllText(Path.Combine(checkpoint, DesignStateFile)))!.AsObject());
            previousSeconds = JsonNode.Parse(File.ReadAllText(Path.Combine(checkpoint, RunStateFile)))!["seconds"]!.GetValue<double>();
            if (File.Exists(run.MetricsFile)) JsonLinesWriter.TruncateToLines(run.MetricsFile, (int)learner.Updates);
        }
        double Seconds() => previousSeconds + clock.Elapsed.TotalSeconds;

        void Checkpoint() => run.Checkpoints.Commit(CheckpointName, dir =>
        {
            learner.Save(dir);
            if (design is IStatefulTechnique sd) AtomicFile.WriteAllText(Path.Combine(dir, DesignStateFile), sd.SaveState().ToJsonString());
            AtomicFile.WriteAllText(Path.Combine(dir, RunStateFile), new JsonObject { ["seconds"] = Seconds(), ["updates"] = learner.Updates }.ToJsonString());
        });

        using (var metrics = new JsonLinesWriter(run.MetricsFile))
        {
            while (!learner.Done && !cancel.IsCancellationRequested)
            {
                ControlUpdate u;
                try { u = learner.Update(); }
                catch (EnvironmentHangException e)
                {
                    // No checkpoint from here: the update is half done and the hung instance's state cannot be read
                    // safely while its thread still runs. The last checkpoint (an update boundary) stays the resume point.
                    string resumePoint = run.Checkpoints.Latest() is not null
                        ? $"The last checkpoint (written at update {LastCheckpointUpdate(run)}) is kept; resume with: rewire control --resume {run.Path}"
                        : "No checkpoint had been written yet (run.checkpoint_every).";
                    run.WriteSummary(new ControlSummary(false, run.Path, config.Environment, config.Algorithm.Name, config.RewardDesign.Name, config.Seed,
                        learner.EnvSteps, config.Steps, learner.Updates, learner.Episodes, learner.MeanReturnLast100, null, 0, Math.Round(Seconds(), 3),
                        learner.EnvironmentFailures, learner.EnvironmentTimeouts, "environment hung: " + e.Message));
                    throw new ControlRunException($"the environment '{config.Environment}' kept hanging: {e.Message} {resumePoint}");
                }
                var line = new JsonObject
                {
                    ["update"] = u.Update,
                    ["env_steps"] = u.EnvSteps,
                    ["episodes"] = learner.Episodes,
                    ["episodes_this_update"] = u.EpisodesFinished,
                    ["mean_return_last_100"] = u.MeanReturnLast100,
                    ["seconds"] = Seconds(),
                    ["step_failures"] = learner.EnvironmentFailures,
                    ["step_timeouts"] = learner.EnvironmentTimeouts,
                };
                foreach (var (k, v) in u.Metrics) line[k] = double.IsFinite(v) ? v : null;
                foreach (var (k, v) in design.Report()) line["reward/" + k] = double.IsFinite(v) ? v : null;
                metrics.Write(line);
                progress?.Invoke(u, u.MeanReturnLast100);
                if (log is not null && (u.Update % 10 == 0 || learner.Done))
                    log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"update {u.Update}  env steps {u.EnvSteps}/{config.Steps}  mean return (last 100) {(u.MeanReturnLast100 is { } m ? m.ToString("F1", CultureInfo.InvariantCulture) : "-")}"));
                if (learner.Updates > 0 && !learner.Done && config.CheckpointEvery > 0 && learner.Updates % config.CheckpointEvery == 0) Checkpoint();
            }
        }
        Checkpoint();
        bool completed = learner.Done;
        double? eval = null;
        if (completed && config.EvalEpisodes > 0)
        {
            var returns = learner.Evaluate(config.EvalEpisodes, unchecked(config.Seed + 1_000_000));
            eval = returns.Average();
        }
        var summary = new ControlSummary(completed, run.Path, config.Environment, config.Algorithm.Name, config.RewardDesign.Name, config.Seed, learner.EnvSteps,
            config.Steps, learner.Updates, learner.Episodes, learner.MeanReturnLast100, eval, completed ? config.EvalEpisodes : 0, Math.Round(Seconds(), 3),
            learner.EnvironmentFailures, learner.EnvironmentTimeouts, completed ? null : "interrupted");
        run.WriteSummary(summary);
        if (learner.MeanReturnLast100 is { } mr && !double.IsFinite(mr)) throw new ControlRunException($"training produced a non-finite mean return ({mr}); see {run.MetricsFile}");
        return summary;
    }

    private static long? LastCheckpointUpdate(RunDirectory run)
    {
        try
        {
            var dir = run.Checkpoints.Latest();
            return dir is null ? null : JsonNode.Parse(File.ReadAllText(Path.Combine(dir, RunStateFile)))?["updates"]?.GetValue<long>();
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private static void Report(ControlSummary s, Settings settings)
    {
        if (settings.Json)
        {
            JsonOutput.Write(s);
            return;
        }
        var c = CultureInfo.InvariantCulture;
        var table = new Table().AddColumn("").AddColumn("");
        table.AddRow("run", Markup.Escape(s.Run));
        table.AddRow("environment / algorithm", $"{Markup.Escape(s.Env)} / {Markup.Escape(s.Algo)} (reward design {Markup.Escape(s.RewardDesign)})");
        table.AddRow("env steps", $"{s.EnvSteps.ToString(c)} of {s.StepBudget.ToString(c)} in {s.Updates.ToString(c)} updates, {s.Episodes.ToString(c)} episodes");
        table.AddRow("mean return (last 100 episodes)", s.MeanReturnLast100 is { } m ? m.ToString("F2", c) : "-");
        table.AddRow("evaluation mean return", s.EvalMeanReturn is { } e ? $"{e.ToString("F2", c)} over {s.EvalEpisodes.ToString(c)} episodes" : "-");
        table.AddRow("seconds", s.Seconds.ToString("F1", c));
        if (s.StepFailures > 0) table.AddRow("environment steps that threw", s.StepFailures.ToString(c));
        if (s.StepTimeouts > 0) table.AddRow("environment calls past env.step_timeout_ms (instance replaced)", s.StepTimeouts.ToString(c));
        if (!s.Completed) table.AddRow("stopped", $"{Markup.Escape(s.StopReason ?? "")} — resume with: rewire control --resume {Markup.Escape(s.Run)}");
        AnsiConsole.Write(table);
    }
}

/// <summary>A control run that failed while running (exit code 1).</summary>
public sealed class ControlRunException(string message) : Exception(message);
