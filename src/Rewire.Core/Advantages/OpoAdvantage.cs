using Rewire.Core.Stats;

namespace Rewire.Core.Advantages;

/// <summary>
/// OPO, "On-Policy RL with Optimal Reward Baseline" (arXiv 2505.23585): a length-weighted group baseline,
/// <c>b_g = Σ_i |o_i|·R_i / Σ_i |o_i|</c> with <c>|o_i| = Σ_t mask[i, t]</c>, and <c>Â_i = R_i − b_g</c>, broadcast and
/// masked. A singleton group uses b = 0. Where the reference divides 0 by 0 (every response of a group empty),
/// Rewire falls back to the unweighted group mean (decision documented in docs/advantages.md).
/// </summary>
public sealed class OpoAdvantage : IAdvantageEstimator
{
    /// <inheritdoc />
    public string Name => "opo";

    /// <inheritdoc />
    public AdvantageResult Compute(AdvantageInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var index = input.RequireIndex(Name);
        int b = input.BatchSize;
        var scores = new double[b];
        input.TokenLevelRewards.RowSums(scores);
        var adv = new double[b];
        for (int g = 0; g < index.GroupCount; g++)
        {
            var members = index.Members(g);
            if (members.Length == 1)
            {
                adv[members[0]] = scores[members[0]];
                continue;
            }
            double num = 0, den = 0, plain = 0;
            foreach (int i in members)
            {
                double len = MaskedStats.MaskCount(input.ResponseMask.Row(i));
                num += len * scores[i];
                den += len;
                plain += scores[i];
            }
            double baseline = den != 0 ? num / den : plain / members.Length;
            foreach (int i in members) adv[i] = scores[i] - baseline;
        }
        var advantages = OutcomeAdvantageEstimator.Broadcast(adv, input.ResponseMask);
        return new AdvantageResult(advantages, advantages.Clone());
    }
}
