namespace Rewire.Core.Shaping;

/// <summary>
/// Position-based advantage shaping of [T13] ("Decomposing the Entropy-Performance Exchange: The Missing Keys to
/// Unlocking Effective Reinforcement Learning"). RECONSTRUCTED: the mechanism (later tokens matter more in the plateau
/// stage) is confirmed, the formula is a reconstruction and configurable. With p = k/|o_i| the relative position of
/// the k-th valid token (1-based, so the last valid token has p = 1):
/// <code>
/// additive:        Â'_i,t = Â_i,t + γ·sign(Â_i,t)·p
/// multiplicative:  Â'_i,t = Â_i,t · (1 + γ·p)
/// </code>
/// γ = 0.1. Both keep the sign and leave zero advantages at zero. Masked positions are untouched.
/// </summary>
public sealed class PositionAdvantageShaping : ITokenAdvantageShaper
{
    /// <summary>Creates the shaper.</summary>
    /// <param name="gamma">γ ≥ 0, the bonus at the last valid token (default 0.1).</param>
    /// <param name="multiplicative">Use <c>Â·(1 + γ·p)</c> instead of the additive <c>Â + γ·sign(Â)·p</c> (default false).</param>
    public PositionAdvantageShaping(double gamma = 0.1, bool multiplicative = false)
    {
        if (!(gamma >= 0) || !double.IsFinite(gamma))
        {
            throw new ArgumentException($"position shaping needs a finite γ ≥ 0 (got {gamma}).", nameof(gamma));
        }

        Gamma = gamma;
        Multiplicative = multiplicative;
    }

    /// <inheritdoc />
    public string Name => "position_advantage";

    /// <summary>γ ≥ 0, the size of the position bonus at the last valid token (p = 1).</summary>
    public double Gamma { get; }

    /// <summary>Whether the multiplicative form <c>Â·(1 + γ·p)</c> is used instead of the additive one.</summary>
    public bool Multiplicative { get; }

    /// <inheritdoc />
    public void Apply(TokenAdvantageBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        for (var i = 0; i < batch.Rows; i++)
        {
            var mask = batch.MaskRow(i);
            double length = 0;
            foreach (var m in mask)
            {
                length += m != 0 ? 1 : 0;
            }

            if (length == 0)
            {
                continue;
            }

            var adv = batch.AdvantageRow(i);
            var k = 0;
            for (var t = 0; t < adv.Length; t++)
            {
                if (mask[t] == 0)
                {
                    continue;
                }

                k++;
                var p = k / length;
                adv[t] = Multiplicative ? adv[t] * (1 + Gamma * p) : adv[t] + Gamma * Math.Sign(adv[t]) * p;
            }
        }
    }
}
