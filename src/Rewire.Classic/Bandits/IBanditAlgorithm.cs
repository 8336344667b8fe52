namespace Rewire.Classic.Bandits;

/// <summary>
/// The arm set an algorithm chooses from at one step: <see cref="Arms"/> arms, each with a feature vector of
/// <see cref="Dimension"/> entries (row-major in <see cref="Features"/>). Non-contextual bandits have dimension 0.
/// Environments reuse one instance and overwrite the features in place, so reading it allocates nothing.
/// </summary>
public sealed class BanditContext
{
    /// <summary>
    /// Creates a context for <paramref name="arms"/> arms with <paramref name="dimension"/> features each (all zero,
    /// step 0).
    /// </summary>
    /// <param name="arms">Number of arms, at least 1.</param>
    /// <param name="dimension">Feature length per arm, 0 for non-contextual bandits.</param>
    public BanditContext(int arms, int dimension)
    {
        if (arms < 1) throw new ArgumentOutOfRangeException(nameof(arms), arms, "A bandit needs at least one arm.");
        if (dimension < 0) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "The feature dimension cannot be negative.");
        Arms = arms;
        Dimension = dimension;
        Features = new double[arms * dimension];
    }

    /// <summary>Number of arms to choose from.</summary>
    public int Arms { get; }

    /// <summary>Length of each arm's feature vector; 0 for non-contextual bandits.</summary>
    public int Dimension { get; }

    /// <summary>Row-major arm features, <c>Arms x Dimension</c>.</summary>
    public double[] Features { get; }

    /// <summary>The 1-based step the context belongs to.</summary>
    public long Step { get; set; }

    /// <summary>The feature vector of <paramref name="arm"/>.</summary>
    public ReadOnlySpan<double> ArmFeatures(int arm) => Features.AsSpan(arm * Dimension, Dimension);
}

/// <summary>A bandit algorithm: <see cref="Act"/> picks an arm for the given context, <see cref="Observe"/> learns from its reward.</summary>
public interface IBanditAlgorithm
{
    /// <summary>The registry name of the algorithm.</summary>
    string Name { get; }

    /// <summary>Chooses an arm index in <c>[0, context.Arms)</c>.</summary>
    int Act(BanditContext context);

    /// <summary>Receives the observed reward of the arm played at the last <see cref="Act"/>.</summary>
    void Observe(int arm, double reward);
}

/// <summary>What a factory needs to build an algorithm for a given environment.</summary>
/// <param name="Arms">Number of arms.</param>
/// <param name="Dimension">Arm feature dimension (0 for non-contextual environments).</param>
/// <param name="Horizon">Planned number of steps (used by algorithms whose confidence width depends on T).</param>
/// <param name="Seed">Seed of the algorithm's own random stream.</param>
public sealed record BanditSetup(int Arms, int Dimension, int Horizon, int Seed);
