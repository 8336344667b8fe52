namespace Rewire.Classic.Mdp;

/// <summary>
/// Value iteration (Bellman 1957; Sutton and Barto, "Reinforcement Learning: An Introduction", §4.4):
/// <c>V_{k+1}(s) = max_a Σ_{s'} p(s'|s,a)(r(s,a,s') + γ V_k(s'))</c>, synchronous sweeps, stopped when
/// <c>max_s |V_{k+1} − V_k| &lt; tolerance</c>; the policy is greedy in the final values.
/// </summary>
public static class ValueIteration
{
    /// <summary>Solves <paramref name="mdp"/> by value iteration from V = 0.</summary>
    /// <param name="mdp">The MDP.</param>
    /// <param name="tolerance">Stop when the sup-norm change of a sweep falls below this.</param>
    /// <param name="maxIterations">Maximum number of sweeps.</param>
    /// <returns>The final values, their greedy policy and the number of sweeps.</returns>
    public static MdpSolution Solve(TabularMdp mdp, double tolerance = 1e-10, int maxIterations = 100_000)
    {
        ArgumentNullException.ThrowIfNull(mdp);
        if (!(tolerance > 0)) throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "The tolerance must be positive.");
        if (maxIterations < 1) throw new ArgumentOutOfRangeException(nameof(maxIterations), maxIterations, "maxIterations must be >= 1.");
        var v = new double[mdp.States];
        var next = new double[mdp.States];
        int iteration = 0;
        while (iteration < maxIterations)
        {
            iteration++;
            double delta = Sweep(mdp, v, next);
            (v, next) = (next, v);
            if (delta < tolerance) break;
        }
        return MdpSolution.Greedy(mdp, v, iteration);
    }

    /// <summary>One synchronous Bellman optimality sweep from <paramref name="v"/> into <paramref name="next"/>; returns the sup-norm change.</summary>
    public static double Sweep(TabularMdp mdp, ReadOnlySpan<double> v, Span<double> next)
    {
        ArgumentNullException.ThrowIfNull(mdp);
        int actions = mdp.Actions;
        double gamma = mdp.Gamma;
        int[] offsets = mdp.Offsets, succ = mdp.Next;
        double[] prob = mdp.Probability, reward = mdp.Reward;
        double delta = 0;
        for (int s = 0; s < mdp.States; s++)
        {
            double best = double.NegativeInfinity;
            int pair = s * actions;
            for (int a = 0; a < actions; a++, pair++)
            {
                double q = 0;
                for (int k = offsets[pair]; k < offsets[pair + 1]; k++) q += prob[k] * (reward[k] + gamma * v[succ[k]]);
                if (q > best) best = q;
            }
            next[s] = best;
            double d = Math.Abs(best - v[s]);
            if (d > delta) delta = d;
        }
        return delta;
    }
}
