namespace Rewire.Classic.Mdp;

/// <summary>The result of planning: optimal values V*, action values Q* (row-major S x A), a greedy policy and the iteration count.</summary>
public sealed record MdpSolution(double[] Values, double[] QValues, int[] Policy, int Iterations)
{
    /// <summary>Q*(s, a).</summary>
    public double Q(int state, int action, int actions) => QValues[state * actions + action];

    /// <summary>
    /// The greedy policy for <paramref name="values"/>; ties within <paramref name="tieTolerance"/> go to the lowest action
    /// so the result is reproducible.
    /// </summary>
    public static MdpSolution Greedy(TabularMdp mdp, double[] values, int iterations, double tieTolerance = 1e-9)
    {
        ArgumentNullException.ThrowIfNull(mdp);
        ArgumentNullException.ThrowIfNull(values);
        var q = new double[mdp.States * mdp.Actions];
        var policy = new int[mdp.States];
        for (int s = 0; s < mdp.States; s++)
        {
            double best = double.NegativeInfinity;
            for (int a = 0; a < mdp.Actions; a++)
            {
                double v = mdp.Backup(s, a, values);
                q[s * mdp.Actions + a] = v;
                if (v > best) best = v;
            }
            for (int a = 0; a < mdp.Actions; a++)
            {
                if (q[s * mdp.Actions + a] >= best - tieTolerance)
                {
                    policy[s] = a;
                    break;
                }
            }
        }
        return new MdpSolution(values, q, policy, iterations);
    }
}
