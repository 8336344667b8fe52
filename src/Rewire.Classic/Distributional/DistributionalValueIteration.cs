using Rewire.Classic.Mdp;

namespace Rewire.Classic.Distributional;

/// <summary>Options of <see cref="DistributionalValueIteration"/>.</summary>
public sealed record DistributionalDpOptions
{
    /// <summary>Maximum number of sweeps (for episodic MDPs, at least the longest episode). <value>The default value is 1000.</value></summary>
    public int MaxIterations { get; init; } = 1000;

    /// <summary>Stop when no atom position or probability moves more than this. <value>The default value is 1e-9.</value></summary>
    public double Tolerance { get; init; } = 1e-9;

    /// <summary>
    /// Checks the options; throws <see cref="ArgumentOutOfRangeException"/> when there are no iterations or the
    /// tolerance is negative.
    /// </summary>
    public void Validate()
    {
        if (MaxIterations < 1) throw new ArgumentOutOfRangeException(nameof(MaxIterations), MaxIterations, "Run at least one iteration.");
        if (!(Tolerance >= 0)) throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "The tolerance must be >= 0.");
    }
}

/// <summary>The output of distributional DP: η(s, c_j), the greedy policy π(s, c_j) and K at each augmented state.</summary>
public sealed class DistributionalSolution
{
    internal DistributionalSolution(TabularMdp mdp, StockGrid stocks, ReturnDistribution[] eta, int[] policy, IReturnObjective objective, int iterations)
    {
        Mdp = mdp;
        Stocks = stocks;
        Eta = eta;
        PolicyTable = policy;
        Objective = objective;
        Iterations = iterations;
    }

    /// <summary>The MDP that was solved.</summary>
    public TabularMdp Mdp { get; }

    /// <summary>The stock grid the augmented states are tabulated on.</summary>
    public StockGrid Stocks { get; }

    /// <summary>The objective K the policy is greedy for.</summary>
    public IReturnObjective Objective { get; }

    /// <summary>Number of sweeps (or, for policy iteration, evaluation sweeps) run.</summary>
    public int Iterations { get; }

    internal ReturnDistribution[] Eta { get; }

    internal int[] PolicyTable { get; }

    /// <summary>η(s, c_j): the return distribution from (s, c_j) under the greedy policy.</summary>
    public ReturnDistribution Distribution(int state, int stockIndex) => Eta[state * Stocks.Points + stockIndex];

    /// <summary>π(s, c_j).</summary>
    public int Policy(int state, int stockIndex) => PolicyTable[state * Stocks.Points + stockIndex];

    /// <summary>K(law(c_j + G)) at (s, c_j).</summary>
    public double Value(int state, int stockIndex) => Objective.Evaluate(Distribution(state, stockIndex), Stocks.Value(stockIndex));
}

/// <summary>
/// Distributional value iteration with stock augmentation, [C18] "Optimizing Return Distributions with Distributional
/// Dynamic Programming" (Ávila Pires et al., JMLR 2025). Augmented state (s, c), stock update
/// <c>C' = (c + R)/γ</c>; iterate
/// <code>
/// a*(s, c) = argmax_a K( law(c + R + γG'_k) | a ),   G'_k ~ η_k(S', C')
/// η_{k+1}(s, c) = Π law(R + γG'_k | a*(s, c))
/// </code>
/// where Π projects onto the chosen representation (categorical atoms or quantiles). The stock is tabulated on a
/// <see cref="StockGrid"/>; η at an off-grid C' is the mixture of its two grid neighbours (linear-interpolation weights).
/// Terminal states have η = δ_0. K is evaluated on the unprojected candidate mixture; ties go to the lowest action.
/// </summary>
public static class DistributionalValueIteration
{
    /// <summary>
    /// Iterates the projected distributional optimality operator until no atom moves more than the tolerance, greedy in
    /// K at each augmented state.
    /// </summary>
    /// <param name="mdp">The tabular MDP.</param>
    /// <param name="stocks">Stock grid c_j of the augmented state.</param>
    /// <param name="projection">Projection of each backed-up distribution onto the fixed representation.</param>
    /// <param name="objective">The functional K to maximise.</param>
    /// <param name="options">Sweep limit and tolerance; the defaults when null.</param>
    /// <returns>η, the greedy policy and K at every augmented state.</returns>
    public static DistributionalSolution Solve(TabularMdp mdp, StockGrid stocks, IDistributionProjection projection, IReturnObjective objective, DistributionalDpOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(mdp);
        ArgumentNullException.ThrowIfNull(stocks);
        ArgumentNullException.ThrowIfNull(projection);
        ArgumentNullException.ThrowIfNull(objective);
        options ??= new DistributionalDpOptions();
        options.Validate();
        if (!(mdp.Gamma > 0)) throw new ArgumentException("Stock augmentation divides by gamma; use gamma > 0.", nameof(mdp));
        int j = stocks.Points;
        int cells = mdp.States * j;
        var eta = new ReturnDistribution[cells];
        var zero = projection.Project([0.0], [1.0]);
        Array.Fill(eta, zero);
        var policy = new int[cells];
        var values = new List<double>();
        var probs = new List<double>();
        int iteration = 0;
        while (iteration < options.MaxIterations)
        {
            iteration++;
            var next = new ReturnDistribution[cells];
            double change = 0;
            for (int s = 0; s < mdp.States; s++)
            {
                for (int ci = 0; ci < j; ci++)
                {
                    int cell = s * j + ci;
                    if (mdp.IsTerminal(s))
                    {
                        next[cell] = zero;
                        continue;
                    }
                    double c = stocks.Value(ci);
                    double bestK = double.NegativeInfinity;
                    ReturnDistribution? best = null;
                    int bestAction = 0;
                    for (int a = 0; a < mdp.Actions; a++)
                    {
                        var candidate = Backup(mdp, stocks, eta, s, a, c, values, probs);
                        double k = objective.Evaluate(candidate, c);
                        if (k > bestK + 1e-12)
                        {
                            bestK = k;
                            best = candidate;
                            bestAction = a;
                        }
                    }
                    next[cell] = projection.Project(best!.Values, best.Probabilities);
                    policy[cell] = bestAction;
                    change = Math.Max(change, Distance(eta[cell], next[cell]));
                }
            }
            eta = next;
            if (change <= options.Tolerance) break;
        }
        return new DistributionalSolution(mdp, stocks, eta, policy, objective, iteration);
    }

