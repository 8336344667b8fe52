using FsCheck;
using FsCheck.Xunit;
using Rewire.Core.Shaping;

namespace Rewire.Core.Tests.Shaping;

public class LengthShapingTests
{
    [Theory]
    [InlineData(0, 0.0)]
    [InlineData(16384, 0.0)]
    [InlineData(16385, -1.0 / 4096)]
    [InlineData(18432, -0.5)]
    [InlineData(20480, -1.0)]
    [InlineData(30000, -1.0)]
    public void Soft_overlong_punishment_matches_dapo(int length, double expected) =>
        Assert.Equal(expected, new SoftOverlongPunishment(20480, 4096).Penalty(length), 12);

    [Property(MaxTest = 500)]
    public bool Soft_overlong_punishment_invariants(PositiveInt maxLength, PositiveInt buffer, NonNegativeInt length)
    {
        var max = maxLength.Get % 5000 + 1;
        var buf = buffer.Get % max + 1;
        var shaper = new SoftOverlongPunishment(max, buf);
        var l = length.Get % (2 * max + 2);
        var p = shaper.Penalty(l);
        var threshold = max - buf;
        bool shape = l <= threshold ? p == 0
            : l > max ? p == -1
            : Math.Abs(p - (double)(threshold - l) / buf) < 1e-12;
        var monotone = shaper.Penalty(l + 1) <= p;
        return shape && monotone && p is >= -1 and <= 0 && shaper.Penalty(max) == -1 && shaper.Penalty(threshold) == 0;
    }

    [Fact]
    public void Soft_overlong_punishment_adds_to_rewards_and_validates()
    {
        var batch = new ShapingBatch([1.0, 1.0], [0, 0]) { Lengths = [10, 15] };
        new SoftOverlongPunishment(20, 10, factor: 2).Apply(batch);
        Assert.Equal([1.0, 0.0], batch.Rewards);
        Assert.Throws<ArgumentException>(() => new SoftOverlongPunishment(10, 11));
        Assert.Throws<ArgumentException>(() => new SoftOverlongPunishment(10, 0));
    }

    [Fact]
    public void Overlong_filter_zeroes_loss_weights_of_truncated_samples()
    {
        var batch = new ShapingBatch([1.0, 0.5, 0.0], [0, 0, 1]) { Truncated = [false, true, true] };
        var filter = new OverlongFilter();
        filter.Apply(batch);
        Assert.Equal([1.0, 0.0, 0.0], batch.LossWeights);
        Assert.Equal([1.0, 0.5, 0.0], batch.Rewards);
        Assert.Equal(2, filter.LastFiltered);
    }

    [Fact]
    public void Dot_truncates_outliers_of_all_correct_groups_only()
    {
        // Group 0: all correct, lengths 100 x 9 and 1000. Group 1: one wrong, same lengths.
        int[] lengths = [.. Enumerable.Repeat(100, 9), 1000, .. Enumerable.Repeat(100, 9), 1000];
        var rewards = Enumerable.Repeat(1.0, 20).ToArray();
        rewards[10] = 0;
        var groups = Enumerable.Range(0, 20).Select(i => i / 10).ToArray();
        var batch = new ShapingBatch(rewards, groups) { Lengths = (int[])lengths.Clone() };
        var reverified = new List<(int, int)>();
        var dot = new DynamicOutlierTruncation(alpha: 1, reverify: (i, t) => { reverified.Add((i, t)); return 0.0; });
        dot.Apply(batch);

        var mean = 190.0;
        var std = Math.Sqrt((9 * 90.0 * 90 + 810.0 * 810) / 9);
        var t = (int)Math.Floor(mean + std);
        Assert.Equal(t, batch.TruncateTo![9]);
        Assert.Equal([(9, t)], reverified);
        Assert.Equal(0.0, batch.Rewards[9]);
        Assert.Equal(t, batch.Lengths![9]);
        Assert.All(Enumerable.Range(0, 20).Where(i => i != 9), i => Assert.Equal(-1, batch.TruncateTo![i]));
        Assert.Equal(1.0, batch.Rewards[19]);
        Assert.Equal(new TruncationStats(1, 1, 0, 1000 - t), dot.LastStats);
    }

    [Property(MaxTest = 200)]
    public bool Dot_invariants(PositiveInt[] rawLengths, bool allCorrect, PositiveInt alphaSeed)
    {
        if (rawLengths.Length == 0)
        {
            return true;
        }

        var lengths = rawLengths.Select(l => l.Get % 4000).ToArray();
        var n = lengths.Length;
        var rewards = Enumerable.Repeat(1.0, n).ToArray();
        if (!allCorrect)
        {
            rewards[0] = 0;
        }

        var alpha = alphaSeed.Get % 4;
        var batch = new ShapingBatch(rewards, new int[n]) { Lengths = (int[])lengths.Clone() };
        var dot = new DynamicOutlierTruncation(alpha: alpha, margin: 0);
        dot.Apply(batch);
        var t = dot.Threshold(lengths);
        var untouchedWhenNotAllCorrect = allCorrect || batch.TruncateTo!.All(x => x == -1);
        var truncatedAtT = batch.TruncateTo!.All(x => x == -1 || (x == t && t >= Math.Floor(lengths.Average())));
        var exactlyTheLongOnes = !allCorrect || Enumerable.Range(0, n).All(i => (batch.TruncateTo![i] >= 0) == (lengths[i] > t));
        var infinite = new ShapingBatch((double[])rewards.Clone(), new int[n]) { Lengths = (int[])lengths.Clone() };
        new DynamicOutlierTruncation(alpha: 1e300, margin: 0).Apply(infinite);
        return untouchedWhenNotAllCorrect && truncatedAtT && exactlyTheLongOnes && infinite.TruncateTo!.All(x => x == -1);
    }

    [Fact]
    public void Dot_margin_and_correct_column()
    {
        var batch = new ShapingBatch([0.0, 0.0, 0.0], [0, 0, 0]) { Lengths = [10, 10, 40], Correct = [true, true, true] };
        var dot = new DynamicOutlierTruncation(alpha: 0, margin: 32);
        dot.Apply(batch);
        Assert.Equal(1, dot.LastStats.SkippedByMargin);
        Assert.All(batch.TruncateTo!, x => Assert.Equal(-1, x));
        var fractional = new ShapingBatch([1.0, 1.0, 1.0], [0, 0, 0]) { Lengths = [10, 10, 100] };
        new DynamicOutlierTruncation(alpha: 0, margin: 0.5).Apply(fractional);
        Assert.Equal(40, fractional.TruncateTo![2]);
    }
}
