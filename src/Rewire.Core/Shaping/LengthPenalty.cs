namespace Rewire.Core.Shaping;

/// <summary>
/// Length penalty of the shaping pipeline of [R02] PAR ("Reward Shaping to Mitigate Reward Hacking in RLHF", code
/// default before centring): <c>r' = r − c · max(0, |y| − L_valid)</c>, c = 0.01 per token, L_valid = 300 tokens.
/// Requires <see cref="ShapingBatch.Lengths"/>.
/// </summary>
public sealed class LengthPenalty : IRewardShaper
{
    /// <param name="perToken">Penalty per token beyond the valid length; non-negative. <value>The default value is 0.01.</value></param>
    /// <param name="validLength">Tokens free of penalty. <value>The default value is 300.</value></param>
    public LengthPenalty(double perToken = 0.01, int validLength = 300)
    {
        if (!(perToken >= 0) || !double.IsFinite(perToken) || validLength < 0)
        {
            throw new ArgumentException($"length penalty needs perToken ≥ 0 and validLength ≥ 0 (got {perToken}, {validLength}).");
        }

        PerToken = perToken;
        ValidLength = validLength;
    }

    /// <inheritdoc />
    public string Name => "length_penalty";

    /// <summary>c, the penalty per token beyond <see cref="ValidLength"/> (≥ 0).</summary>
    public double PerToken { get; }

    /// <summary>L_valid, the number of tokens free of penalty.</summary>
    public int ValidLength { get; }

    /// <inheritdoc />
    public void Apply(ShapingBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var lengths = batch.Require(batch.Lengths, nameof(ShapingBatch.Lengths), Name);
        var r = batch.Rewards;
        for (var i = 0; i < r.Length; i++)
        {
            r[i] -= PerToken * Math.Max(0, lengths[i] - ValidLength);
        }
    }
}
