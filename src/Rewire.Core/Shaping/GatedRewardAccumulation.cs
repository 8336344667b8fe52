namespace Rewire.Core.Shaping;

/// <summary>
/// Gated reward accumulation, [R03] G-RA ("Stabilizing Long-term Multi-turn Reinforcement Learning with Gated Rewards",
/// Sun et al. 2025): <c>r̃_t = r_low_t · 1[r_high ≥ δ]</c>, <c>R = r_high + Σ_t r̃_t</c>. The general priority form over
/// K channels is <c>R = Σ_k r_k · Π_{j&lt;k} 1[r_j ≥ δ_j]</c>. RECONSTRUCTED: the paper's numeric reward levels are not
/// known; δ is configurable (default 0) and the direct accumulation baseline (D-RA) is <c>gate: false</c>.
/// On a batch: the scalar reward is r_high, the step rewards are r_low; step rewards are zeroed when the gate is closed
/// (written back before advantage computation). Requires <see cref="ShapingBatch.StepRewards"/>.
/// </summary>
public sealed class GatedRewardAccumulation : IRewardShaper
{
    /// <param name="threshold">δ: the outcome reward at which step rewards start to count. <value>The default value is 0.</value></param>
    /// <param name="gate">False gives direct accumulation (D-RA). <value>The default value is true.</value></param>
    public GatedRewardAccumulation(double threshold = 0.0, bool gate = true)
    {
        if (!double.IsFinite(threshold))
        {
            throw new ArgumentException($"gate threshold {threshold} must be finite.", nameof(threshold));
        }

        Threshold = threshold;
        Gate = gate;
    }

    /// <inheritdoc />
    public string Name => "gated";

    /// <summary>δ, the outcome reward r_high at or above which step rewards count.</summary>
    public double Threshold { get; }

    /// <summary>Whether the gate is applied; false is direct accumulation (D-RA), which always adds the step rewards.</summary>
    public bool Gate { get; }

    /// <summary>The K-channel priority form: channel k counts only if every higher-priority channel j &lt; k meets its threshold.</summary>
    public static double Accumulate(ReadOnlySpan<double> channels, ReadOnlySpan<double> thresholds)
    {
        if (thresholds.Length < channels.Length - 1)
        {
            throw new ArgumentException($"{channels.Length} channels need at least {channels.Length - 1} thresholds (one per gating channel).");
        }

        double total = 0;
        for (var k = 0; k < channels.Length; k++)
        {
            total += channels[k];
            if (k < channels.Length - 1 && channels[k] < thresholds[k])
            {
                break;
            }
        }

        return total;
    }

    /// <summary>The two-level form for one episode: <c>r_high + 1[r_high ≥ δ]·Σ r_low</c>.</summary>
    public double Accumulate(double outcome, ReadOnlySpan<double> stepRewards)
    {
        if (Gate && outcome < Threshold)
        {
            return outcome;
        }

        var total = outcome;
        foreach (var r in stepRewards)
        {
            total += r;
        }

        return total;
    }

    /// <inheritdoc />
    public void Apply(ShapingBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var steps = batch.Require(batch.StepRewards, nameof(ShapingBatch.StepRewards), Name);
        for (var i = 0; i < batch.Count; i++)
        {
            var outcome = batch.Rewards[i];
            batch.Rewards[i] = Accumulate(outcome, steps[i]);
            if (Gate && outcome < Threshold)
            {
                Array.Clear(steps[i]);
            }
        }
    }
}
