using System.ComponentModel;
using System.Text.Json.Nodes;
using Rewire.Classic.Bandits;
using Rewire.Core.Techniques;
using Rewire.Torch.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Rewire.Cli.Commands;

/// <summary>
/// `rewire list [NAME]`: every technique a command can run, with its descriptor (paper, defaults, parameters, what it
/// reads, a runnable example). Only techniques that run are listed: a trainer technique whose input no configuration of
/// `rewire train` provides yet (step rewards, process rewards, critic values, ...) is left out until it does.
/// </summary>
public sealed class ListCommand : Command<ListCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[NAME]")]
        [Description("Show one technique's descriptor (every kind that has this name).")]
        public string? Name { get; init; }

        [CommandOption("--json")]
        [Description("Print the catalogue as one JSON document.")]
        public bool Json { get; init; }

        [CommandOption("--markdown")]
        [Description("Print the techniques table of docs/techniques.md (kind, name, paper, specification section, summary).")]
        public bool Markdown { get; init; }
    }

    /// <summary>The table of docs/techniques.md: one row per listed technique, kind by kind.</summary>
    public static string MarkdownTable()
    {
        static string Cell(string? s) => (s ?? "-").Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
        var sb = new System.Text.StringBuilder();
        sb.Append("| kind | name | paper | spec | summary |\n|---|---|---|---|---|\n");
        foreach (var d in Techniques().All)
            sb.Append($"| {d.Kind} | `{d.Name}` | {Cell(d.Paper)} | {Cell(d.Spec)} | {Cell(d.Summary)} |\n");
        return sb.ToString();
    }

    /// <summary>Every listed technique of every command.</summary>
    public static TechniqueCatalog Techniques() => new TechniqueCatalog()
        .AddRange(TrainingCatalog.Listed)
        .AddRange(BanditDescriptors.All)
        .AddRange(Rewire.Torch.Control.ControlAlgorithms.Descriptors)
        .AddRange(Rewire.Classic.Control.ControlEnvironments.Descriptors)
        .AddRange(Rewire.Classic.Control.RewardDesigns.Descriptors)
        .AddRange(Rewire.Torch.QualityDiversity.QdAlgorithms.Descriptors)
        .AddRange(Rewire.Classic.Offline.OfflineAlgorithms.Descriptors)
        .AddRange(Rewire.Classic.Branching.BranchingAlgorithms.Descriptors)
        .AddRange(Rewire.Torch.Recommendation.RecommenderAlgorithms.Descriptors)
        .AddRange(Rewire.Torch.Preferences.PreferenceDescriptors.All);

    /// <summary>The per-family name lists of earlier versions (family → kind), kept for scripts that read them.</summary>
    private static readonly (string Family, string Kind, string Key)[] Families =
    [
        ("recipes", TechniqueKinds.Recipe, "rl.recipe"),
        ("tasks", TechniqueKinds.Task, "task.name"),
        ("objectives", TechniqueKinds.Objective, "rl.objective"),
        ("estimators", TechniqueKinds.Estimator, "rl.estimator"),
        ("loss_aggregation", TechniqueKinds.LossAggregation, "objective.loss_agg_mode"),
        ("kl_estimators", TechniqueKinds.KlEstimator, "rl.kl_estimator"),
        ("shaping", TechniqueKinds.Shaper, "reward.shaping"),
        ("advantage_shaping", TechniqueKinds.AdvantageShaper, "rl.advantage_shaping"),
        ("reward_weightings", TechniqueKinds.RewardWeighting, "reward.weighting"),
        ("rewards", TechniqueKinds.Reward, "reward.functions"),
        ("samplers", TechniqueKinds.Sampler, "rl.sampler"),
        ("rollouts", TechniqueKinds.Rollout, "rl.rollout"),
        ("environments", TechniqueKinds.Environment, "rl.environment"),
        ("bandit_algorithms", TechniqueKinds.BanditAlgorithm, "rewire bandit --algo"),
        ("bandit_environments", TechniqueKinds.BanditEnvironment, "rewire bandit --env"),
        ("control_algorithms", TechniqueKinds.ControlAlgorithm, "rewire control --algo"),
        ("control_environments", TechniqueKinds.ControlEnvironment, "rewire control --env"),
        ("reward_designs", TechniqueKinds.RewardDesign, "reward.design"),
        ("qd_algorithms", TechniqueKinds.QdAlgorithm, "rewire qd --algo"),
        ("offline_algorithms", TechniqueKinds.OfflineAlgorithm, "rewire offline --algo"),
        ("branching_algorithms", TechniqueKinds.BranchingAlgorithm, "rewire branch --algo"),
        ("recommenders", TechniqueKinds.Recommender, "rewire recommend --algo"),
        ("reward_models", TechniqueKinds.RewardModel, "rewire train stage=rm rm.model"),
        ("preference_objectives", TechniqueKinds.Objective, "rewire train stage=dpo dpo.objective"),
    ];

    /// <summary>Family -> listed names.</summary>
    public static SortedDictionary<string, IReadOnlyList<string>> Catalogue()
    {
        var catalog = Techniques();
        return new SortedDictionary<string, IReadOnlyList<string>>(Families.ToDictionary(f => f.Family, f => Names(catalog, f.Family, f.Kind)), StringComparer.Ordinal);
    }

    /// <summary>A family's names: the preference objectives (stage=dpo) are of kind objective but not selectable by rl.objective.</summary>
    private static IReadOnlyList<string> Names(TechniqueCatalog catalog, string family, string kind)
    {
        var preference = Rewire.Torch.Preferences.PreferenceDescriptors.Objectives.Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
        return family switch
        {
            "objectives" => catalog.Names(kind).Where(n => !preference.Contains(n)).ToList(),
            "preference_objectives" => catalog.Names(kind).Where(preference.Contains).ToList(),
            _ => catalog.Names(kind),
        };
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var catalog = Techniques();
        if (settings.Name is not null) return Describe(catalog, settings.Name, settings.Json);
        if (settings.Markdown)
        {
            Console.Out.Write(MarkdownTable());
            return 0;
        }
        if (settings.Json)
        {
            var o = new JsonObject();
            foreach (var (family, names) in Catalogue())
                o[family] = new JsonArray(names.Select(n => (JsonNode)JsonValue.Create(n)).ToArray());
            o["techniques"] = new JsonArray(catalog.All.Select(d => (JsonNode)d.ToJson()).ToArray());
            JsonOutput.Write(o);
            return 0;
        }
        var table = new Table().AddColumn("kind [grey](selected with)[/]").AddColumn("names");
        foreach (var (family, kind, key) in Families)
            table.AddRow($"{kind} [grey]({Markup.Escape(key)})[/]", Markup.Escape(string.Join(", ", Names(catalog, family, kind))));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine("[grey]rewire list NAME shows a technique's paper, defaults, parameters and a runnable example.[/]");
        return 0;
    }

    private static int Describe(TechniqueCatalog catalog, string name, bool json)
    {
        var found = catalog.Named(name);
        if (found.Count == 0)
        {
            string? suggestion = Rewire.Core.Configuration.OptionsBinder.Suggest(name, catalog.All.Select(d => d.Name).Distinct());
            Console.Error.WriteLine($"no listed technique is named '{name}'" + (suggestion is null ? "" : $" (did you mean '{suggestion}'?)") + "; rewire list shows every name");
            return 2;
        }
        if (json)
        {
            JsonOutput.Write(found.Count == 1 ? found[0].ToJson() : new JsonObject { ["techniques"] = new JsonArray(found.Select(d => (JsonNode)d.ToJson()).ToArray()) });
            return 0;
        }
        foreach (var d in found)
        {
            var grid = new Grid().AddColumn().AddColumn();
            grid.AddRow("[bold]kind[/]", Markup.Escape(d.Kind));
            grid.AddRow("[bold]summary[/]", Markup.Escape(d.Summary));
            grid.AddRow("[bold]paper[/]", Markup.Escape(d.Paper));
            grid.AddRow("[bold]spec[/]", Markup.Escape(d.Spec ?? "-"));
            if (d.DefaultsNote is not null) grid.AddRow("[bold]defaults[/]", Markup.Escape(d.DefaultsNote));
            grid.AddRow("[bold]reads[/]", Markup.Escape(d.Requires.Count == 0 ? "-" : string.Join(", ", d.Requires)));
            foreach (var (k, v) in d.Sets) grid.AddRow("[bold]sets[/]", Markup.Escape($"{k}={v}"));
            grid.AddRow("[bold]example[/]", Markup.Escape("rewire " + string.Join(" ", d.Example)));
            AnsiConsole.Write(new Panel(grid).Header(Markup.Escape($"{d.Kind} {d.Name}")));
            if (d.Parameters.Count > 0)
            {
                var table = new Table().AddColumn("parameter").AddColumn("default").AddColumn("range").AddColumn("meaning");
                foreach (var p in d.Parameters) table.AddRow(Markup.Escape(p.Name), Markup.Escape(p.Default), Markup.Escape(p.RangeText()), Markup.Escape(p.Meaning));
                AnsiConsole.Write(table);
            }
        }
        return 0;
    }
}
