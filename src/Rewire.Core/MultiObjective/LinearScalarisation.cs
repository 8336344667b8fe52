namespace Rewire.Core.MultiObjective;

/// <summary>
/// Linear scalarisation with fixed weights, the baseline of R04 ("Learning to Optimize Multi-Objective Alignment Through
/// Dynamic Reward Weighting", arXiv 2509.11452): r = Σ_k w_k r_k, Σ_k w_k = 1 (asserted), w_k ≥ 0.
/// </summary>
public sealed class LinearScalarisation : IRewardWeighting
{
    public const string RegistryName = "linear";

    private readonly double[] _weights;

    public LinearScalarisation(IReadOnlyList<string> objectives, IReadOnlyList<double> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        _weights = [.. weights];
        Simplex.Validate(_weights, "linear scalarisation weights");
        WeightingChecks.CheckNames(objectives, _weights.Length, RegistryName);
        Objectives = [.. objectives];
    }

    public string Name => RegistryName;
    public IReadOnlyList<string> Objectives { get; }
    public IReadOnlyList<double> Weights => _weights;
    public double RewardScale => 1.0;

    public double Scalarise(ReadOnlySpan<double> objectiveRewards) => WeightingChecks.Dot(_weights, objectiveRewards, RegistryName);
}
