using Rewire.Core.Stats;

namespace Rewire.Core.Shaping;

/// <summary>Per-batch figures of <see cref="DynamicOutlierTruncation"/>.</summary>
/// <param name="EligibleGroups">Groups whose success rate met the threshold.</param>
/// <param name="Truncated">Responses marked for truncation.</param>
/// <param name="SkippedByMargin">Responses above T(q) but by less than the margin.</param>
/// <param name="TokensRemoved">Total tokens cut.</param>
public readonly record struct TruncationStats(int EligibleGroups, int Truncated, int SkippedByMargin, long TokensRemoved);

/// <summary>
/// Dynamic Outlier Truncation, [T11] DOT ("Anti-Length Shift: Dynamic Outlier Truncation for Training Efficient
/// Reasoning Models"). Applied after rewards and before dynamic-sampling filters. For each group whose success rate
/// s = #correct / G is at least <c>success_threshold</c> (default 1.0: all correct):
/// <code>
/// T(q) = floor(mean(L) + α·std(L))      (sample std, 0 for G = 1; α = 3)
/// truncate response i to T(q) when L_i − T(q) ≥ m  (m = 32 tokens; 0 &lt; m &lt; 1 means m_eff = max(⌊L_i·m⌋, 16))
/// </code>
/// The truncation plan is written to <see cref="ShapingBatch.TruncateTo"/> (−1 = keep). The verifier must be re-run on
/// the truncated text: pass <c>reverify(rollout, newLength)</c> and the shaper overwrites that rollout's reward and
/// length with it; without it the caller re-verifies. Correctness comes from <see cref="ShapingBatch.Correct"/>, or
/// reward ≥ <c>correct_reward</c> when that column is absent. Requires <see cref="ShapingBatch.Lengths"/>.
/// </summary>
public sealed class DynamicOutlierTruncation : IRewardShaper
{
    private readonly Func<int, int, double>? _reverify;

    /// <param name="alpha">α. <value>The default value is 3.</value></param>
    /// <param name="margin">m, in tokens, or a fraction when 0 &lt; m &lt; 1. <value>The default value is 32.</value></param>
    /// <param name="successThreshold">Minimum group success rate. <value>The default value is 1.0.</value></param>
    /// <param name="correctReward">Reward counted as correct when <see cref="ShapingBatch.Correct"/> is absent. <value>The default value is 1.0.</value></param>
    /// <param name="reverify">Re-scores rollout i truncated to the given length.</param>
    public DynamicOutlierTruncation(double alpha = 3.0, double margin = 32, double successThreshold = 1.0, double correctReward = 1.0, Func<int, int, double>? reverify = null)
    {
        if (!(alpha >= 0) || !(margin >= 0) || !(successThreshold is >= 0 and <= 1) || !double.IsFinite(correctReward))
        {
            throw new ArgumentException($"DOT needs α ≥ 0, margin ≥ 0 and a success threshold in [0, 1] (got {alpha}, {margin}, {successThreshold}).");
        }

        Alpha = alpha;
        Margin = margin;
        SuccessThreshold = successThreshold;
        CorrectReward = correctReward;
        _reverify = reverify;
    }

    /// <inheritdoc />
    public string Name => "dot";

    /// <summary>α, the number of standard deviations above the group's mean length at which T(q) is set (≥ 0).</summary>
    public double Alpha { get; }

    /// <summary>m, the minimum excess over T(q) (tokens, or a fraction of the response's length when 0 &lt; m &lt; 1) that triggers truncation.</summary>
    public double Margin { get; }

    /// <summary>The minimum group success rate s ∈ [0, 1] for a group to be truncated at all.</summary>
    public double SuccessThreshold { get; }

    /// <summary>The reward at or above which a response counts as correct when <see cref="ShapingBatch.Correct"/> is absent.</summary>
    public double CorrectReward { get; }

    /// <summary>Figures of the last <see cref="Apply"/>.</summary>
    public TruncationStats LastStats { get; private set; }

    /// <summary>T(q) for a group's lengths.</summary>
    public int Threshold(ReadOnlySpan<int> lengths)
    {
        double sum = 0;
        foreach (var l in lengths)
        {
            sum += l;
        }

        var mean = sum / lengths.Length;
        double ss = 0;
        foreach (var l in lengths)
        {
            ss += (l - mean) * (l - mean);
        }

        var std = lengths.Length > 1 ? Math.Sqrt(ss / (lengths.Length - 1)) : 0.0;
        var t = Math.Floor(mean + Alpha * std);
        return t >= int.MaxValue ? int.MaxValue : (int)t;
    }

    /// <inheritdoc />
    public void Apply(ShapingBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var lengths = batch.Require(batch.Lengths, nameof(ShapingBatch.Lengths), Name);
        var correct = batch.Correct;
        if (correct is not null && correct.Length != batch.Count)
        {
            throw new ArgumentException($"ShapingBatch.Correct has {correct.Length} entries for {batch.Count} rollouts (shaper 'dot').");
        }

        var plan = batch.TruncateTo is { } existing && existing.Length == batch.Count ? existing : new int[batch.Count];
        Array.Fill(plan, -1);
        batch.TruncateTo = plan;

        var index = batch.Index;
        int eligible = 0, truncated = 0, skipped = 0;
        long removed = 0;
        int[]? rented = null;
        for (var g = 0; g < index.GroupCount; g++)
        {
            var members = index.Members(g);
            var successes = 0;
            foreach (var i in members)
            {
                successes += (correct?[i] ?? batch.Rewards[i] >= CorrectReward) ? 1 : 0;
            }

            if ((double)successes / members.Length < SuccessThreshold)
            {
                continue;
            }

            eligible++;
            if (rented is null || rented.Length < members.Length)
            {
                rented = new int[Math.Max(members.Length, 16)];
            }

            var buffer = rented.AsSpan(0, members.Length);
            for (var k = 0; k < members.Length; k++)
            {
                buffer[k] = lengths[members[k]];
            }

            var t = Threshold(buffer);
            foreach (var i in members)
            {
                var over = (long)lengths[i] - t;
                if (over <= 0)
                {
                    continue;
                }

                var m = Margin is > 0 and < 1 ? Math.Max(Math.Floor(lengths[i] * Margin), 16) : Margin;
                if (over < m)
                {
                    skipped++;
                    continue;
                }

                plan[i] = t;
                truncated++;
                removed += over;
                if (_reverify is not null)
                {
                    var reward = _reverify(i, t);
                    if (!double.IsFinite(reward))
                    {
                        throw new InvalidOperationException($"DOT: re-verifying rollout {i} at length {t} gave {reward}; the verifier must return a finite reward.");
                    }

                    batch.Rewards[i] = reward;
                    lengths[i] = t;
                }
            }
        }

        LastStats = new TruncationStats(eligible, truncated, skipped, removed);
    }
}
