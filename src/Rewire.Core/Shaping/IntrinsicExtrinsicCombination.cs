namespace Rewire.Core.Shaping;

/// <summary>
/// Intrinsic-plus-extrinsic reward combination of [R12] ONI ("Online Intrinsic Rewards for Decision Making Agents from
/// Large Language Model Feedback", Zheng et al. 2024):
/// <c>r_t = c_ext · r_ext,t + c_int · r_int(msg_t) / N(msg_t)^β</c>, where N(msg_t) counts the occurrences of that
/// message in the episode so far (current one included), β = 3. Defaults c_ext = 1, c_int = 0.4 (the paper uses
/// c_ext ∈ {0.1, 10} per task and 0 reward-free). On a batch each rollout is one episode whose scalar reward is its
/// outcome r_high and whose step rewards are the extrinsic step rewards r_low,t (the episodes' convention for shapers
/// that read step rewards: they accumulate them, as G-RA does). The extrinsic reward of step t is r_low,t, plus r_high on
/// the last step; the step rewards are replaced by the combination <c>c_ext·r_low,t + c_int·r_int(msg_t)/N(msg_t)^β</c>
/// and the scalar becomes the episode's combined return <c>c_ext·r_high + Σ_t (c_ext·r_low,t + c_int·r_int(msg_t)/N(msg_t)^β)</c>.
/// Requires <see cref="ShapingBatch.StepRewards"/>, <see cref="ShapingBatch.IntrinsicRewards"/> and <see cref="ShapingBatch.MessageIds"/>.
/// </summary>
public sealed class IntrinsicExtrinsicCombination : IRewardShaper
{
    /// <summary>Creates the combination.</summary>
    /// <param name="extrinsicCoefficient">c_ext, the weight of the environment's reward (default 1).</param>
    /// <param name="intrinsicCoefficient">c_int, the weight of the LLM-feedback intrinsic reward (default 0.4).</param>
    /// <param name="countExponent">β ≥ 0, the exponent of the per-episode message count that discounts repeated messages (default 3).</param>
    public IntrinsicExtrinsicCombination(double extrinsicCoefficient = 1.0, double intrinsicCoefficient = 0.4, double countExponent = 3.0)
    {
        if (!double.IsFinite(extrinsicCoefficient) || !double.IsFinite(intrinsicCoefficient) || !(countExponent >= 0))
        {
            throw new ArgumentException($"ONI needs finite coefficients and a count exponent β ≥ 0 (got {extrinsicCoefficient}, {intrinsicCoefficient}, {countExponent}).");
        }

        ExtrinsicCoefficient = extrinsicCoefficient;
        IntrinsicCoefficient = intrinsicCoefficient;
        CountExponent = countExponent;
    }

    /// <inheritdoc />
    public string Name => "oni";

    /// <summary>c_ext, the weight of the environment's (extrinsic) reward.</summary>
    public double ExtrinsicCoefficient { get; }

    /// <summary>c_int, the weight of the intrinsic reward.</summary>
    public double IntrinsicCoefficient { get; }

    /// <summary>β, the exponent of the message count N(msg) that divides the intrinsic reward.</summary>
    public double CountExponent { get; }

    /// <summary>
    /// Combines one episode in place (<paramref name="rewards"/> holds the extrinsic rewards) and returns the sum of the
    /// intrinsic terms added.
    /// </summary>
    public double CombineEpisode(Span<double> rewards, ReadOnlySpan<double> intrinsic, ReadOnlySpan<int> messageIds)
    {
        if (intrinsic.Length != rewards.Length || messageIds.Length != rewards.Length)
        {
            throw new ArgumentException($"ONI: an episode of {rewards.Length} steps needs as many intrinsic rewards ({intrinsic.Length}) and message ids ({messageIds.Length}).");
        }

        var counts = new Dictionary<int, int>();
        double added = 0;
        for (var t = 0; t < rewards.Length; t++)
        {
            counts[messageIds[t]] = counts.GetValueOrDefault(messageIds[t]) + 1;
            var term = IntrinsicCoefficient * intrinsic[t] / Math.Pow(counts[messageIds[t]], CountExponent);
            rewards[t] = ExtrinsicCoefficient * rewards[t] + term;
            added += term;
        }

        return added;
    }

    /// <inheritdoc />
    public void Apply(ShapingBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var steps = batch.Require(batch.StepRewards, nameof(ShapingBatch.StepRewards), Name);
        var intrinsic = batch.Require(batch.IntrinsicRewards, nameof(ShapingBatch.IntrinsicRewards), Name);
        var messages = batch.Require(batch.MessageIds, nameof(ShapingBatch.MessageIds), Name);
        for (var i = 0; i < batch.Count; i++)
        {
            CombineEpisode(steps[i], intrinsic[i], messages[i]);
            double combined = 0;
            foreach (var r in steps[i]) combined += r;
            batch.Rewards[i] = ExtrinsicCoefficient * batch.Rewards[i] + combined;
        }
    }
}
