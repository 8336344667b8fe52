using System.Text.Json;
using Rewire.Cli;
using Rewire.Cli.Commands;
using Rewire.Classic.Bidding;

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
        const int seed = 2, auctions = 500, episodes = 4, trainingEpisodes = 4;
        var (code, output) = RunCaptured("bid", "--seed", "2", "--auctions", "500", "--episodes", "4", "--training-episodes", "4", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        var policies = root.GetProperty("policies").EnumerateArray().ToArray();
        Assert.Equal(["rlb", "rlb-mapped", "constant", "linear"], policies.Select(p => p.GetProperty("name").GetString()));

        // The same logs, regenerated here; the budget and the two tuned baselines replayed by hand on the test log.
        var training = AuctionLogGenerator.Generate(auctions * trainingEpisodes, seed);
        var test = AuctionLogGenerator.Generate(auctions * episodes, unchecked(seed * 7919 + 17));
        int budget = (int)Math.Round(new BidCommand.Settings().BudgetRatio * training.MeanPrice * auctions);
        Assert.Equal(budget, root.GetProperty("budget_per_episode").GetInt32());
        int constantBid = root.GetProperty("constant_bid").GetInt32();
        double linearBase = root.GetProperty("linear_base_bid").GetDouble();
        var byName = policies.ToDictionary(p => p.GetProperty("name").GetString()!);
        AssertReplay(byName["constant"], Replay(test, auctions, budget, ctr => constantBid));
        AssertReplay(byName["linear"], Replay(test, auctions, budget, ctr => (int)Math.Round(linearBase * ctr / training.MeanCtr)));

        foreach (var p in policies)
        {
            int clicks = p.GetProperty("clicks").GetInt32(), impressions = p.GetProperty("impressions").GetInt32();
            long spend = p.GetProperty("spend").GetInt64();
            Assert.Equal(auctions * episodes, p.GetProperty("auctions").GetInt32());
            Assert.Equal((long)budget * episodes, p.GetProperty("budget").GetInt64());
            Assert.InRange(spend, 1, (long)budget * episodes);
            Assert.InRange(clicks, 0, impressions);
            Assert.Equal((double)impressions / (auctions * episodes), p.GetProperty("win_rate").GetDouble(), 12);
            if (clicks > 0) Assert.Equal((double)spend / clicks, p.GetProperty("cost_per_click").GetDouble(), 9);
            else Assert.Equal(JsonValueKind.Null, p.GetProperty("cost_per_click").ValueKind);
        }
    }

    private sealed record Replayed(int Clicks, int Impressions, long Spend, double ExpectedClicks);

    /// <summary>Second-price replay: win when the bid (capped by the remaining budget) reaches the logged market price, pay that price.</summary>
    private static Replayed Replay(AuctionLog log, int auctions, int budget, Func<double, int> bid)
    {
        int clicks = 0, impressions = 0;
        long spend = 0;
        double expected = 0;
        for (int start = 0; start + auctions <= log.Count; start += auctions)
        {
            int left = budget;
            for (int k = start; k < start + auctions; k++)
            {
                int b = Math.Min(bid(log.Ctr[k]), left);
                if (b < log.MarketPrice[k]) continue;
                left -= log.MarketPrice[k];
                spend += log.MarketPrice[k];
                impressions++;
                expected += log.Ctr[k];
                if (log.Clicked[k]) clicks++;
            }
        }
        return new Replayed(clicks, impressions, spend, expected);
    }

    private static void AssertReplay(JsonElement policy, Replayed expected)
    {
        Assert.True(expected.Impressions > 0, "the replay wins some auctions, so the comparison is not vacuous");
        Assert.Equal(expected.Clicks, policy.GetProperty("clicks").GetInt32());
        Assert.Equal(expected.Impressions, policy.GetProperty("impressions").GetInt32());
        Assert.Equal(expected.Spend, policy.GetProperty("spend").GetInt64());
        Assert.Equal(expected.ExpectedClicks, policy.GetProperty("expected_clicks").GetDouble(), 9);
    }

    [Fact]
    public void Bid_rejects_bad_options()
    {
        var validation = new BidCommand.Settings { BudgetRatio = -1 }.Validate();
        Assert.False(validation.Successful);
        Assert.Contains("--budget-ratio is -1; give a number in (0, 1]", validation.Message);
    }
}
