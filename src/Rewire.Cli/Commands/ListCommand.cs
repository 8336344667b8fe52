using System.ComponentModel;
using Rewire.Classic.Bandits;
using Rewire.Core.Advantages;
using Rewire.Core.Kl;
using Rewire.Core.MultiObjective;
using Rewire.Core.Rewards;
using Rewire.Core.Sampling;
using Rewire.Core.Shaping;
using Rewire.Tasks;
using Rewire.Tasks.Environments;
using Rewire.Torch.Objectives.Aggregation;
using Rewire.Torch.Objectives.Kl;
using Rewire.Torch.Objectives.Policy;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Rewire.Cli.Commands;

/// <summary>`rewire list`: every name configuration can use, family by family, read from the registries themselves.</summary>
public sealed class ListCommand : Command<ListCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--json")]
        [Description("Print the catalogue as one JSON document.")]
        public bool Json { get; init; }
    }

    /// <summary>Family -> registered names (the configuration key that takes them is in brackets in the table).</summary>
    public static SortedDictionary<string, IReadOnlyList<string>> Catalogue()
    {
        var shaping = ShapingRegistry.CreateDefault();
        var bandits = BanditCatalog.Default;
        return new SortedDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
        {
            ["tasks"] = TaskRegistry.CreateDefault().Names,
            ["environments"] = EnvironmentRegistry.CreateDefault().Names,
            ["rewards"] = RewardFunctionRegistry.CreateDefault().Names,
            ["shaping"] = shaping.Rewards.Names,
            ["advantage_shaping"] = shaping.TokenAdvantages.Names,
            ["estimators"] = AdvantageEstimatorRegistry.Default.Names,
            ["objectives"] = PolicyObjectives.Registry.Names,
            ["loss_aggregation"] = LossAggregators.Registry.Names,
            ["kl_estimators"] = KlEstimators.Registry.Names,
            ["kl_controllers"] = [.. KlControllerRegistry.Default.Names],
            ["samplers"] = SamplerRegistry.Default.Names,
            ["reward_weightings"] = WeightingRegistry.Default.Names,
            ["bandit_algorithms"] = bandits.Algorithms.Names,
            ["bandit_environments"] = bandits.Environments.Names,
        };
    }

    private static readonly Dictionary<string, string> Keys = new(StringComparer.Ordinal)
    {
        ["tasks"] = "task.name",
        ["shaping"] = "reward.shaping",
        ["estimators"] = "rl.estimator",
        ["objectives"] = "rl.objective",
        ["loss_aggregation"] = "rl.loss_agg_mode",
        ["kl_estimators"] = "rl.kl_estimator",
        ["samplers"] = "rl.sampler",
        ["bandit_algorithms"] = "rewire bandit --algo",
        ["bandit_environments"] = "rewire bandit --env",
    };

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var catalogue = Catalogue();
        if (settings.Json)
        {
            JsonOutput.Write(catalogue);
            return 0;
        }
        var table = new Table().AddColumn("family").AddColumn("names");
        foreach (var (family, names) in catalogue)
        {
            string label = Keys.TryGetValue(family, out var key) ? $"{family} [grey]({Markup.Escape(key)})[/]" : family;
            table.AddRow(label, Markup.Escape(string.Join(", ", names)));
        }
        AnsiConsole.Write(table);
        return 0;
    }
}
