namespace Rewire.Core.Shaping;

/// <summary>
/// Soft overlong punishment of [T03] DAPO ("DAPO: An Open-Source LLM Reinforcement Learning System at Scale"), added to
/// the task reward. With L_max the maximum generation length and L_cache the buffer:
/// <code>
/// R_length(y) = 0                                   if |y| ≤ L_max − L_cache
///             = ((L_max − L_cache) − |y|) / L_cache  if L_max − L_cache &lt; |y| ≤ L_max
///             = −1                                  if |y| &gt; L_max
/// </code>
/// scaled by <c>factor</c> (verl's <c>overlong_buffer.penalty_factor</c>, default 1). Requires <see cref="ShapingBatch.Lengths"/>.
/// </summary>
public sealed class SoftOverlongPunishment : IRewardShaper
{
    /// <param name="maxLength">L_max, the maximum generation length (DAPO: 20480).</param>
    /// <param name="buffer">L_cache, the soft buffer (DAPO: 4096); 0 &lt; buffer ≤ maxLength.</param>
    /// <param name="factor">Penalty scale; non-negative. <value>The default value is 1.</value></param>
    public SoftOverlongPunishment(int maxLength, int buffer, double factor = 1.0)
    {
        if (maxLength <= 0 || buffer <= 0 || buffer > maxLength)
        {
            throw new ArgumentException($"soft overlong punishment needs 0 < buffer ≤ maxLength (got maxLength {maxLength}, buffer {buffer}); DAPO uses 20480 and 4096.");
        }

        if (!(factor >= 0) || !double.IsFinite(factor))
        {
            throw new ArgumentException($"penalty factor {factor} must be finite and non-negative.", nameof(factor));
        }

        MaxLength = maxLength;
        Buffer = buffer;
        Factor = factor;
    }

    /// <inheritdoc />
    public string Name => "overlong_punishment";

    /// <summary>L_max, the maximum generation length in tokens; longer responses get −factor.</summary>
    public int MaxLength { get; }

    /// <summary>L_cache, the soft buffer in tokens below L_max over which the penalty ramps linearly from 0 to −factor.</summary>
    public int Buffer { get; }

    /// <summary>The penalty scale (≥ 0); DAPO uses 1.</summary>
    public double Factor { get; }

    /// <summary>R_length for a response of <paramref name="length"/> tokens (times the factor).</summary>
    public double Penalty(int length)
    {
        var threshold = MaxLength - Buffer;
        if (length <= threshold)
        {
            return 0.0;
        }

        return length > MaxLength ? -Factor : Factor * (threshold - length) / Buffer;
    }

    /// <inheritdoc />
    public void Apply(ShapingBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var lengths = batch.Require(batch.Lengths, nameof(ShapingBatch.Lengths), Name);
        var r = batch.Rewards;
        for (var i = 0; i < r.Length; i++)
        {
            r[i] += Penalty(lengths[i]);
        }
    }
}
