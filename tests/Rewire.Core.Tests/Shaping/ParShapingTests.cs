using FsCheck;
using FsCheck.Xunit;
using Rewire.Core.Shaping;
using static Rewire.Core.Tests.Shaping.ShapingTestData;

namespace Rewire.Core.Tests.Shaping;

public class ParShapingTests
{
    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    [Fact]
    public void Par_is_the_mean_sigmoid_of_centred_rewards()
    {
        var par = new PreferenceAsReward(k: 2, maxReferences: 2);
        Assert.Equal((Sigmoid(2 * (1.0 - 0.5)) + Sigmoid(2 * (1.0 - 2.0))) / 2, par.Shape(1.0, [0.5, 2.0, 100.0]), 14);
        var batch = new ShapingBatch([1.0, 3.0], [0, 0]) { ReferenceRewards = [[1.0], [1.0]] };
        new PreferenceAsReward().Apply(batch);
        Assert.Equal(0.5, batch.Rewards[0], 14);
        Assert.Equal(Sigmoid(2.0), batch.Rewards[1], 14);
    }

    [Property(MaxTest = 300)]
    public bool Par_with_one_reference_and_k1_is_sigmoid_of_the_difference(NormalFloat r, NormalFloat reference)
    {
        var (x, y) = (Clean(r.Get) / 1e4, Clean(reference.Get) / 1e4);
        return Math.Abs(new PreferenceAsReward(maxReferences: 1).Shape(x, [y]) - Sigmoid(x - y)) < 1e-12;
    }

    [Property(MaxTest = 300)]
    public bool Par_is_bounded_in_0_1_monotone_and_centering_invariant(NormalFloat r, NormalFloat delta, NormalFloat[] refs, NormalFloat shift)
    {
        if (refs.Length == 0)
        {
            return true;
        }

        var references = refs.Select(v => Clean(v.Get) / 1e3).ToArray();
        var x = Clean(r.Get) / 1e3;
        var d = Math.Abs(Clean(delta.Get)) / 1e3 + 1e-3;
        var c = Clean(shift.Get) / 1e3;
        var par = new PreferenceAsReward(k: 1, maxReferences: 64);
        var value = par.Shape(x, references);
        var higher = par.Shape(x + d, references);
        var shifted = par.Shape(x + c, references.Select(v => v + c).ToArray());
        var bounded = value is > 0 and < 1 || (value >= 0 && value <= 1 && references.Any(v => Math.Abs(x - v) > 30));
        return bounded && higher >= value && Math.Abs(shifted - value) < 1e-9;
    }

    [Fact]
    public void Par_is_strictly_increasing_where_it_is_not_saturated()
    {
        var par = new PreferenceAsReward();
        var previous = double.NegativeInfinity;
        for (var x = -10.0; x <= 10.0; x += 0.25)
        {
            var v = par.Shape(x, [0.0, 1.0]);
            Assert.True(v > previous);
            Assert.InRange(v, double.Epsilon, 1 - 1e-6);
            previous = v;
        }
    }

