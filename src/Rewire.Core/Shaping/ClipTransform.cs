namespace Rewire.Core.Shaping;

/// <summary>
/// Clipping, a shaping baseline of [R02] PAR ("Reward Shaping to Mitigate Reward Hacking in RLHF"):
/// <c>r' = clip(r, μ − c·σ, μ + c·σ)</c> with running μ, σ over every batch seen (current batch included) and c = 1 as in
/// PAR's code; or, when fixed bounds are given, <c>r' = clip(r, low, high)</c>.
/// </summary>
public sealed class ClipTransform : IRewardShaper
{
    private readonly RunningMoments _moments = new();

    /// <summary>Running clip at μ ± <paramref name="width"/>·σ.</summary>
    public ClipTransform(double width = 1.0)
    {
        if (!(width > 0) || !double.IsFinite(width))
        {
            throw new ArgumentException($"clip width {width} must be finite and positive (PAR uses 1).", nameof(width));
        }

        Width = width;
    }

    /// <summary>Fixed clip to [<paramref name="low"/>, <paramref name="high"/>].</summary>
    public ClipTransform(double low, double high)
    {
        if (!double.IsFinite(low) || !double.IsFinite(high) || low > high)
        {
            throw new ArgumentException($"clip bounds [{low}, {high}] must be finite with low ≤ high.");
        }

        Low = low;
        High = high;
        Width = 1.0;
    }

    /// <inheritdoc />
    public string Name => "clip";

    /// <summary>Width in standard deviations (running mode).</summary>
    public double Width { get; }

    /// <summary>Fixed lower bound, or null for running mode.</summary>
    public double? Low { get; }

    /// <summary>Fixed upper bound, or null for running mode.</summary>
    public double? High { get; }

    /// <summary>The running statistics (running mode).</summary>
    public RunningMoments Moments => _moments;

    /// <inheritdoc />
    public void Apply(ShapingBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var r = batch.Rewards;
        double low, high;
        if (Low is { } l && High is { } h)
        {
            (low, high) = (l, h);
        }
        else
        {
            _moments.Add(r);
            low = _moments.Mean - Width * _moments.Std;
            high = _moments.Mean + Width * _moments.Std;
        }

        for (var i = 0; i < r.Length; i++)
        {
            r[i] = Math.Clamp(r[i], low, high);
        }
    }
}
