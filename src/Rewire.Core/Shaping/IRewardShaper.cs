namespace Rewire.Core.Shaping;

/// <summary>
/// A sequence-level reward transform over a batch with explicit groups, applied in place. Shapers may keep running
/// state across batches (for example running mean and standard deviation); they are not thread-safe.
/// </summary>
public interface IRewardShaper
{
    /// <summary>The registry name.</summary>
    string Name { get; }

    /// <summary>Transforms <see cref="ShapingBatch.Rewards"/> (and, where stated, other writable columns) in place.</summary>
    void Apply(ShapingBatch batch);
}
