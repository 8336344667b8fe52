namespace Rewire.Classic.RewardDesign;

/// <summary>The sparse reward as is (the baseline every design is compared with).</summary>
public sealed class SparseReward : IEpisodeRewardDesign
{
    public string Name => "sparse";

    public double Reward(IReadOnlyList<DesignStep> episodeSoFar) => episodeSoFar[^1].Reward;

    public IReadOnlyDictionary<string, double> Metrics { get; } = new Dictionary<string, double>();
}
