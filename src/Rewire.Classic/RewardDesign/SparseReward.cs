namespace Rewire.Classic.RewardDesign;

/// <summary>The sparse reward as is (the baseline every design is compared with).</summary>
public sealed class SparseReward : IEpisodeRewardDesign
{
    /// <inheritdoc />
    public string Name => "sparse";

    /// <inheritdoc />
    public double Reward(IReadOnlyList<DesignStep> episodeSoFar) => episodeSoFar[^1].Reward;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> Metrics { get; } = new Dictionary<string, double>();
}
