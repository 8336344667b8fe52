namespace Rewire.Classic.Mdp;

/// <summary>
/// Reward shaping applied to a tabular MDP's reward function, [R07] "Behavior Alignment via Reward Function
/// Optimization" (Gupta et al., NeurIPS 2023) and its baseline, potential-based shaping (Ng, Harada, Russell, ICML 1999,
/// "Policy invariance under reward transformations"):
/// <c>r'(s,a,s') = r(s,a,s') + F(s,a,s')</c> with <c>F = γΦ(s') − Φ(s)</c>, Φ(terminal) := 0.
/// Then <c>Q*' = Q* − Φ(s)</c>, <c>V*' = V* − Φ(s)</c> and the optimal policies coincide. <see cref="WithBonus"/> adds an
/// arbitrary (non-potential) bonus, which in general changes the optimal policy. (The generic reward-pipeline transform
/// lives in Rewire.Core's shaping folder; this class works on the MDP's reward table so planning can be compared.)
/// </summary>
public static class ShapedMdp
{
    /// <summary>The potential-shaped MDP <c>r + γΦ(s') − Φ(s)</c>; terminal states get Φ = 0.</summary>
    public static TabularMdp PotentialBased(TabularMdp mdp, IReadOnlyList<double> potential)
    {
        ArgumentNullException.ThrowIfNull(mdp);
        ArgumentNullException.ThrowIfNull(potential);
        if (potential.Count != mdp.States)
            throw new ArgumentException($"The potential has {potential.Count} entries; the MDP has {mdp.States} states. Give one value per state.", nameof(potential));
        var phi = new double[mdp.States];
        for (int s = 0; s < phi.Length; s++)
        {
            if (!double.IsFinite(potential[s])) throw new ArgumentException($"Potential of state {s} is {potential[s]}; potentials must be finite.", nameof(potential));
            phi[s] = mdp.IsTerminal(s) ? 0.0 : potential[s];
        }
        double gamma = mdp.Gamma;
        return mdp.WithRewards((s, a, next, r) => r + gamma * phi[next] - phi[s]);
    }

    /// <summary>The shaping term <c>F(s, s') = γΦ(s') − Φ(s)</c>.</summary>
    public static double PotentialTerm(double gamma, double phiState, double phiNext) => gamma * phiNext - phiState;

    /// <summary>The MDP with <c>r + bonus(s, a, s')</c>, for shaping that is not potential-based.</summary>
    public static TabularMdp WithBonus(TabularMdp mdp, Func<int, int, int, double> bonus)
    {
        ArgumentNullException.ThrowIfNull(mdp);
        ArgumentNullException.ThrowIfNull(bonus);
        return mdp.WithRewards((s, a, next, r) => r + bonus(s, a, next));
    }
}
