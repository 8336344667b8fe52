namespace Rewire.Core.Shaping;

/// <summary>
/// Mean-std normalisation, a shaping baseline of [R02] PAR ("Reward Shaping to Mitigate Reward Hacking in RLHF"):
/// <c>r' = (r − μ) / σ</c> with running μ, σ over every batch seen (current batch included); σ := 1 when it is 0.
/// </summary>
public sealed class MeanStdTransform : IRewardShaper, Rewire.Core.Techniques.IStatefulTechnique
{
    private readonly RunningMoments _moments = new();

    /// <inheritdoc />
    public System.Text.Json.Nodes.JsonObject SaveState() => _moments.Save();

    /// <inheritdoc />
    public void RestoreState(System.Text.Json.Nodes.JsonObject state) => _moments.Restore(state);

    /// <inheritdoc />
    public string Name => "meanstd";

    /// <summary>The running statistics.</summary>
    public RunningMoments Moments => _moments;

    /// <inheritdoc />
    public void Apply(ShapingBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var r = batch.Rewards;
        _moments.Add(r);
        var mean = _moments.Mean;
        var std = _moments.Std > 0 ? _moments.Std : 1.0;
        for (var i = 0; i < r.Length; i++)
        {
            r[i] = (r[i] - mean) / std;
        }
    }
}
