using FsCheck;
using FsCheck.Xunit;
using Rewire.Core.Rewards;
using Rewire.Core.Shaping;
using Rewire.Core.Stats;
using Rewire.Core.Tests.Rewards;

namespace Rewire.Core.Tests.Shaping;

public class GroupIndexTests
{
    [Fact]
    public void Groups_follow_labels_not_positions()
    {
        var index = GroupIndex.Build([7, 3, 7, 1_000_000_000, 3]);
        Assert.Equal(3, index.GroupCount);
        Assert.Equal([0, 2], index.Members(0).ToArray());
        Assert.Equal([1, 4], index.Members(1).ToArray());
        Assert.Equal([3], index.Members(2).ToArray());
        Assert.Throws<ArgumentException>(() => GroupIndex.Build([0, -1]));
    }

    [Property(MaxTest = 200)]
    public bool Index_partitions_the_rollouts(int[] labels)
    {
        var clean = labels.Select(l => Math.Abs(l % 50)).ToArray();
        var index = GroupIndex.Build(clean);
        var seen = index.AllMembers.ToArray().OrderBy(i => i).ToArray();
        if (!seen.SequenceEqual(Enumerable.Range(0, clean.Length)))
        {
            return false;
        }

        for (var g = 0; g < index.GroupCount; g++)
        {
            var members = index.Members(g).ToArray();
            if (members.Length == 0 || members.Any(i => clean[i] != clean[members[0]]))
            {
                return false;
            }
        }

        return index.GroupCount == clean.Distinct().Count();
    }

    [Fact]
    public void Batch_validates_its_inputs()
    {
        Assert.Throws<ArgumentException>(() => new ShapingBatch([1, 2], [0]));
        Assert.Throws<ArgumentException>(() => new ShapingBatch([1], [-1]));
        var nan = Assert.Throws<ArgumentException>(() => new ShapingBatch([double.NaN], [0]));
        Assert.Contains("RewardPipeline", nan.Message);
        var missing = Assert.Throws<InvalidOperationException>(() => new SoftOverlongPunishment(10, 5).Apply(new ShapingBatch([1], [0])));
        Assert.Contains("ShapingBatch.Lengths", missing.Message);
        var wrongLength = Assert.Throws<ArgumentException>(() => new SoftOverlongPunishment(10, 5).Apply(new ShapingBatch([1], [0]) { Lengths = [1, 2] }));
        Assert.Contains("2 entries for 1 rollouts", wrongLength.Message);
    }

    [Fact]
    public void Batch_from_rollouts_maps_string_groups()
    {
        var rollouts = new[]
        {
            TestRollouts.Make("a", group: "x", tokens: 5),
            TestRollouts.Make("b", group: "y", tokens: 7) with { Finish = FinishReason.Length },
            TestRollouts.Make("c", group: "x", tokens: 9),
        };
        var results = new[] { RewardResult.Of(1, true), RewardResult.Of(0, false), new RewardResult { Total = 2, StepRewards = [1, 1] } };
        var batch = ShapingBatch.FromRollouts(rollouts, results);
        Assert.Equal([0, 1, 0], batch.Groups);
        Assert.Equal([1.0, 0.0, 2.0], batch.Rewards);
        Assert.Equal([5, 7, 9], batch.Lengths!);
        Assert.Equal([false, true, false], batch.Truncated!);
        Assert.Equal([true, false, false], batch.Correct!);
        Assert.Equal([1.0, 1.0], batch.StepRewards![2]);
        Assert.Empty(batch.StepRewards![0]);
        Assert.Throws<ArgumentException>(() => ShapingBatch.FromRollouts(rollouts, results[..2]));
    }
}
