using Rewire.Core.Stats;

namespace Rewire.Core.Advantages;

/// <summary>
/// REINFORCE++ with baseline, "REINFORCE++: A Simple and Efficient Approach for Aligning Large Language Models"
/// (arXiv 2501.03262): subtract the prompt-group mean score (0 for a singleton group), broadcast over the tokens,
/// mask, then whiten over the whole batch and mask again:
/// <c>Â = whiten((R_i − mean_g R)·mask, mask) · mask</c>. Needs at least two valid tokens in the batch.
/// </summary>
public sealed class ReinforcePlusPlusBaselineAdvantage : IAdvantageEstimator
{
    /// <inheritdoc />
    public string Name => "reinforce_plus_plus_baseline";

    /// <inheritdoc />
    public AdvantageResult Compute(AdvantageInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var index = input.RequireIndex(Name);
        int b = input.BatchSize;
        var scores = new double[b];
        input.TokenLevelRewards.RowSums(scores);
        var (mean, _, count) = GroupStats.MeanStd(scores, index);
        for (int i = 0; i < b; i++)
        {
            int g = index.GroupOf(i);
            scores[i] -= count[g] > 1 ? mean[g] : 0.0;
        }
        var centred = OutcomeAdvantageEstimator.Broadcast(scores, input.ResponseMask);
        var advantages = MaskedStats.Whiten(centred, input.ResponseMask);
        ReinforcePlusPlusAdvantage.MultiplyInPlace(advantages, input.ResponseMask);
        return new AdvantageResult(advantages, advantages.Clone());
    }
}