    /// <summary>The unprojected law of R + γG' after taking <paramref name="action"/> in (s, c).</summary>
    public static ReturnDistribution Backup(TabularMdp mdp, StockGrid stocks, IReadOnlyList<ReturnDistribution> eta, int state, int action, double stock)
        => Backup(mdp, stocks, eta, state, action, stock, [], []);

    private static ReturnDistribution Backup(TabularMdp mdp, StockGrid stocks, IReadOnlyList<ReturnDistribution> eta, int s, int a, double c, List<double> values, List<double> probs)
    {
        values.Clear();
        probs.Clear();
        double gamma = mdp.Gamma;
        foreach (var (next, p, r) in mdp.Outcomes(s, a))
        {
            double stockNext = (c + r) / gamma;
            var (lo, hi, w) = stocks.Locate(stockNext);
            Add(eta[next * stocks.Points + lo], p * (1 - w));
            if (w > 0) Add(eta[next * stocks.Points + hi], p * w);

            void Add(ReturnDistribution d, double weight)
            {
                for (int i = 0; i < d.Values.Length; i++)
                {
                    values.Add(r + gamma * d.Values[i]);
                    probs.Add(weight * d.Probabilities[i]);
                }
            }
        }
        return new ReturnDistribution(values.ToArray(), probs.ToArray());
    }

    internal static double Distance(ReturnDistribution x, ReturnDistribution y)
    {
        if (x.Values.Length != y.Values.Length) return double.PositiveInfinity;
        double d = 0;
        for (int i = 0; i < x.Values.Length; i++)
        {
            d = Math.Max(d, Math.Abs(x.Values[i] - y.Values[i]));
            d = Math.Max(d, Math.Abs(x.Probabilities[i] - y.Probabilities[i]));
        }
        return d;
    }
}

/// <summary>
/// CVaR optimisation by the Rockafellar-Uryasev outer search of [C18]: <c>CVaR_τ(G) = max_b { b − (1/τ)E[(b − G)^+] }</c>.
/// For each candidate b (the stock-grid values), run distributional DP with K(ν) = E min(X, 0) from stock c0 = −b, score
/// <c>b + (1/τ)·K</c>, and keep the best b with its stock-dependent policy.
/// </summary>
public static class CvarOptimizer
{
    /// <summary>
    /// Maximises lower-tail CVaR_τ of the return from <paramref name="initialState"/> with the Rockafellar-Uryasev form
    /// <c>max_b { b + (1/τ)·E min(c0 + G, 0) }</c>, c0 = −b: one distributional DP with
    /// <see cref="NegativePartObjective"/> over the whole stock grid, then a scan of b over the grid.
    /// </summary>
    /// <param name="mdp">The tabular MDP.</param>
    /// <param name="initialState">The start state s0.</param>
    /// <param name="tau">CVaR level τ in (0, 1].</param>
    /// <param name="stocks">Stock grid; it bounds the values of b that are tried.</param>
    /// <param name="projection">Projection of the backed-up distributions.</param>
    /// <param name="options">Sweep limit and tolerance; the defaults when null.</param>
    /// <returns>The optimal CVaR, the maximising threshold b and the DP solution to read the policy from.</returns>
    public static (double Cvar, double B, DistributionalSolution Solution) Optimize(TabularMdp mdp, int initialState, double tau, StockGrid stocks, IDistributionProjection projection, DistributionalDpOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(mdp);
        ArgumentNullException.ThrowIfNull(stocks);
        if (!(tau > 0 && tau <= 1)) throw new ArgumentOutOfRangeException(nameof(tau), tau, "The CVaR level tau must lie in (0, 1].");
        if ((uint)initialState >= (uint)mdp.States) throw new ArgumentOutOfRangeException(nameof(initialState), initialState, $"States are 0..{mdp.States - 1}.");
        // The DP result does not depend on c0 (the whole stock grid is solved at once), so solve once and scan b.
        var solution = DistributionalValueIteration.Solve(mdp, stocks, projection, new NegativePartObjective(), options);
        double best = double.NegativeInfinity, bestB = double.NaN;
        for (int j = 0; j < stocks.Points; j++)
        {
            double c0 = stocks.Value(j);
            double b = -c0;
            double value = b + solution.Value(initialState, j) / tau;
            if (value > best + 1e-12)
            {
                best = value;
                bestB = b;
            }
        }
        return (best, bestB, solution);
    }
}
