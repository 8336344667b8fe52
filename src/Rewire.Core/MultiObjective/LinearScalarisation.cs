namespace Rewire.Core.MultiObjective;

/// <summary>
/// Linear scalarisation with fixed weights, the baseline of R04 ("Learning to Optimize Multi-Objective Alignment Through
/// Dynamic Reward Weighting", arXiv 2509.11452): r = Σ_k w_k r_k, Σ_k w_k = 1 (asserted), w_k ≥ 0.
/// </summary>
public sealed class LinearScalarisation : IRewardWeighting
{
    /// <summary>The registry name, <c>linear</c>.</summary>
    public const string RegistryName = "linear";

    private readonly double[] _weights;

    /// <summary>Creates a fixed linear scalarisation.</summary>
    /// <param name="objectives">The objective (reward component) names, in order.</param>
    /// <param name="weights">One weight ≥ 0 per objective; they must sum to 1.</param>
    public LinearScalarisation(IReadOnlyList<string> objectives, IReadOnlyList<double> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        _weights = [.. weights];
        Simplex.Validate(_weights, "linear scalarisation weights");
        WeightingChecks.CheckNames(objectives, _weights.Length, RegistryName);
        Objectives = [.. objectives];
    }

    /// <inheritdoc />
    public string Name => RegistryName;
    /// <inheritdoc />
    public IReadOnlyList<string> Objectives { get; }
    /// <inheritdoc />
    public IReadOnlyList<double> Weights => _weights;
    /// <summary>Always 1: the scalarised reward is not rescaled.</summary>
    public double RewardScale => 1.0;

    /// <inheritdoc />
    public double Scalarise(ReadOnlySpan<double> objectiveRewards) => WeightingChecks.Dot(_weights, objectiveRewards, RegistryName);
}
