using System.ComponentModel;
using System.Globalization;
using Rewire.Core.Configuration;
using Rewire.Core.Rewards;
using Rewire.Tasks;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Rewire.Cli.Commands;

/// <summary>
/// `rewire score`: regenerates one prompt of a task (by split, seed, index and difficulty) and grades the completion in a file
/// with the task's verifier, printing the prompt and the reward breakdown. Exit code 0 when scored, 2 on bad input
/// (refused before scoring). Text from the completion is printed with control characters made visible.
/// </summary>
public sealed class ScoreCommand : Command<ScoreCommand.Settings>
{
    /// <summary>Version of the JSON document; bumped only when a field changes meaning or disappears.</summary>
    public const int JsonSchemaVersion = 1;

    /// <summary>Completion files larger than this are refused (verifiers reject far shorter text anyway).</summary>
    public const int MaxCompletionFileBytes = 1 << 20;

    public sealed class Settings : CommandSettings
    {
        [CommandOption("--task <NAME>")]
        [Description("Task name (see the registry: arithmetic, countdown, lists, programs, reasoning).")]
        public string? Task { get; init; }

        [CommandOption("--split <SPLIT>")]
        [Description("train or test. Default: train.")]
        public string Split { get; init; } = "train";

        [CommandOption("--seed <SEED>")]
        [Description("Generator seed. Default: 0.")]
        public int Seed { get; init; }

        [CommandOption("--index <INDEX>")]
        [Description("Prompt index within the split and seed. Default: 0.")]
        public int Index { get; init; }

        [CommandOption("--difficulty <LEVEL>")]
        [Description("Difficulty level (1 = easiest). Default: 1.")]
        public int Difficulty { get; init; } = 1;

        [CommandOption("--completion-file <FILE>")]
        [Description("File holding the completion to grade, as the model wrote it.")]
        public string? CompletionFile { get; init; }

        [CommandOption("--json")]
        [Description("Print the result as one JSON document (fields documented in docs/tasks.md).")]
        public bool Json { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Task)) return ValidationResult.Error("--task is required; valid names: " + string.Join(", ", TaskRegistry.CreateDefault().Names));
            if (Split is not ("train" or "test")) return ValidationResult.Error($"--split must be 'train' or 'test', not '{Split}'");
            if (Index < 0) return ValidationResult.Error($"--index must be 0 or more, not {Index}");
            if (string.IsNullOrWhiteSpace(CompletionFile)) return ValidationResult.Error("--completion-file is required (a file holding the completion to grade)");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ITask task;
        Prompt prompt;
        string completion;
        try
        {
            task = TaskRegistry.CreateDefault().Create(settings.Task!);
            if (settings.Difficulty < 1 || settings.Difficulty > task.MaxDifficulty)
                throw new ArgumentException($"--difficulty must be in 1..{task.MaxDifficulty} for task '{task.Name}', not {settings.Difficulty}");
            completion = BoundedFile.ReadAllText(settings.CompletionFile!, "completion file", MaxCompletionFileBytes);
            var split = settings.Split == "test" ? Split.Test : Split.Train;
            prompt = task.Generate(split, settings.Seed, settings.Index, settings.Difficulty);
        }
        catch (Exception e) when (e is ArgumentException or KeyNotFoundException or ConfigurationException)
        {
            Console.Error.WriteLine("rewire score: " + TerminalText.Clean(e is ConfigurationException c ? string.Join("; ", c.Errors) : e.Message));
            return ExitCodes.Refused;
        }

        var r = task.Verifier.Score(new Rollout(prompt, completion));
        var components = new SortedDictionary<string, double>(r.Components.ToDictionary(), StringComparer.Ordinal);
        if (settings.Json)
        {
            JsonOutput.Write(new
            {
                schema_version = JsonSchemaVersion,
                task = task.Name,
                split = settings.Split,
                seed = settings.Seed,
                index = settings.Index,
                difficulty = settings.Difficulty,
                prompt_id = prompt.Id,
                domain = prompt.Domain,
                prompt = prompt.Text,
                reference_answer = prompt.Answer,
                completion,
                total = r.Total,
                correct = r.Correct,
                components,
                failure_reason = r.FailureReason,
            });
            return 0;
        }

        var head = new Grid().AddColumn().AddColumn();
        head.AddRow("task", Markup.Escape($"{task.Name} ({prompt.Domain}), difficulty {settings.Difficulty}"));
        head.AddRow("prompt id", Markup.Escape(TerminalText.Clean(prompt.Id)));
        head.AddRow("prompt", Markup.Escape(TerminalText.Clean(prompt.Text)));
        head.AddRow("reference", Markup.Escape(TerminalText.Clean(prompt.Answer ?? "(none)")));
        head.AddRow("completion", Markup.Escape(TerminalText.Clean(completion.Length > 200 ? completion[..200] + $"... ({completion.Length} characters)" : completion)));
        AnsiConsole.Write(head);
        var table = new Table().AddColumn("component").AddColumn(new TableColumn("value").RightAligned());
        foreach (var (k, v) in components) table.AddRow(Markup.Escape(TerminalText.Clean(k)), v.ToString("0.####", CultureInfo.InvariantCulture));
        table.AddRow("[bold]total[/]", "[bold]" + r.Total.ToString("0.####", CultureInfo.InvariantCulture) + "[/]");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(r.Correct switch { true => "[green]correct[/]", false => "[red]not correct[/]", null => "correctness not defined" });
        if (r.FailureReason is not null) AnsiConsole.MarkupLine("reason: " + Markup.Escape(TerminalText.Clean(r.FailureReason)));
        return 0;
    }
}
