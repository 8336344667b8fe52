namespace Rewire.Classic.Branching;

/// <summary>
/// ReviBranch's importance-weighted reward redistribution: a sparse terminal reward R_T of a trajectory of L branching
/// steps becomes dense step rewards r_i = w_i·R_T with w_i = exp(ι_i/T) / Σ_j exp(ι_j/T), so Σ_i r_i = R_T exactly.
/// The softmax form and the temperature are reconstructed (the paper gives the mechanism, not the formula).
/// </summary>
public static class RewardRedistribution
{
    /// <summary>The step rewards for <paramref name="importances"/> (one per step) at temperature <paramref name="temperature"/> &gt; 0.</summary>
    public static double[] Redistribute(double terminalReward, IReadOnlyList<double> importances, double temperature)
    {
        ArgumentNullException.ThrowIfNull(importances);
        if (!(temperature > 0) || !double.IsFinite(temperature)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "the temperature must be a positive finite number");
        int l = importances.Count;
        var r = new double[l];
        if (l == 0) return r;
        double max = importances.Max();
        double sum = 0;
        for (int i = 0; i < l; i++) { r[i] = Math.Exp((importances[i] - max) / temperature); sum += r[i]; }
        for (int i = 0; i < l; i++) r[i] = r[i] / sum * terminalReward;
        return r;
    }

    /// <summary>Returns-to-go G_i = Σ_{k≥i} r_k (undiscounted, as the redistributed rewards already sum to R_T).</summary>
    public static double[] ReturnsToGo(IReadOnlyList<double> rewards)
    {
        ArgumentNullException.ThrowIfNull(rewards);
        var g = new double[rewards.Count];
        double acc = 0;
        for (int i = rewards.Count - 1; i >= 0; i--) { acc += rewards[i]; g[i] = acc; }
        return g;
    }
}
