using System.ComponentModel;
using System.Globalization;
using System.Text.Json.Nodes;
using Rewire.Tasks;
using Rewire.Tasks.Preferences;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Rewire.Cli.Commands;

/// <summary>
/// `rewire prefs make --task NAME --pairs N --seed S --output FILE [--noise 0.1] [--proxy length|token] [--source scripted|strong]`: a preference set
/// from a task with a known ground-truth utility (<see cref="PreferenceSetBuilder"/>), written atomically as JSONL. Exit
/// code 0 when written, 2 on bad input (refused before anything is written).
/// </summary>
public sealed class PrefsMakeCommand : Command<PrefsMakeCommand.Settings>
{
    /// <summary>The options of `rewire prefs make`.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>The task whose prompts and utility the pairs come from.</summary>
        [CommandOption("--task <NAME>")]
        [Description("Task with integer-list answers: reverse, lists, addition or arithmetic.")]
        public string? Task { get; init; }

        /// <summary>Number of pairs.</summary>
        [CommandOption("--pairs <N>")]
        [Description("Number of preference pairs.")]
        public int Pairs { get; init; }

        /// <summary>Seed of every draw.</summary>
        [CommandOption("--seed <S>")]
        [Description("Seed of prompts, completions, labels and noise. Default: 1.")]
        public int Seed { get; init; } = 1;

        /// <summary>The JSONL file to write.</summary>
        [CommandOption("-o|--output <FILE>")]
        [Description("The JSONL file to write (atomically: complete or absent).")]
        public string? Output { get; init; }

        /// <summary>Label-flip rate.</summary>
        [CommandOption("--noise <RATE>")]
        [Description("Probability that a Bradley–Terry label is flipped, in [0, 0.5]. Default: 0.1.")]
        public double Noise { get; init; } = 0.1;

        /// <summary>The proxy feature.</summary>
        [CommandOption("--proxy <NAME>")]
        [Description("none, length (three trailing spaces) or token (a trailing ' =' marker): favoured by the labeller, independent of the true utility. Default: none.")]
        public string Proxy { get; init; } = "none";

        /// <summary>How much the labeller favours the proxy.</summary>
        [CommandOption("--proxy-strength <LOGITS>")]
        [Description("The labeller's bias towards the proxy, in logits. Default: 8.")]
        public double ProxyStrength { get; init; } = 8.0;

        /// <summary>The Bradley–Terry scale.</summary>
        [CommandOption("--scale <LOGITS>")]
        [Description("Bradley–Terry logits per unit of true utility. Default: 20.")]
        public double Scale { get; init; } = 20.0;

        /// <summary>Where the completions come from.</summary>
        [CommandOption("--source <NAME>")]
        [Description("scripted (the answer with 0-3 corruptions) or strong (a near-oracle, a stronger source than the policy: exact with probability --quality, else one corruption). Default: scripted.")]
        public string Source { get; init; } = "scripted";

        /// <summary>The strong source's share of exact completions.</summary>
        [CommandOption("--quality <P>")]
        [Description("With --source strong, the probability that a completion is exactly right, in [0, 1). Default: 0.8.")]
        public double Quality { get; init; } = 0.8;

        /// <summary>The task's difficulty.</summary>
        [CommandOption("--difficulty <LEVEL>")]
        [Description("The task's difficulty level. Default: 1.")]
        public int Difficulty { get; init; } = 1;

        /// <summary>Print the summary as JSON.</summary>
        [CommandOption("--json")]
        [Description("Print the summary as one JSON document.")]
        public bool Json { get; init; }

