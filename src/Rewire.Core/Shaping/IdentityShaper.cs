namespace Rewire.Core.Shaping;

/// <summary>"Vanilla" baseline of [R02] (PAR, "Reward Shaping to Mitigate Reward Hacking in RLHF"): the raw reward, unchanged. <c>r' = r</c>.</summary>
public sealed class IdentityShaper : IRewardShaper
{
    /// <inheritdoc />
    public string Name => "vanilla";

    /// <inheritdoc />
    public void Apply(ShapingBatch batch) => ArgumentNullException.ThrowIfNull(batch);
}
