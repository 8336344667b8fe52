namespace Rewire.Classic.Mdp;

/// <summary>
/// Policy iteration (Howard 1960; Sutton and Barto §4.3): evaluate <c>V^π = r_π + γ P_π V^π</c> (iteratively to
/// <c>evaluationTolerance</c>), improve <c>π'(s) = argmax_a Q^π(s,a)</c> keeping the current action on ties, stop when
/// the policy is stable.
/// </summary>
public static class PolicyIteration
{
    /// <summary>
    /// Solves <paramref name="mdp"/> by policy iteration from the policy that plays action 0 everywhere.
    /// </summary>
    /// <param name="mdp">The MDP (γ &lt; 1, or an episodic MDP whose policies all terminate).</param>
    /// <param name="evaluationTolerance">Sup-norm tolerance of each policy evaluation.</param>
    /// <param name="maxIterations">Maximum number of improvement steps.</param>
    /// <returns>The optimal values, the optimal policy and the number of improvement steps.</returns>
    public static MdpSolution Solve(TabularMdp mdp, double evaluationTolerance = 1e-12, int maxIterations = 1_000)
    {
        ArgumentNullException.ThrowIfNull(mdp);
        if (!(evaluationTolerance > 0)) throw new ArgumentOutOfRangeException(nameof(evaluationTolerance), evaluationTolerance, "The tolerance must be positive.");
        var policy = new int[mdp.States];
        var v = new double[mdp.States];
        int iteration = 0;
        while (iteration < maxIterations)
        {
            iteration++;
            Evaluate(mdp, policy, v, evaluationTolerance);
            bool stable = true;
            for (int s = 0; s < mdp.States; s++)
            {
                int current = policy[s];
                double bestValue = mdp.Backup(s, current, v);
                for (int a = 0; a < mdp.Actions; a++)
                {
                    double q = mdp.Backup(s, a, v);
                    if (q > bestValue + 1e-10)
                    {
                        bestValue = q;
                        policy[s] = a;
                    }
                }
                if (policy[s] != current) stable = false;
            }
            if (stable) break;
        }
        var q2 = new double[mdp.States * mdp.Actions];
        for (int s = 0; s < mdp.States; s++)
        {
            for (int a = 0; a < mdp.Actions; a++) q2[s * mdp.Actions + a] = mdp.Backup(s, a, v);
        }
        return new MdpSolution(v, q2, policy, iteration);
    }

    /// <summary>Iterative policy evaluation of a deterministic policy, in place, to the given sup-norm tolerance.</summary>
    public static void Evaluate(TabularMdp mdp, int[] policy, double[] values, double tolerance)
    {
        ArgumentNullException.ThrowIfNull(mdp);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(values);
        var next = new double[mdp.States];
        for (int sweep = 0; sweep < 1_000_000; sweep++)
        {
            double delta = 0;
            for (int s = 0; s < mdp.States; s++)
            {
                next[s] = mdp.Backup(s, policy[s], values);
                delta = Math.Max(delta, Math.Abs(next[s] - values[s]));
            }
            next.CopyTo(values, 0);
            if (delta < tolerance) return;
        }
    }
}