        /// <inheritdoc/>
        public override ValidationResult Validate()
        {
            var registry = TaskRegistry.CreateDefault();
            if (string.IsNullOrWhiteSpace(Task)) return ValidationResult.Error("--task is required; give reverse, lists, addition or arithmetic");
            if (!registry.Contains(Task)) return ValidationResult.Error($"--task '{Task}' is not a task; valid: {string.Join(", ", registry.Names)}");
            if (string.IsNullOrWhiteSpace(Output)) return ValidationResult.Error("--output FILE is required (the JSONL file to write)");
            if (Directory.Exists(Output)) return ValidationResult.Error($"--output '{Output}' is a folder; give a file name");
            ProxyFeature? proxy;
            try { proxy = ProxyFeature.Parse(Proxy); }
            catch (ArgumentException e) { return ValidationResult.Error("--proxy: " + e.Message); }
            if (PreferenceSetBuilder.ParseSource(Source) is null) return ValidationResult.Error($"--source '{Source}' is not a source; valid: scripted, strong");
            var problems = new PreferenceSetOptions(Pairs, Seed, Noise, proxy, ProxyStrength, Scale, Difficulty, Quality: Quality).Problems();
            if (problems.Count > 0) return ValidationResult.Error(string.Join("; ", problems.Select(p => "--" + p)));
            var task = registry.Create(Task);
            if (Difficulty < 1 || Difficulty > task.MaxDifficulty) return ValidationResult.Error($"--difficulty {Difficulty}: the {Task} task has levels 1..{task.MaxDifficulty}");
            return ValidationResult.Success();
        }
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var task = TaskRegistry.CreateDefault().Create(settings.Task!);
        var options = new PreferenceSetOptions(settings.Pairs, settings.Seed, settings.Noise, ProxyFeature.Parse(settings.Proxy), settings.ProxyStrength, settings.Scale, settings.Difficulty,
            Source: PreferenceSetBuilder.ParseSource(settings.Source)!.Value, Quality: settings.Quality);
        if (PreferenceSetBuilder.Unfit(task, options) is { } unfit)
        {
            Console.Error.WriteLine("rewire prefs make: " + unfit);
            return ExitCodes.Refused;
        }
        var stats = new PreferenceSetStatistics();
        int written = PreferenceJsonlWriter.Write(settings.Output!, PreferenceSetBuilder.Build(task, options).Select(r => { stats.Add(r); return r; }));
        var summary = new JsonObject
        {
            ["output"] = Path.GetFullPath(settings.Output!),
            ["task"] = task.Name,
            ["pairs"] = written,
            ["seed"] = settings.Seed,
            ["noise"] = settings.Noise,
            ["proxy"] = options.Proxy?.Name ?? "none",
            ["source"] = settings.Source,
            ["chosen_has_higher_utility"] = stats.Agreement,
            ["chosen_has_proxy_more_often"] = options.Proxy is null ? null : stats.ProxyAgreement,
            ["mean_utility_chosen"] = stats.MeanChosen,
            ["mean_utility_rejected"] = stats.MeanRejected,
        };
        if (settings.Json) { JsonOutput.Write(summary); return ExitCodes.Done; }
        var table = new Table().AddColumn("result").AddColumn("value");
        foreach (var (k, v) in summary) table.AddRow(k, Markup.Escape(v?.ToJsonString() ?? "-"));
        AnsiConsole.Write(table);
        return ExitCodes.Done;
    }
}

/// <summary>Running figures of a preference set: how often the chosen side has the higher utility and the proxy.</summary>
internal sealed class PreferenceSetStatistics
{
    private int _n, _agree, _proxyPairs, _proxyAgree;
    private double _chosen, _rejected;

    public void Add(PreferenceRecord r)
    {
        _n++;
        if (r.ChosenUtility > r.RejectedUtility) _agree++;
        _chosen += r.ChosenUtility ?? 0;
        _rejected += r.RejectedUtility ?? 0;
        if (r.ChosenProxy is { } cp && r.RejectedProxy is { } rp && cp != rp)
        {
            _proxyPairs++;
            if (cp > rp) _proxyAgree++;
        }
    }

    /// <summary>Share of pairs whose chosen side has the higher true utility (the label-noise ceiling of a reward model).</summary>
    public double Agreement => _n == 0 ? 0 : Math.Round((double)_agree / _n, 4);

    /// <summary>Among pairs whose sides differ in the proxy, the share where the chosen side has it.</summary>
    public double ProxyAgreement => _proxyPairs == 0 ? 0 : Math.Round((double)_proxyAgree / _proxyPairs, 4);

    public double MeanChosen => _n == 0 ? 0 : Math.Round(_chosen / _n, 4);

    public double MeanRejected => _n == 0 ? 0 : Math.Round(_rejected / _n, 4);
}
