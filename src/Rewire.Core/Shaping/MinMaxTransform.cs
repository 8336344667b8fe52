using Rewire.Core.Stats;

namespace Rewire.Core.Shaping;

/// <summary>
/// Min-max scaling, a shaping baseline of [R02] PAR ("Reward Shaping to Mitigate Reward Hacking in RLHF"):
/// <c>r' = (r − min) / (max − min)</c> with running min and max over every batch seen (current batch included), or the
/// min and max within each group. When max = min the output is 0.5 (Rewire's choice; the spec is silent).
/// </summary>
public sealed class MinMaxTransform(bool perGroup = false) : IRewardShaper, Rewire.Core.Techniques.IStatefulTechnique
{
    private readonly RunningMoments _moments = new();

    /// <inheritdoc />
    public System.Text.Json.Nodes.JsonObject SaveState() => _moments.Save();

    /// <inheritdoc />
    public void RestoreState(System.Text.Json.Nodes.JsonObject state) => _moments.Restore(state);

    /// <inheritdoc />
    public string Name => "minmax";

    /// <summary>Use each group's min and max instead of running ones. <value>The default value is false.</value></summary>
    public bool PerGroup { get; } = perGroup;

    /// <inheritdoc />
    public void Apply(ShapingBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var r = batch.Rewards;
        if (!PerGroup)
        {
            _moments.Add(r);
            Scale(r, _moments.Min, _moments.Max);
            return;
        }

        var index = batch.Index;
        for (var g = 0; g < index.GroupCount; g++)
        {
            var members = index.Members(g);
            double min = double.PositiveInfinity, max = double.NegativeInfinity;
            foreach (var i in members)
            {
                min = Math.Min(min, r[i]);
                max = Math.Max(max, r[i]);
            }

            foreach (var i in members)
            {
                r[i] = max > min ? Math.Clamp((r[i] - min) / (max - min), 0, 1) : 0.5;
            }
        }
    }

    private static void Scale(Span<double> r, double min, double max)
    {
        var range = max - min;
        for (var i = 0; i < r.Length; i++)
        {
            r[i] = range > 0 ? Math.Clamp((r[i] - min) / range, 0, 1) : 0.5;
        }
    }
}
