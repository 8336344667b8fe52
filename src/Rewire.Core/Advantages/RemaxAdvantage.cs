using Rewire.Core.Stats;

namespace Rewire.Core.Advantages;

/// <summary>
/// ReMax, "ReMax: A Simple, Effective, and Efficient Reinforcement Learning Method for Aligning Large Language Models"
/// (arXiv 2310.10505): the baseline is the reward of the greedy response to the same prompt,
/// <c>G_t = Σ_{s≥t} r_s·mask_s</c> (undiscounted reward-to-go) and <c>Â_t = G_t − b·mask_t</c>.
/// Needs <see cref="AdvantageInput.RewardBaselines"/> ([B]).
/// </summary>
public sealed class RemaxAdvantage : IAdvantageEstimator
{
    /// <inheritdoc />
    public string Name => "remax";

    /// <inheritdoc />
    public AdvantageResult Compute(AdvantageInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var baselines = input.RewardBaselines ?? throw new ArgumentException("ReMax needs AdvantageInput.RewardBaselines: the reward of the greedy response for each row ([B]).", nameof(input));
        if (baselines.Length != input.BatchSize) throw new ArgumentException($"RewardBaselines has {baselines.Length} values but the batch has {input.BatchSize} rows; pass one baseline per response.", nameof(input));
        var returns = ReturnsToGo(input.TokenLevelRewards, input.ResponseMask);
        var advantages = new TokenMatrix(returns.Rows, returns.Cols);
        for (int i = 0; i < returns.Rows; i++)
        {
            var g = returns.Row(i);
            var m = input.ResponseMask.Row(i);
            var a = advantages.Row(i);
            for (int t = 0; t < g.Length; t++) a[t] = g[t] - baselines[i] * m[t];
        }
        return new AdvantageResult(advantages, returns);
    }

    /// <summary>Undiscounted reward-to-go of the masked rewards: G[i, t] = Σ_{s≥t} r[i, s]·mask[i, s].</summary>
    public static TokenMatrix ReturnsToGo(TokenMatrix rewards, TokenMatrix mask)
    {
        rewards.RequireSameShape(mask, nameof(mask), nameof(rewards));
        var returns = new TokenMatrix(rewards.Rows, rewards.Cols);
        for (int i = 0; i < rewards.Rows; i++)
        {
            var r = rewards.Row(i);
            var m = mask.Row(i);
            var g = returns.Row(i);
            double running = 0;
            for (int t = r.Length - 1; t >= 0; t--)
            {
                running += r[t] * m[t];
                g[t] = running;
            }
        }
        return returns;
    }
}
