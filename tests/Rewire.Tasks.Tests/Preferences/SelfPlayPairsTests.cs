using Rewire.Tasks.Preferences;

namespace Rewire.Tasks.Tests.Preferences;

/// <summary>DNO's self-play pair construction: the oracle's probability, win rates from pairwise annotations, and the (best, worst) choice with its filters.</summary>
public class SelfPlayPairsTests
{
    [Fact]
    public void The_oracle_probability_is_the_noisy_bradley_terry_draw()
    {
        // σ(20·0.1) = σ(2) = 0.8807970779778823; with 10% flips: 0.9·0.8808 + 0.1·0.1192 = 0.8046376623823058
        var oracle = new BradleyTerryOracle(20, 0.1);
        Assert.Equal(0.8046376623823058, oracle.Probability(0.6, 0.5), 12);
        Assert.Equal(1 - 0.8046376623823058, oracle.Probability(0.5, 0.6), 12);
        Assert.Equal(0.5, oracle.Probability(0.3, 0.3), 12);
    }

    [Fact]
    public void A_noiseless_sharp_oracle_ranks_by_score()
    {
        // every comparison goes to the higher score: wins 0, 2, 1 of 2 comparisons each
        var wins = SelfPlayPairs.WinRates([0.2, 0.9, 0.5], new BradleyTerryOracle(1e6, 0), new Random(1));
        Assert.Equal([0.0, 1.0, 0.5], wins);
        var pair = SelfPlayPairs.Choose(["a", "b", "c"], wins, 0.5);
        Assert.Equal(new SelfPlayPair(1, 0, 1.0, 0.0), pair);
    }

    [Fact]
    public void Win_rates_follow_the_oracle_probability_on_average()
    {
        // two candidates with P(a ≻ b) = 0.8046: a's win rate averages that probability
        var oracle = new BradleyTerryOracle(20, 0.1);
        var random = new Random(5);
        double mean = Enumerable.Range(0, 20_000).Average(_ => SelfPlayPairs.WinRates([0.6, 0.5], oracle, random)[0]);
        Assert.InRange(mean, 0.8046 - 0.01, 0.8046 + 0.01);
        // win rates of K candidates always sum to K/2 (each comparison hands out one win over K − 1 comparisons each)
        var w = SelfPlayPairs.WinRates([0.1, 0.4, 0.4, 0.9, 0.0, 0.7], oracle, random);
        Assert.Equal(3.0, w.Sum(), 12);
    }

    [Fact]
    public void Ties_small_gaps_and_identical_texts_give_no_pair()
    {
        Assert.Null(SelfPlayPairs.Choose(["a", "b", "c"], [0.5, 0.5, 0.5], 0));        // a tie carries no preference
        Assert.Null(SelfPlayPairs.Choose(["a", "b", "c"], [0.75, 0.5, 0.25], 0.6));    // the large-margin filter
        Assert.NotNull(SelfPlayPairs.Choose(["a", "b", "c"], [0.75, 0.5, 0.25], 0.5)); // a gap equal to the margin is kept
        Assert.Null(SelfPlayPairs.Choose(["x", "y", "x"], [1, 0.5, 0], 0));            // best and worst are the same text
        Assert.Null(SelfPlayPairs.Choose(["x"], [1], 0));
        Assert.Throws<ArgumentException>(() => SelfPlayPairs.Choose(["a", "b"], [1], 0));
    }

    [Fact]
    public void Ties_of_the_best_go_to_the_first_and_of_the_worst_to_the_last()
    {
        Assert.Equal(new SelfPlayPair(0, 3, 0.8, 0.1), SelfPlayPairs.Choose(["a", "b", "c", "d"], [0.8, 0.1, 0.8, 0.1], 0));
    }
}
