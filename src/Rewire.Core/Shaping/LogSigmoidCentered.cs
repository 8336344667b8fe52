namespace Rewire.Core.Shaping;

/// <summary>
/// Log-sigmoid centred (LSC), a shaping baseline of [R02] PAR ("Reward Shaping to Mitigate Reward Hacking in RLHF"):
/// <c>r_ref = mean(refs) + Φ⁻¹(q)·std(refs)</c> (the q-quantile of a normal fitted to the reference rewards, q = 0.85 as
/// in PAR's code; population std), then <c>r' = log σ(r − r_ref)</c> ∈ (−∞, 0). Requires
/// <see cref="ShapingBatch.ReferenceRewards"/>.
/// </summary>
public sealed class LogSigmoidCentered : IRewardShaper
{
    /// <summary>Φ⁻¹(0.85).</summary>
    public const double DefaultQuantileZ = 1.0364333894937898;

    /// <param name="quantileZ">Φ⁻¹(q) of the reference quantile. <value>The default value is Φ⁻¹(0.85) ≈ 1.03643.</value></param>
    public LogSigmoidCentered(double quantileZ = DefaultQuantileZ)
    {
        if (!double.IsFinite(quantileZ))
        {
            throw new ArgumentException($"quantile z {quantileZ} must be finite.", nameof(quantileZ));
        }

        QuantileZ = quantileZ;
    }

    /// <inheritdoc />
    public string Name => "lsc";

    /// <summary>Φ⁻¹(q), the standard-normal quantile that places the reference point above the mean of the reference rewards.</summary>
    public double QuantileZ { get; }

    /// <summary>log σ(x), stable for large |x|.</summary>
    public static double LogSigmoid(double x) => x >= 0 ? -Math.Log(1 + Math.Exp(-x)) : x - Math.Log(1 + Math.Exp(x));

    /// <inheritdoc />
    public void Apply(ShapingBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var refs = batch.Require(batch.ReferenceRewards, nameof(ShapingBatch.ReferenceRewards), Name);
        var r = batch.Rewards;
        for (var i = 0; i < r.Length; i++)
        {
            var rs = PreferenceAsReward.RequireReferences(refs[i], i, Name);
            var mean = rs.Average();
            var variance = rs.Sum(v => (v - mean) * (v - mean)) / rs.Length;
            r[i] = LogSigmoid(r[i] - (mean + QuantileZ * Math.Sqrt(variance)));
        }
    }
}
