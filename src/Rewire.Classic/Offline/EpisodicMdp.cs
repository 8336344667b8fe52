using Rewire.Core.Sampling;

namespace Rewire.Classic.Offline;

/// <summary>
/// A finite-horizon tabular MDP with steps h = 0 … H−1: a start distribution, transitions P(s' | s, a) (the same at every
/// step) and a step-dependent reward r_h(s, a) in [0, 1]. Action 0 is the reference action whose reward is 0 at every
/// step and state: the normalisation under which a dynamic-discrete-choice model identifies the reward from choices
/// alone (choices only reveal differences of Q between actions).
/// </summary>
public sealed class EpisodicMdp
{
    /// <summary>Wraps the model arrays; shapes must agree and action 0 must have zero reward.</summary>
    /// <param name="start">Start distribution over states.</param>
    /// <param name="transitions">P[s, a, s'].</param>
    /// <param name="reward">r[h, s, a] in [0, 1].</param>
    public EpisodicMdp(double[] start, double[,,] transitions, double[,,] reward)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(transitions);
        ArgumentNullException.ThrowIfNull(reward);
        States = start.Length;
        Actions = transitions.GetLength(1);
        Horizon = reward.GetLength(0);
        if (transitions.GetLength(0) != States || transitions.GetLength(2) != States)
            throw new ArgumentException($"transitions must be {States} x A x {States}.");
        if (reward.GetLength(1) != States || reward.GetLength(2) != Actions)
            throw new ArgumentException($"reward must be H x {States} x {Actions}.");
        if (Math.Abs(start.Sum() - 1) > 1e-9 || start.Any(p => p < 0)) throw new ArgumentException("the start distribution must be a probability vector.");
        for (int s = 0; s < States; s++)
            for (int a = 0; a < Actions; a++)
            {
                double sum = 0;
                for (int t = 0; t < States; t++) sum += transitions[s, a, t];
                if (Math.Abs(sum - 1) > 1e-9) throw new ArgumentException($"P(· | {s}, {a}) sums to {sum}, not 1.");
            }
        Start = start;
        Transitions = transitions;
        Reward = reward;
    }

    /// <summary>Number of states S.</summary>
    public int States { get; }
    /// <summary>Number of actions A; action 0 is the zero-reward reference action.</summary>
    public int Actions { get; }
    /// <summary>Episode length H (steps h = 0 … H−1).</summary>
    public int Horizon { get; }
    /// <summary>Start-state distribution.</summary>
    public double[] Start { get; }

    /// <summary>P[s, a, s'].</summary>
    public double[,,] Transitions { get; }

    /// <summary>r[h, s, a].</summary>
    public double[,,] Reward { get; }

    /// <summary>
    /// A random MDP: each P(· | s, a) drawn from a Dirichlet(α = 0.5, sparse-ish) over next states, rewards r_h(s, a) ~ U[0, 1]
    /// for a ≥ 1 and r_h(s, 0) = 0, start uniform. Seeded.
    /// </summary>
    public static EpisodicMdp Random(int states, int actions, int horizon, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(states, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(actions, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        var rng = new Xoshiro256StarStar(seed);
        var p = new double[states, actions, states];
        for (int s = 0; s < states; s++)
            for (int a = 0; a < actions; a++)
            {
                var g = new double[states];
                for (int t = 0; t < states; t++) g[t] = rng.NextGamma(0.5) + 1e-12;
                double sum = g.Sum();
                for (int t = 0; t < states; t++) p[s, a, t] = g[t] / sum;
                // Renormalise exactly so each row sums to 1 within rounding.
                double row = 0;
                for (int t = 0; t < states; t++) row += p[s, a, t];
                p[s, a, states - 1] += 1 - row;
            }
        var r = new double[horizon, states, actions];
        for (int h = 0; h < horizon; h++)
            for (int s = 0; s < states; s++)
                for (int a = 1; a < actions; a++) r[h, s, a] = rng.NextDouble();
        return new EpisodicMdp(Enumerable.Repeat(1.0 / states, states).ToArray(), p, r);
    }

    /// <summary>E[f(s') | s, a].</summary>
    public double Expect(int s, int a, double[] f)
    {
        double v = 0;
        for (int t = 0; t < States; t++) v += Transitions[s, a, t] * f[t];
        return v;
    }

    /// <summary>Expected return Σ_s ρ(s) V_0(s) of the deterministic policy <paramref name="policy"/>[h, s] (exact, by backward induction).</summary>
    public double Value(int[,] policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var v = new double[States];
        for (int h = Horizon - 1; h >= 0; h--)
        {
            var next = new double[States];
            for (int s = 0; s < States; s++)
            {
                int a = policy[h, s];
                next[s] = Reward[h, s, a] + Expect(s, a, v);
            }
            v = next;
        }
        return Start.Select((p, s) => p * v[s]).Sum();
    }

    /// <summary>The optimal deterministic policy and its value (hard Bellman backward induction).</summary>
    public (int[,] Policy, double Value) Optimal()
    {
        var policy = new int[Horizon, States];
        var v = new double[States];
        for (int h = Horizon - 1; h >= 0; h--)
        {
            var next = new double[States];
            for (int s = 0; s < States; s++)
            {
                double best = double.NegativeInfinity;
                for (int a = 0; a < Actions; a++)
                {
                    double q = Reward[h, s, a] + Expect(s, a, v);
                    if (q > best) { best = q; policy[h, s] = a; }
                }
                next[s] = best;
            }
            v = next;
        }
        return (policy, Start.Select((p, s) => p * v[s]).Sum());
    }
}
