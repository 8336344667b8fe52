namespace Rewire.Classic.Bandits;

/// <summary>The outcome of one bandit simulation.</summary>
/// <param name="CumulativeRegret">Pseudo-regret after each step: entry t−1 holds <c>Σ_{s≤t} (r*_s − E[r_s | arm_s])</c>.</param>
/// <param name="TotalReward">Sum of the observed rewards.</param>
/// <param name="Pulls">How often each arm was played.</param>
/// <param name="Algorithm">Registry name of the algorithm that was run.</param>
/// <param name="Environment">Registry name of the environment it ran on.</param>
/// <param name="Steps">Number of rounds played.</param>
public sealed record BanditRunResult(string Algorithm, string Environment, int Steps, double[] CumulativeRegret, double TotalReward, int[] Pulls)
{
    /// <summary>The cumulative regret after the last step.</summary>
    public double FinalRegret => CumulativeRegret.Length == 0 ? 0 : CumulativeRegret[^1];
}

/// <summary>Runs an algorithm against an environment and tracks regret against the environment's optimal policy.</summary>
public static class BanditRunner
{
    /// <summary>
    /// Plays <paramref name="steps"/> rounds of act / pull / observe. Regret uses expected rewards (pseudo-regret), so it is
    /// not blurred by reward noise. <paramref name="progress"/> (optional) receives the number of completed steps every
    /// <paramref name="progressEvery"/> steps and at the end.
    /// </summary>
    public static BanditRunResult Run(IBanditAlgorithm algorithm, IBanditEnvironment environment, int steps, Action<int>? progress = null, int progressEvery = 1000)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        ArgumentNullException.ThrowIfNull(environment);
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "Run at least one step.");
        if (progressEvery < 1) throw new ArgumentOutOfRangeException(nameof(progressEvery), progressEvery, "progressEvery must be >= 1.");
        var cumulative = new double[steps];
        var pulls = new int[environment.Arms];
        double regret = 0, total = 0;
        for (int t = 0; t < steps; t++)
        {
            var context = environment.Context;
            context.Step = t + 1;
            int arm = algorithm.Act(context);
            if ((uint)arm >= (uint)environment.Arms)
                throw new InvalidOperationException($"{algorithm.Name} chose arm {arm}, but {environment.Name} has arms 0..{environment.Arms - 1}.");
            regret += environment.OptimalReward() - environment.ExpectedReward(arm);
            double reward = environment.Pull(arm);
            algorithm.Observe(arm, reward);
            total += reward;
            pulls[arm]++;
            cumulative[t] = regret;
            if (progress is not null && ((t + 1) % progressEvery == 0 || t + 1 == steps)) progress(t + 1);
        }
        return new BanditRunResult(algorithm.Name, environment.Name, steps, cumulative, total, pulls);
    }
}

/// <summary>Helpers over a cumulative-regret curve.</summary>
public static class RegretCurve
{
    /// <summary>About <paramref name="points"/> distinct steps in [1, steps], geometrically spaced, always including 1 and steps.</summary>
    public static int[] LogSpacedSteps(int steps, int points)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be >= 1.");
        if (points < 2) throw new ArgumentOutOfRangeException(nameof(points), points, "Ask for at least 2 points.");
        var result = new SortedSet<int> { 1, steps };
        double logMax = Math.Log(steps);
        for (int i = 0; i < points; i++)
        {
            int s = (int)Math.Round(Math.Exp(logMax * i / (points - 1)));
            result.Add(Math.Clamp(s, 1, steps));
        }
        return result.ToArray();
    }

    /// <summary>The cumulative regret at each of <see cref="LogSpacedSteps"/>.</summary>
    public static (int Step, double Regret)[] LogSpaced(double[] cumulativeRegret, int points)
    {
        ArgumentNullException.ThrowIfNull(cumulativeRegret);
        return LogSpacedSteps(cumulativeRegret.Length, points).Select(s => (s, cumulativeRegret[s - 1])).ToArray();
    }

    /// <summary>
    /// Least-squares slope of log R(t) against log t over steps <paramref name="fromStep"/>..<paramref name="toStep"/>
    /// (1-based, inclusive). A slope below 1 means sublinear growth; steps with R(t) ≤ 0 are skipped.
    /// </summary>
    public static double LogLogSlope(double[] cumulativeRegret, int fromStep, int toStep)
    {
        ArgumentNullException.ThrowIfNull(cumulativeRegret);
        if (fromStep < 1 || toStep > cumulativeRegret.Length || fromStep >= toStep)
            throw new ArgumentOutOfRangeException(nameof(fromStep), $"Need 1 <= fromStep < toStep <= {cumulativeRegret.Length}; got {fromStep}..{toStep}.");
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        int n = 0;
        for (int t = fromStep; t <= toStep; t++)
        {
            double r = cumulativeRegret[t - 1];
            if (r <= 0) continue;
            double x = Math.Log(t), y = Math.Log(r);
            sx += x; sy += y; sxx += x * x; sxy += x * y; n++;
        }
        if (n < 2) return 0;
        double denom = n * sxx - sx * sx;
        return denom == 0 ? 0 : (n * sxy - sx * sy) / denom;
    }
}
