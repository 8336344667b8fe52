namespace Rewire.Classic.Bandits;

/// <summary>
/// A bandit simulator. At each step the caller reads <see cref="Context"/>, may query the expected rewards (for regret),
/// then calls <see cref="Pull"/>, which returns the noisy observed reward and advances the simulator by one step.
/// </summary>
public interface IBanditEnvironment
{
    /// <summary>The registry name of the environment.</summary>
    string Name { get; }

    /// <summary>Number of arms; fixed for the lifetime of the environment.</summary>
    int Arms { get; }

    /// <summary>Arm feature dimension; 0 for non-contextual environments.</summary>
    int Dimension { get; }

    /// <summary>The arm set of the current step.</summary>
    BanditContext Context { get; }

    /// <summary>Expected reward of <paramref name="arm"/> at the current step, in the current (hidden) state.</summary>
    double ExpectedReward(int arm);

    /// <summary>
    /// The per-step reward of the benchmark policy regret is measured against at the current step: the best arm's
    /// expected reward for stationary bandits, the best fixed arm's steady-state reward for dynamical bandits.
    /// </summary>
    double OptimalReward();

    /// <summary>Plays <paramref name="arm"/>, returns the observed reward and moves to the next step.</summary>
    double Pull(int arm);
}

/// <summary>What a factory needs to build an environment.</summary>
/// <param name="Seed">Seed of the simulator's noise stream.</param>
public sealed record EnvironmentSetup(int Seed);
