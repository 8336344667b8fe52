namespace Rewire.Classic.Bandits;

/// <summary>Options of <see cref="BernoulliThompsonSampling"/>.</summary>
public sealed record BernoulliThompsonOptions
{
    /// <summary>Prior Beta(α, β) successes. <value>The default value is 1.</value></summary>
    public double PriorAlpha { get; init; } = 1.0;

    /// <summary>Prior Beta(α, β) failures. <value>The default value is 1.</value></summary>
    public double PriorBeta { get; init; } = 1.0;

    /// <summary>
    /// Checks the options; throws <see cref="ArgumentOutOfRangeException"/> unless both prior parameters are positive.
    /// </summary>
    public void Validate()
    {
        if (!(PriorAlpha > 0)) throw new ArgumentOutOfRangeException(nameof(PriorAlpha), PriorAlpha, "The Beta prior alpha must be positive.");
        if (!(PriorBeta > 0)) throw new ArgumentOutOfRangeException(nameof(PriorBeta), PriorBeta, "The Beta prior beta must be positive.");
    }
}

/// <summary>
/// Thompson sampling for Bernoulli rewards (Thompson 1933; Agrawal and Goyal 2012, "Analysis of Thompson Sampling for
/// the Multi-armed Bandit Problem"). Each arm keeps a Beta(α + S_k, β + F_k) posterior; at each step draw
/// <c>p̃_k ~ Beta(α + S_k, β + F_k)</c> and play <c>argmax_k p̃_k</c>. Rewards in [0, 1] that are not 0/1 are
/// treated as fractional successes (r added to S, 1 − r to F).
/// </summary>
public sealed class BernoulliThompsonSampling : IBanditAlgorithm
{
    private readonly double[] _successes;
    private readonly double[] _failures;
    private readonly Random _rng;

    /// <summary>Creates the sampler with a Beta(α, β) prior on every arm of <paramref name="setup"/>.</summary>
    /// <param name="setup">Arm count and seed of the sampler's random stream.</param>
    /// <param name="options">Prior parameters; the defaults (uniform Beta(1, 1) prior) when null.</param>
    public BernoulliThompsonSampling(BanditSetup setup, BernoulliThompsonOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(setup);
        options ??= new BernoulliThompsonOptions();
        options.Validate();
        _successes = new double[setup.Arms];
        _failures = new double[setup.Arms];
        Array.Fill(_successes, options.PriorAlpha);
        Array.Fill(_failures, options.PriorBeta);
        _rng = new Random(setup.Seed);
    }

    /// <inheritdoc />
    public string Name => "thompson-bernoulli";

    /// <inheritdoc />
    public int Act(BanditContext context)
    {
        int best = 0;
        double bestDraw = double.NegativeInfinity;
        for (int k = 0; k < _successes.Length; k++)
        {
            double draw = Sampling.Beta(_rng, _successes[k], _failures[k]);
            if (draw > bestDraw)
            {
                bestDraw = draw;
                best = k;
            }
        }
        return best;
    }

    /// <inheritdoc />
    public void Observe(int arm, double reward)
    {
        if (!(reward >= 0 && reward <= 1))
            throw new ArgumentOutOfRangeException(nameof(reward), reward, "Bernoulli Thompson sampling needs rewards in [0, 1]; use thompson-gaussian for unbounded rewards.");
        _successes[arm] += reward;
        _failures[arm] += 1.0 - reward;
    }
}
