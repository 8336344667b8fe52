namespace Rewire.Core.Shaping;

/// <summary>
/// Overlong filtering of [T03] DAPO ("DAPO: An Open-Source LLM Reinforcement Learning System at Scale"): the loss of a
/// truncated sample (it hit the maximum length without an end-of-sequence token) is masked,
/// <c>loss_weight_i = 0 if truncated_i</c>; rewards are unchanged. Requires <see cref="ShapingBatch.Truncated"/>.
/// </summary>
public sealed class OverlongFilter : IRewardShaper
{
    /// <inheritdoc />
    public string Name => "overlong_filter";

    /// <summary>Samples filtered by the last <see cref="Apply"/>.</summary>
    public int LastFiltered { get; private set; }

    /// <inheritdoc />
    public void Apply(ShapingBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var truncated = batch.Require(batch.Truncated, nameof(ShapingBatch.Truncated), Name);
        var filtered = 0;
        for (var i = 0; i < truncated.Length; i++)
        {
            if (truncated[i])
            {
                batch.LossWeights[i] = 0.0;
                filtered++;
            }
        }

        LastFiltered = filtered;
    }
}
