using Rewire.Core.Sampling;

namespace Rewire.Classic.Offline;

/// <summary>One recorded choice: episode, step h, state, action, next state.</summary>
public readonly record struct ChoiceRecord(int Episode, int Step, int State, int Action, int Next);

/// <summary>
/// The dynamic-discrete-choice (DDC) behaviour model of "Reinforcement Learning with Human Feedback: Learning Dynamic
/// Choices via Pessimism" (Li, Yang, Wang, arXiv 2305.18438): a human with Gumbel taste shocks acts by the soft-Bellman
/// policy π_h(a | s) = exp(Q_h(s, a)) / Σ_a' exp(Q_h(s, a')), Q_h(s, a) = r_h(s, a) + γ E[V_{h+1}(s')],
/// V_h(s) = log Σ_a exp(Q_h(s, a)), V_H = 0.
/// </summary>
public static class DynamicDiscreteChoice
{
    /// <summary>Soft-Bellman Q[h, s, a] of reward <paramref name="reward"/> (default: the MDP's) with discount γ.</summary>
    public static double[,,] SoftQ(EpisodicMdp mdp, double gamma = 1.0, double[,,]? reward = null)
    {
        ArgumentNullException.ThrowIfNull(mdp);
        var r = reward ?? mdp.Reward;
        var q = new double[mdp.Horizon, mdp.States, mdp.Actions];
        var v = new double[mdp.States];
        for (int h = mdp.Horizon - 1; h >= 0; h--)
        {
            var next = new double[mdp.States];
            for (int s = 0; s < mdp.States; s++)
            {
                var row = new double[mdp.Actions];
                for (int a = 0; a < mdp.Actions; a++) row[a] = q[h, s, a] = r[h, s, a] + gamma * mdp.Expect(s, a, v);
                next[s] = LogSumExp(row);
            }
            v = next;
        }
        return q;
    }

    /// <summary>log Σ exp(x), stable.</summary>
    public static double LogSumExp(ReadOnlySpan<double> x)
    {
        double m = double.NegativeInfinity;
        foreach (double v in x) m = Math.Max(m, v);
        if (double.IsNegativeInfinity(m)) return m;
        double s = 0;
        foreach (double v in x) s += Math.Exp(v - m);
        return m + Math.Log(s);
    }

    /// <summary>The choice probabilities softmax(Q_h(s, ·)).</summary>
    public static double[] Policy(double[,,] q, int h, int s)
    {
        int n = q.GetLength(2);
        var row = new double[n];
        for (int a = 0; a < n; a++) row[a] = q[h, s, a];
        double lse = LogSumExp(row);
        for (int a = 0; a < n; a++) row[a] = Math.Exp(row[a] - lse);
        return row;
    }

    /// <summary>The DDC log-likelihood Σ_i log softmax(Q_{h_i}(s_i, ·))[a_i] of <paramref name="data"/>.</summary>
    public static double LogLikelihood(double[,,] q, IEnumerable<ChoiceRecord> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        double ll = 0;
        int n = q.GetLength(2);
        foreach (var d in data)
        {
            var row = new double[n];
            for (int a = 0; a < n; a++) row[a] = q[d.Step, d.State, a];
            ll += row[d.Action] - LogSumExp(row);
        }
        return ll;
    }

    /// <summary><paramref name="episodes"/> episodes of the DDC behaviour policy of the MDP's true reward, seeded.</summary>
    public static List<ChoiceRecord> Sample(EpisodicMdp mdp, int episodes, ulong seed, double gamma = 1.0)
    {
        ArgumentNullException.ThrowIfNull(mdp);
        var q = SoftQ(mdp, gamma);
        var rng = new Xoshiro256StarStar(seed);
        var data = new List<ChoiceRecord>(episodes * mdp.Horizon);
        for (int e = 0; e < episodes; e++)
        {
            int s = Draw(rng, mdp.Start);
            for (int h = 0; h < mdp.Horizon; h++)
            {
                int a = Draw(rng, Policy(q, h, s));
                var p = new double[mdp.States];
                for (int t = 0; t < p.Length; t++) p[t] = mdp.Transitions[s, a, t];
                int next = Draw(rng, p);
                data.Add(new ChoiceRecord(e, h, s, a, next));
                s = next;
            }
        }
        return data;
    }

    private static int Draw(Xoshiro256StarStar rng, double[] p)
    {
        double u = rng.NextDouble(), c = 0;
        for (int i = 0; i < p.Length; i++)
        {
            c += p[i];
            if (u < c) return i;
        }
        return p.Length - 1;
    }
}