    [Fact]
    public void Par_needs_reference_rewards()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => new PreferenceAsReward().Apply(Batch([1.0])));
        Assert.Contains("ReferenceRewards", ex.Message);
        Assert.Throws<ArgumentException>(() => new PreferenceAsReward().Apply(new ShapingBatch([1.0], [0]) { ReferenceRewards = [[]] }));
        Assert.Throws<ArgumentException>(() => new PreferenceAsReward(k: 0));
    }

    [Fact]
    public void Relative_tanh_and_atan_variants()
    {
        Assert.Equal(Math.Tanh(0.5), new PreferenceAsReward(function: RelativeFunction.Tanh).Shape(1.5, [1.0]), 14);
        Assert.Equal(Math.Atan(0.5), new PreferenceAsReward(function: RelativeFunction.Atan).Shape(1.5, [1.0]), 14);
    }

    [Fact]
    public void Lsc_uses_the_85th_percentile_of_a_normal_fitted_to_references()
    {
        var batch = new ShapingBatch([2.0], [0]) { ReferenceRewards = [[0.0, 2.0]] };
        new LogSigmoidCentered().Apply(batch);
        var reference = 1.0 + 1.0364333894937898 * 1.0;
        Assert.Equal(Math.Log(Sigmoid(2.0 - reference)), batch.Rewards[0], 12);
        Assert.True(LogSigmoidCentered.LogSigmoid(-800) < -799);
        Assert.Equal(0.0, LogSigmoidCentered.LogSigmoid(800));
    }

    [Fact]
    public void Centered_subtracts_group_or_reference_means()
    {
        var batch = new ShapingBatch([1.0, 3.0, 10.0], [5, 5, 9]);
        new CenteredTransform().Apply(batch);
        Assert.Equal([-1.0, 1.0, 0.0], batch.Rewards);
        var byRef = new ShapingBatch([1.0], [0]) { ReferenceRewards = [[0.0, 4.0]] };
        new CenteredTransform(CenterBaseline.ReferenceMean).Apply(byRef);
        Assert.Equal(-1.0, byRef.Rewards[0]);
    }

    [Fact]
    public void Meanstd_clip_and_minmax_use_running_statistics_including_the_current_batch()
    {
        var meanstd = new MeanStdTransform();
        var a = Batch([1.0, 3.0]);
        meanstd.Apply(a);
        Assert.Equal([-1.0, 1.0], a.Rewards);
        var b = Batch([5.0]);
        meanstd.Apply(b);
        var std = Math.Sqrt(((1 - 3.0) * (1 - 3.0) + 0 + 4) / 3);
        Assert.Equal((5 - 3.0) / std, b.Rewards[0], 12);
        var constant = Batch([2.0, 2.0]);
        new MeanStdTransform().Apply(constant);
        Assert.Equal([0.0, 0.0], constant.Rewards);

        var clip = Batch([0.0, 10.0, 5.0]);
        new ClipTransform().Apply(clip);
        var s = Math.Sqrt(50.0 / 3);
        Assert.Equal([5 - s, 5 + s, 5.0], clip.Rewards);

        var minmax = new MinMaxTransform();
        var m1 = Batch([2.0, 4.0]);
        minmax.Apply(m1);
        Assert.Equal([0.0, 1.0], m1.Rewards);
        var m2 = Batch([3.0]);
        minmax.Apply(m2);
        Assert.Equal(0.5, m2.Rewards[0]);
        var flat = Batch([7.0]);
        new MinMaxTransform().Apply(flat);
        Assert.Equal(0.5, flat.Rewards[0]);

        var fixedClip = Batch([-5.0, 0.5, 5.0]);
        new ClipTransform(-1, 1).Apply(fixedClip);
        Assert.Equal([-1.0, 0.5, 1.0], fixedClip.Rewards);
    }

    [Property(MaxTest = 200)]
    public bool Minmax_and_clip_outputs_stay_in_bounds(NormalFloat[] first, NormalFloat[] second, bool perGroup)
    {
        var minmax = new MinMaxTransform(perGroup);
        var clip = new ClipTransform();
        foreach (var values in new[] { first, second })
        {
            if (values.Length == 0)
            {
                continue;
            }

            var raw = values.Select(v => Clean(v.Get)).ToArray();
            var groups = raw.Select((_, i) => i % 3).ToArray();
            var m = Batch(raw, groups);
            minmax.Apply(m);
            var c = Batch(raw, groups);
            clip.Apply(c);
            var lo = clip.Moments.Mean - clip.Moments.Std;
            var hi = clip.Moments.Mean + clip.Moments.Std;
            if (m.Rewards.Any(v => v is < 0 or > 1) || c.Rewards.Any(v => v < lo - 1e-9 || v > hi + 1e-9))
            {
                return false;
            }
        }

        return true;
    }

    [Property(MaxTest = 300)]
    public bool Bounded_transforms_stay_in_bounds(NormalFloat r, PositiveInt scale)
    {
        var x = Clean(r.Get);
        var tanh = new BoundedTransform(BoundedFunction.Tanh, scale.Get).Transform(x);
        var sigmoid = new BoundedTransform(BoundedFunction.Sigmoid, scale.Get).Transform(x);
        var atan = new BoundedTransform(BoundedFunction.Atan, scale.Get).Transform(x);
        return tanh is >= -1 and <= 1 && sigmoid is >= 0 and <= 1 && atan is >= -1 and <= 1;
    }

    [Fact]
    public void Bounded_transform_values_and_validation()
    {
        var batch = Batch([0.0, 2.0]);
        new BoundedTransform(BoundedFunction.Sigmoid, scale: 2.0, center: 2.0).Apply(batch);
        Assert.Equal([Sigmoid(-1.0), 0.5], batch.Rewards);
        Assert.Equal(0.5, new BoundedTransform(BoundedFunction.Atan).Transform(1.0), 14);
        Assert.Throws<ArgumentException>(() => new BoundedTransform(scale: 0));
    }

    [Fact]
    public void Length_penalty_charges_tokens_beyond_the_valid_length()
    {
        var batch = new ShapingBatch([1.0, 1.0], [0, 0]) { Lengths = [300, 350] };
        new LengthPenalty().Apply(batch);
        Assert.Equal([1.0, 0.5], batch.Rewards);
    }
}
