// The pair construction of Direct Nash Optimization's practical algorithm ("Direct Nash Optimization: Teaching Language
// Models to Self-Improve with General Preferences", Rosset et al. 2024, DNO-Prct): for one prompt, the policy's K
// samples (and optionally a teacher's output) are annotated pairwise by a preference oracle, each candidate's win rate is
// the share of its comparisons it won, and the pair is (the candidate with the highest win rate, the one with the
// lowest), kept only when the win-rate gap reaches a margin (the paper's large-margin filter) and the two texts differ.
// Ties carry no preference and give no pair. The oracle here is a Bradley–Terry draw on a score per candidate,
//     P(a ≻ b) = σ(scale·(s_a − s_b)), then flipped with probability noise,
// s being the task's true utility (scale and noise as in `rewire prefs make`) or a trained reward model's reward
// (scale 1, noise 0: the reward model's own Bradley–Terry probability).
namespace Rewire.Tasks.Preferences;

/// <summary>A preference oracle that annotates candidates by a Bradley–Terry draw on their scores (see the file header).</summary>
/// <param name="Scale">Logits per unit of score (positive).</param>
/// <param name="Noise">Probability that an annotation is flipped, in [0, 0.5].</param>
public sealed record BradleyTerryOracle(double Scale, double Noise)
{
    /// <summary>P(a ≻ b) after the label noise: (1 − noise)·σ(scale·(s_a − s_b)) + noise·σ(scale·(s_b − s_a)).</summary>
    public double Probability(double scoreA, double scoreB)
    {
        double p = PreferenceSetBuilder.Sigmoid(Scale * (scoreA - scoreB));
        return (1 - Noise) * p + Noise * (1 - p);
    }
}

/// <summary>The pair chosen for one prompt: indices into its candidates and their win rates.</summary>
/// <param name="Chosen">The candidate with the highest win rate.</param>
/// <param name="Rejected">The candidate with the lowest win rate.</param>
/// <param name="ChosenWinRate">Its share of won comparisons.</param>
/// <param name="RejectedWinRate">Its share of won comparisons.</param>
public sealed record SelfPlayPair(int Chosen, int Rejected, double ChosenWinRate, double RejectedWinRate);

/// <summary>Builds DNO's self-play pairs (see the file header).</summary>
public static class SelfPlayPairs
{
    /// <summary>
    /// Every candidate's win rate: each unordered pair of <paramref name="scores"/> is annotated once by a draw from
    /// <paramref name="oracle"/>; a candidate's win rate is its wins over its K − 1 comparisons.
    /// </summary>
    public static double[] WinRates(IReadOnlyList<double> scores, BradleyTerryOracle oracle, Random random)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(oracle);
        ArgumentNullException.ThrowIfNull(random);
        int k = scores.Count;
        var wins = new double[k];
        for (int i = 0; i < k; i++)
            for (int j = i + 1; j < k; j++)
            {
                if (random.NextDouble() < oracle.Probability(scores[i], scores[j])) wins[i]++;
                else wins[j]++;
            }
        return k < 2 ? wins : wins.Select(w => w / (k - 1)).ToArray();
    }

    /// <summary>
    /// The (best, worst) pair of one prompt's candidates by win rate, or null when the gap is below
    /// <paramref name="minGap"/>, is zero (a tie), or the two texts are the same. The first candidate wins ties of the
    /// maximum and the last of the minimum, so the choice is deterministic given the win rates.
    /// </summary>
    public static SelfPlayPair? Choose(IReadOnlyList<string> texts, IReadOnlyList<double> winRates, double minGap)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(winRates);
        if (texts.Count != winRates.Count) throw new ArgumentException($"{texts.Count} candidates but {winRates.Count} win rates");
        if (texts.Count < 2) return null;
        int best = 0, worst = 0;
        for (int i = 1; i < winRates.Count; i++)
        {
            if (winRates[i] > winRates[best]) best = i;
            if (winRates[i] <= winRates[worst]) worst = i;
        }
        double gap = winRates[best] - winRates[worst];
        if (gap <= 0 || gap < minGap || string.Equals(texts[best], texts[worst], StringComparison.Ordinal)) return null;
        return new SelfPlayPair(best, worst, winRates[best], winRates[worst]);
    }
}
