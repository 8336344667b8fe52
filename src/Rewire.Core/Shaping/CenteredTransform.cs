using Rewire.Core.Stats;

namespace Rewire.Core.Shaping;

/// <summary>Baseline that <see cref="CenteredTransform"/> subtracts.</summary>
public enum CenterBaseline
{
    /// <summary>The mean reward of the rollout's group.</summary>
    GroupMean,
    /// <summary>The mean of the reference rewards of the rollout's prompt (PAR's "centered").</summary>
    ReferenceMean,
}

/// <summary>
/// Centred transform, a shaping baseline of [R02] PAR ("Reward Shaping to Mitigate Reward Hacking in RLHF", design
/// principle 3: the RL reward is best a function of the centred reward). <c>r' = r − b</c> with b the group mean or the
/// mean of the prompt's reference rewards.
/// </summary>
public sealed class CenteredTransform(CenterBaseline baseline = CenterBaseline.GroupMean) : IRewardShaper
{
    /// <inheritdoc />
    public string Name => "centered";

    /// <summary>What is subtracted. <value>The default value is GroupMean.</value></summary>
    public CenterBaseline Baseline { get; } = baseline;

    /// <inheritdoc />
    public void Apply(ShapingBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var r = batch.Rewards;
        if (Baseline == CenterBaseline.ReferenceMean)
        {
            var refs = batch.Require(batch.ReferenceRewards, nameof(ShapingBatch.ReferenceRewards), Name);
            for (var i = 0; i < r.Length; i++)
            {
                r[i] -= PreferenceAsReward.RequireReferences(refs[i], i, Name).Average();
            }

            return;
        }

        var index = batch.Index;
        for (var g = 0; g < index.GroupCount; g++)
        {
            var members = index.Members(g);
            double sum = 0;
            foreach (var i in members)
            {
                sum += r[i];
            }

            var mean = sum / members.Length;
            foreach (var i in members)
            {
                r[i] -= mean;
            }
        }
    }
}
