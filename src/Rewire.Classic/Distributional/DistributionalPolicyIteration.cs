using Rewire.Classic.Mdp;

namespace Rewire.Classic.Distributional;

/// <summary>
/// Distributional policy iteration with stock augmentation, [C18] "Optimizing Return Distributions with Distributional
/// Dynamic Programming" (Ávila Pires et al., JMLR 2025): evaluate η^π as the fixed point of the projected operator
/// <c>(T^π η)(s, c) = Π law(R + γG')</c>, <c>G' ~ η(S', (c + R)/γ)</c>, then improve
/// <c>π'(s, c) = argmax_a K(law(c + R + γG^π(S', C')))</c>, keeping the current action unless another is strictly
/// better; stop when the policy is stable. Same stock grid and projection conventions as
/// <see cref="DistributionalValueIteration"/>.
/// </summary>
public static class DistributionalPolicyIteration
{
    /// <summary>
    /// Runs distributional policy iteration on the stock-augmented MDP, starting from the policy that plays action 0
    /// everywhere.
    /// </summary>
    /// <param name="mdp">The tabular MDP.</param>
    /// <param name="stocks">Stock grid c_j of the augmented state.</param>
    /// <param name="projection">Projection of each backed-up distribution onto the fixed representation.</param>
    /// <param name="objective">The functional K the improvement step maximises.</param>
    /// <param name="options">Sweep limit and tolerance of each evaluation; the defaults when null.</param>
    /// <param name="maxImprovements">Maximum number of improvement steps.</param>
    /// <returns>η, the final policy and K at every augmented state.</returns>
    public static DistributionalSolution Solve(TabularMdp mdp, StockGrid stocks, IDistributionProjection projection, IReturnObjective objective,
        DistributionalDpOptions? options = null, int maxImprovements = 100)
    {
        ArgumentNullException.ThrowIfNull(mdp);
        ArgumentNullException.ThrowIfNull(stocks);
        ArgumentNullException.ThrowIfNull(projection);
        ArgumentNullException.ThrowIfNull(objective);
        options ??= new DistributionalDpOptions();
        options.Validate();
        if (maxImprovements < 1) throw new ArgumentOutOfRangeException(nameof(maxImprovements), maxImprovements, "Allow at least one improvement step.");
        if (!(mdp.Gamma > 0)) throw new ArgumentException("Stock augmentation divides by gamma; use gamma > 0.", nameof(mdp));
        int j = stocks.Points;
        int cells = mdp.States * j;
        var zero = projection.Project([0.0], [1.0]);
        var eta = new ReturnDistribution[cells];
        Array.Fill(eta, zero);
        var policy = new int[cells];
        int rounds = 0;
        while (rounds < maxImprovements)
        {
            rounds++;
            eta = Evaluate(mdp, stocks, projection, policy, eta, zero, options);
            bool stable = true;
            for (int s = 0; s < mdp.States; s++)
            {
                if (mdp.IsTerminal(s)) continue;
                for (int ci = 0; ci < j; ci++)
                {
                    int cell = s * j + ci;
                    double c = stocks.Value(ci);
                    int current = policy[cell];
                    double best = objective.Evaluate(DistributionalValueIteration.Backup(mdp, stocks, eta, s, current, c), c);
                    for (int a = 0; a < mdp.Actions; a++)
                    {
                        if (a == current) continue;
                        double k = objective.Evaluate(DistributionalValueIteration.Backup(mdp, stocks, eta, s, a, c), c);
                        if (k > best + 1e-10)
                        {
                            best = k;
                            policy[cell] = a;
                        }
                    }
                    if (policy[cell] != current) stable = false;
                }
            }
            if (stable) break;
        }
        return new DistributionalSolution(mdp, stocks, eta, policy, objective, rounds);
    }

    /// <summary>Iterates the projected evaluation operator of a fixed stock-dependent policy to its fixed point.</summary>
    private static ReturnDistribution[] Evaluate(TabularMdp mdp, StockGrid stocks, IDistributionProjection projection, int[] policy,
        ReturnDistribution[] start, ReturnDistribution zero, DistributionalDpOptions options)
    {
        int j = stocks.Points;
        var eta = start;
        for (int iteration = 0; iteration < options.MaxIterations; iteration++)
        {
            var next = new ReturnDistribution[eta.Length];
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
                    var backup = DistributionalValueIteration.Backup(mdp, stocks, eta, s, policy[cell], stocks.Value(ci));
                    next[cell] = projection.Project(backup.Values, backup.Probabilities);
                    change = Math.Max(change, DistributionalValueIteration.Distance(eta[cell], next[cell]));
                }
            }
            eta = next;
            if (change <= options.Tolerance) break;
        }
        return eta;
    }
}
