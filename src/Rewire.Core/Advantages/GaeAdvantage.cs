using Rewire.Core.Stats;

namespace Rewire.Core.Advantages;

/// <summary>
/// GAE, "High-Dimensional Continuous Control Using Generalized Advantage Estimation" (arXiv 1506.02438), token level:
/// <c>δ_t = r_t + γ·V_{t+1} − V_t</c>, <c>A_t = δ_t + γλ·A_{t+1}</c>, scanned right to left. A masked position
/// (padding, or an observation token of a multi-turn response) carries the next value and the running advantage
/// through unchanged, so TD errors skip observation tokens. Returns are <c>A + V</c>; advantages are then whitened over
/// the whole batch (masked mean, unbiased masked std) and NOT re-masked, as in verl. Needs
/// <see cref="AdvantageInput.Values"/> and at least two valid tokens.
/// </summary>
public sealed class GaeAdvantage : IAdvantageEstimator
{
    /// <summary>Creates a GAE estimator.</summary>
    /// <param name="gamma">Discount γ in [0, 1] (default 1, undiscounted).</param>
    /// <param name="lambda">GAE λ in [0, 1]: 0 is one-step TD, 1 is the Monte-Carlo return minus the value (default 1).</param>
    public GaeAdvantage(double gamma = 1.0, double lambda = 1.0)
    {
        if (!(gamma >= 0 && gamma <= 1)) throw new ArgumentOutOfRangeException(nameof(gamma), $"GAE gamma is {gamma}; it must lie in [0, 1] (default 1.0).");
        if (!(lambda >= 0 && lambda <= 1)) throw new ArgumentOutOfRangeException(nameof(lambda), $"GAE lambda is {lambda}; it must lie in [0, 1] (default 1.0).");
        Gamma = gamma;
        Lambda = lambda;
    }

    /// <summary>Discount factor γ in [0, 1].</summary>
    public double Gamma { get; }
    /// <summary>GAE mixing factor λ in [0, 1] (bias–variance trade-off between one-step TD and Monte-Carlo).</summary>
    public double Lambda { get; }

    /// <inheritdoc />
    public string Name => "gae";

    /// <inheritdoc />
    public AdvantageResult Compute(AdvantageInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var values = input.RequireMatrix(input.Values, nameof(AdvantageInput.Values), Name);
        var rewards = input.TokenLevelRewards;
        var mask = input.ResponseMask;
        var raw = new TokenMatrix(rewards.Rows, rewards.Cols);
        var returns = new TokenMatrix(rewards.Rows, rewards.Cols);
        for (int i = 0; i < rewards.Rows; i++)
        {
            var r = rewards.Row(i);
            var v = values.Row(i);
            var m = mask.Row(i);
            var a = raw.Row(i);
            var g = returns.Row(i);
            double nextValue = 0, lastGae = 0;
            for (int t = r.Length - 1; t >= 0; t--)
            {
                double delta = r[t] + Gamma * nextValue - v[t];
                double candidate = delta + Gamma * Lambda * lastGae;
                double mt = m[t];
                nextValue = v[t] * mt + (1 - mt) * nextValue;
                lastGae = candidate * mt + (1 - mt) * lastGae;
                a[t] = lastGae;
                g[t] = lastGae + v[t];
            }
        }
        var advantages = MaskedStats.Whiten(raw, mask);
        return new AdvantageResult(advantages, returns);
    }
}
