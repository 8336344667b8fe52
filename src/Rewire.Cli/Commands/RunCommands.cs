using System.ComponentModel;
using System.Globalization;
using Rewire.Core.Configuration;
using Rewire.Core.Runs;
using Rewire.Torch.Checkpoints;
using Rewire.Torch.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Rewire.Cli.Commands;

/// <summary>Settings shared by the commands that work on an existing run folder.</summary>
public class RunSettings : CommandSettings
{
    [CommandArgument(0, "<RUN>")]
    [Description("A run folder made by `rewire train` (runs/<timestamp>-<name>).")]
    public string Run { get; init; } = "";

    [CommandOption("--json")]
    [Description("Print the result as one JSON document.")]
    public bool Json { get; init; }

    public override ValidationResult Validate() =>
        Directory.Exists(Run) ? ValidationResult.Success()
            : ValidationResult.Error($"run folder '{Run}' does not exist; pass a folder made by `rewire train` (runs/<timestamp>-<name>)");

    /// <summary>Opens the run's policy session from its config.json and loads the newest checkpoint's weights (no trainer is built).</summary>
    public (ResolvedTrainConfig Config, PolicySession Session, string Checkpoint) Open()
    {
        var run = RunDirectory.Open(Run);
        var config = TrainConfiguration.FromRunConfig(BoundedFile.ReadAllText(run.ConfigFile, "the run's configuration"), run.ConfigFile);
        // reward.model=inline: the run trained its reward model at its start and saved it in its own folder.
        if (config.Options.Reward.Model == "inline") config.Options.Reward.Model = run.Path;
        string latest = TrainingCheckpoint.Latest(run.CheckpointDir)
                        ?? throw new CheckpointException($"{run.Path} has no checkpoint yet; train first (rewire train) or wait for the first checkpoint");
        var session = PolicySession.Create(config.Options);
        try
        {
            session.LoadWeights(latest);
            return (config, session, latest);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>A bad configuration is refused input (2); a missing or corrupt checkpoint is a failure while running (1).</summary>
    public static int Fail(Exception e)
    {
        Console.Error.WriteLine(TerminalText.Clean(e.Message));
        // A run folder that cannot be used as it is (a missing or misdirected `latest`) is refused input, as in `train --resume`.
        return e is ConfigurationException or Rewire.Core.Runs.RunFolderException ? ExitCodes.Refused : ExitCodes.Failed;
    }
}

/// <summary>
/// `rewire eval RUN [--best-of N [--rounds T]]`: held-out accuracy, greedy accuracy, pass@k and mean length of the run's
/// newest checkpoint; with --best-of, also the accuracy of verifier-guided best-of-N for N = 1, 2, 4, ..., N; with
/// --rounds (Hugging Face runs only), of Iterative Agent Decoding's T rounds of N.
/// </summary>
public sealed class EvalCommand : Command<EvalCommand.Settings>
{
    public sealed class Settings : RunSettings
    {
        [CommandOption("--best-of <N>")]
        [Description("Also report verifier-guided best-of-N: sample N candidates per held-out prompt, answer with the one the task's reward scores highest; accuracy for N = 1, 2, 4, ..., N (1 to 1024).")]
        public int? BestOf { get; init; }

        [CommandOption("--selector <RM>")]
        [Description("With --best-of: rank the candidates by the reward model of this `rewire train stage=rm` run (trained on the run's task) instead of the task's reward (RM-guided best-of-N).")]
        public string? Selector { get; init; }

        [CommandOption("--rounds <T>")]
        [Description("With --best-of N: also run Iterative Agent Decoding, T rounds of N candidates per held-out prompt, rounds after the first reading feedback on the previous round's candidates in the prompt's last user message; the accuracy of the best of all T*N (2 to 16; Hugging Face runs only: the small GPT cannot read feedback).")]
        public int? Rounds { get; init; }

        [CommandOption("--feedback <MODE>")]
        [Description("With --rounds: verifier (default: the previous round's best and worst candidates with their scores), random (two drawn at random, no scores) or none (best-of-T*N, the compute-matched baseline).")]
        public string? Feedback { get; init; }

        public override ValidationResult Validate()
        {
            if (BestOf is < 1 or > 1024) return ValidationResult.Error($"--best-of is {BestOf}; give 1 to 1024 candidates per prompt.");
            if (Rounds is not null && BestOf is null) return ValidationResult.Error("--rounds runs rounds of best-of-N candidates: add --best-of N.");
            if (Rounds is < 2 or > 16) return ValidationResult.Error($"--rounds is {Rounds}; give 2 to 16 rounds (one round is --best-of alone).");
            if (Feedback is not null && Rounds is null) return ValidationResult.Error("--feedback decides what rounds 2..T read: add --rounds T, or drop --feedback.");
            if (GenerateCommand.Settings.ParseFeedback(Feedback) is null) return ValidationResult.Error($"--feedback is \"{Feedback}\"; choose verifier, random or none.");
            if (Selector is not null && BestOf is null) return ValidationResult.Error("--selector ranks best-of-N's candidates: add --best-of N, or drop --selector.");
            return base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        try
        {
            var (config, session, checkpoint) = settings.Open();
            using (session)
            {
                if (settings.BestOf is not null && session.Task is Rewire.Tasks.Environments.EnvironmentTask)
                    throw new ConfigurationException(["--best-of selects among single-turn completions; this run trains on the episodes of rl.environment: drop --best-of"]);
                if (settings.Rounds is not null && !session.ReadsFeedback)
                    throw new ConfigurationException(["--rounds (Iterative Agent Decoding) needs a policy that can read feedback, a Hugging Face chat model (model.path); this run's small character-level GPT cannot: its prompts are the task's format in the task's alphabet, and feedback text is neither. Drop --rounds (--best-of N alone is best-of-N)."]);
                // An RM selector is checked before any work: a folder that is not a reward model of this task is refused (exit 2).
                string? selectorFolder = settings.Selector is null ? null : Path.GetFullPath(settings.Selector);
                if (selectorFolder is not null && RewardModelSelector.Problem(selectorFolder, session.Task) is { } notRm)
                    throw new ConfigurationException([notRm]);
                var r = session.Evaluate();
                IReadOnlyList<BestOfNPoint>? best = null;
                IadEvaluation? iad = null;
                var mode = GenerateCommand.Settings.ParseFeedback(settings.Feedback)!.Value;
                if (settings.BestOf is { } n)
                {
                    if (selectorFolder is null)
                    {
                        var reward = TrainingComponents.CreateReward(config, session.Task);
                        best = session.BestOfN(reward, n);
                        if (settings.Rounds is { } t) iad = session.IterativeDecoding(reward, n, t, mode, cancellationToken);
                    }
                    else
                    {
                        using var rm = RewardModelSelector.Load(selectorFolder, session.Task);
                        best = session.BestOfN(rm, n);
                        if (settings.Rounds is { } t) iad = session.IterativeDecoding(rm, n, t, mode, cancellationToken);
                    }
                }
                if (settings.Json)
                {
                    if (best is null) JsonOutput.Write(new { checkpoint, result = r });
                    else if (iad is null) JsonOutput.Write(new { checkpoint, result = r, best_of = best, selector = selectorFolder is null ? "reward" : "reward_model", selector_run = selectorFolder });
                    else JsonOutput.Write(new { checkpoint, result = r, best_of = best, selector = selectorFolder is null ? "reward" : "reward_model", selector_run = selectorFolder, iad });
                    return 0;
                }
                var table = new Table().AddColumn("checkpoint").AddColumn("prompts").AddColumn("accuracy").AddColumn("greedy").AddColumn($"pass@{r.K}").AddColumn("mean length");
                table.AddRow(Markup.Escape(Path.GetFileName(checkpoint)), r.Prompts.ToString(CultureInfo.InvariantCulture), F(r.Accuracy), F(r.GreedyAccuracy), F(r.PassAtK),
                    r.MeanLength.ToString("0.0", CultureInfo.InvariantCulture));
                AnsiConsole.Write(table);
                if (best is not null)
                {
                    var bon = new Table().AddColumn("best-of N").AddColumn("accuracy").AddColumn("mean selector score");
                    foreach (var p in best) bon.AddRow(p.N.ToString(CultureInfo.InvariantCulture), F(p.Accuracy), F(p.MeanScore));
                    AnsiConsole.Write(bon);
                }
                if (iad is not null)
                {
                    var rounds = new Table().AddColumn($"IAD, {iad.N} per round, feedback {iad.Feedback}: best of rounds 0..t").AddColumn("accuracy");
                    for (int t = 0; t < iad.Rounds; t++) rounds.AddRow(t.ToString(CultureInfo.InvariantCulture), F(iad.AccuracyByRound[t]));
                    AnsiConsole.Write(rounds);
                    AnsiConsole.MarkupLine($"[grey]mean selector score of the answers {F(iad.MeanScore)}[/]");
                }
                return 0;
            }
        }
        catch (Exception e) when (e is IOException or ConfigurationException or UnauthorizedAccessException)
        {
            return RunSettings.Fail(e);
        }
    }

    private static string F(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);
}

/// <summary>`rewire sample RUN [--count N]`: completions of held-out prompts with their reward breakdown.</summary>
public sealed class SampleCommand : Command<SampleCommand.Settings>
{
    /// <summary>The RL step of a checkpoint folder (step-000030 → 30; the warm start's → 0).</summary>
    private static int StepOf(string checkpoint) =>
        Path.GetFileName(checkpoint) is var n && n.StartsWith("step-", StringComparison.Ordinal) && int.TryParse(n.AsSpan(5), NumberStyles.Integer, CultureInfo.InvariantCulture, out int s) ? s : 0;

    public sealed class Settings : RunSettings
    {
        [CommandOption("-n|--count <N>")]
        [Description("How many held-out prompts to complete (default 8, at most 10000).")]
        public int Count { get; init; } = 8;

        [CommandOption("--seed <S>")]
        [Description("Sampling seed (default 1).")]
        public int Seed { get; init; } = 1;

        public override ValidationResult Validate()
        {
            if (Count is < 1 or > 10_000) return ValidationResult.Error($"--count is {Count}; give 1 to 10000 prompts.");
            return base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        try
        {
            var (config, session, checkpoint) = settings.Open();
            using (session)
            {
                var samples = session.Sample(settings.Count, settings.Seed, TrainingComponents.CreateReward(config, session.Task), StepOf(checkpoint));
                if (settings.Json) { JsonOutput.Write(new { checkpoint, samples }); return 0; }
                var table = new Table().AddColumn("prompt").AddColumn("completion").AddColumn("reward").AddColumn("correct").AddColumn("components").AddColumn("reason");
                foreach (var s in samples)
                    table.AddRow(Markup.Escape(TerminalText.Clean(s.Prompt)), Markup.Escape(TerminalText.Clean(s.Completion)), s.Reward.ToString("0.###", CultureInfo.InvariantCulture),
                        s.Correct?.ToString() ?? "-",
                        Markup.Escape(TerminalText.Clean(string.Join(" ", s.Components.Select(kv => FormattableString.Invariant($"{kv.Key}={kv.Value:0.###}"))))),
                        Markup.Escape(TerminalText.Clean(s.FailureReason ?? "")));
                AnsiConsole.Write(table);
                return 0;
            }
        }
        catch (Exception e) when (e is IOException or ConfigurationException or UnauthorizedAccessException)
        {
            return RunSettings.Fail(e);
        }
    }
}
