using System.Text.Json;
using Rewire.Cli;
using Rewire.Cli.Commands;

namespace Rewire.Cli.Tests;

public class ClassicCommandTests
{
    private static (int Code, string Output) RunCaptured(params string[] args)
    {
        var (code, output, _) = CliHarness.Run(args);
        return (code, output);
    }

    [Fact]
    public void Bandit_json_prints_only_the_document_with_regret_and_curve()
    {
        var (code, output) = RunCaptured("bandit", "--algo", "ucb1", "--env", "bernoulli", "--steps", "3000", "--seed", "4", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        double regret = root.GetProperty("cumulative_regret").GetDouble();
        var curve = root.GetProperty("regret_curve").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var steps = root.GetProperty("regret_curve_steps").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.True(regret > 0);
        Assert.Equal(regret, curve[^1], 9);
        Assert.Equal(3000, steps[^1]);
        Assert.Equal(curve.Length, steps.Length);
        Assert.True(curve.Zip(curve.Skip(1)).All(p => p.Second >= p.First - 1e-9), "UCB1's pseudo-regret never decreases");
        // Same seed, same document.
        Assert.Equal(output, RunCaptured("bandit", "--algo", "ucb1", "--env", "bernoulli", "--steps", "3000", "--seed", "4", "--json").Output);
    }

    [Fact]
    public void Bandit_rejects_unknown_names_with_the_valid_list()
    {
        var settings = new BanditCommand.Settings { Algorithm = "ucb9" };
        var validation = settings.Validate();
        Assert.False(validation.Successful);
        Assert.Contains("dynlinucb, epsilon-greedy, linucb", validation.Message);
        Assert.Equal(2, RunCaptured("bandit", "--env", "casino", "--json").Code);
    }

    [Fact]
    public void Bandit_result_builder_runs_dynlinucb_on_the_dynamical_bandit()
    {
        var r = BanditCommand.BuildResult(new BanditCommand.Settings { Algorithm = "dynlinucb", Environment = "dynamical", Steps = 500, Seed = 2, Points = 5 });
        Assert.Equal("dynlinucb", r.Algorithm);
        Assert.Equal(500, r.Pulls.Sum());
        Assert.Equal(r.CumulativeRegret, r.RegretCurve[^1]);
    }

    [Fact]
    public void Bandit_beta_and_rho_bar_reach_dynlinucb()
    {
        var tuned = BanditCommand.BuildResult(new BanditCommand.Settings { Algorithm = "dynlinucb", Environment = "dynamical", Steps = 10_000, Seed = 1, Beta = 3, RhoBar = 0.95 });
        var lin = BanditCommand.BuildResult(new BanditCommand.Settings { Algorithm = "linucb", Environment = "dynamical", Steps = 10_000, Seed = 1, Beta = 3 });
        Assert.True(tuned.CumulativeRegret < 0.5 * lin.CumulativeRegret, $"dynlinucb {tuned.CumulativeRegret:F1} vs linucb {lin.CumulativeRegret:F1}");
        Assert.False(new BanditCommand.Settings { RhoBar = 1.0 }.Validate().Successful);
    }

    [Fact]
    public void Bid_json_reports_clicks_and_spend_per_policy()
    {
        var (code, output) = RunCaptured("bid", "--seed", "2", "--auctions", "500", "--episodes", "4", "--training-episodes", "4", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        var policies = doc.RootElement.GetProperty("policies").EnumerateArray().ToArray();
        Assert.Equal(["rlb", "rlb-mapped", "constant", "linear"], policies.Select(p => p.GetProperty("name").GetString()));
        foreach (var p in policies)
        {
            Assert.True(p.GetProperty("clicks").GetInt32() >= 0);
            Assert.True(p.GetProperty("spend").GetInt64() <= p.GetProperty("budget").GetInt64());
        }
    }

    [Fact]
    public void Bid_rejects_bad_options()
    {
        var validation = new BidCommand.Settings { BudgetRatio = -1 }.Validate();
        Assert.False(validation.Successful);
        Assert.Contains("--budget-ratio is -1; give a number in (0, 1]", validation.Message);
    }
}
