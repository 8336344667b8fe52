using Rewire.Core.Stats;

namespace Rewire.Core.Advantages;

/// <summary>
/// REINFORCE++, "REINFORCE++: A Simple and Efficient Approach for Aligning Large Language Models" (arXiv 2501.03262):
/// discounted return-to-go per token, <c>G_t = r_t + γ·G_{t+1}</c>, where the running return is reset to 0 at every
/// masked position (after EOS, as verl does: the golden reference pins this). For the episodes of a multi-turn
/// environment (an input with <see cref="AdvantageInput.StepEndMask"/>, the turn boundaries) a masked position before the
/// row's last valid token is an observation, context and not a step of the policy: it passes the return through
/// undiscounted, so every turn gets the rewards of the turns after it, and only the padding after the last turn resets
/// it; then whitened over the whole batch with the masked mean and
/// unbiased masked std: <c>Â = whiten(G, mask) · mask</c>. Returns are G (masked positions included).
/// Whitening needs at least two valid tokens in the batch.
/// </summary>
public sealed class ReinforcePlusPlusAdvantage : IAdvantageEstimator
{
    /// <summary>Creates a REINFORCE++ estimator.</summary>
    /// <param name="gamma">Discount γ in [0, 1] of the return-to-go (default 1).</param>
    public ReinforcePlusPlusAdvantage(double gamma = 1.0)
    {
        if (!(gamma >= 0 && gamma <= 1)) throw new ArgumentOutOfRangeException(nameof(gamma), $"REINFORCE++ gamma is {gamma}; it must lie in [0, 1] (default 1.0).");
        Gamma = gamma;
    }

    /// <summary>Discount γ in [0, 1] of the per-token return-to-go.</summary>
    public double Gamma { get; }

    /// <inheritdoc />
    public string Name => "reinforce_plus_plus";

    /// <inheritdoc />
    public AdvantageResult Compute(AdvantageInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var rewards = input.TokenLevelRewards;
        var mask = input.ResponseMask;
        var returns = new TokenMatrix(rewards.Rows, rewards.Cols);
        for (int i = 0; i < rewards.Rows; i++)
        {
            var r = rewards.Row(i);
            var m = mask.Row(i);
            var g = returns.Row(i);
            int last = -1;
            if (input.StepEndMask is not null)
            {
                last = m.Length - 1;
                while (last >= 0 && m[last] == 0) last--;
            }
            double running = 0;
            for (int t = r.Length - 1; t >= 0; t--)
            {
                if (t < last && m[t] == 0)
                {
                    // Inside an episode: an observation token is context, not a step of the policy.
                    running += r[t];
                    g[t] = running;
                    continue;
                }
                running = r[t] + Gamma * running;
                g[t] = running;
                running *= m[t];
            }
        }
        var advantages = MaskedStats.Whiten(returns, mask);
        MultiplyInPlace(advantages, mask);
        return new AdvantageResult(advantages, returns);
    }

    internal static void MultiplyInPlace(TokenMatrix target, TokenMatrix mask)
    {
        var t = target.Data;
        var m = mask.Data;
        for (int k = 0; k < t.Length; k++) t[k] *= m[k];
    }
}
