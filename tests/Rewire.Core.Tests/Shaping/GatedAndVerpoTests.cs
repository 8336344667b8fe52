using FsCheck;
using FsCheck.Xunit;
using Rewire.Core.Shaping;

namespace Rewire.Core.Tests.Shaping;

public class GatedAndVerpoTests
{
    [Fact]
    public void Gate_closed_keeps_only_the_outcome_and_zeroes_steps()
    {
        var batch = new ShapingBatch([-0.5, 1.0], [0, 0]) { StepRewards = [[0.2, 0.3], [0.2, 0.3]] };
        new GatedRewardAccumulation(threshold: 0).Apply(batch);
        Assert.Equal(-0.5, batch.Rewards[0]);
        Assert.Equal([0.0, 0.0], batch.StepRewards![0]);
        Assert.Equal(1.5, batch.Rewards[1], 12);
        Assert.Equal([0.2, 0.3], batch.StepRewards![1]);

        var direct = new ShapingBatch([-0.5], [0]) { StepRewards = [[0.2, 0.3]] };
        new GatedRewardAccumulation(threshold: 0, gate: false).Apply(direct);
        Assert.Equal(0.0, direct.Rewards[0], 12);
    }

    [Property(MaxTest = 300)]
    public bool Gated_return_invariants(NormalFloat outcome, NormalFloat[] steps, NormalFloat threshold, PositiveInt bump)
    {
        var high = ShapingTestData.Clean(outcome.Get) / 1e3;
        var low = steps.Select(s => Math.Abs(ShapingTestData.Clean(s.Get)) / 1e3).ToArray();
        var delta = ShapingTestData.Clean(threshold.Get) / 1e3;
        var gra = new GatedRewardAccumulation(delta);
        var dra = new GatedRewardAccumulation(delta, gate: false);
        var r = gra.Accumulate(high, low);
        var closedOk = high >= delta || r == high;
        var openOk = high < delta || Math.Abs(r - dra.Accumulate(high, low)) < 1e-12;
        var boundedByDirect = r <= dra.Accumulate(high, low) + 1e-12;
        var monotone = true;
        if (low.Length > 0)
        {
            var more = (double[])low.Clone();
            more[0] += bump.Get;
            monotone = gra.Accumulate(high, more) >= r;
        }

        var twoChannel = Math.Abs(GatedRewardAccumulation.Accumulate([high, low.Sum()], [delta]) - r) < 1e-9;
        return closedOk && openOk && boundedByDirect && monotone && twoChannel;
    }

    [Fact]
    public void K_channel_priority_form()
    {
        Assert.Equal(1 + 2 + 3.0, GatedRewardAccumulation.Accumulate([1, 2, 3], [0, 0]));
        Assert.Equal(1 + -1.0, GatedRewardAccumulation.Accumulate([1, -1, 3], [0, 0]));
        Assert.Equal(-1.0, GatedRewardAccumulation.Accumulate([-1, 2, 3], [0, 0]));
        Assert.Throws<ArgumentException>(() => GatedRewardAccumulation.Accumulate([1, 2, 3], [0]));
    }

    [Fact]
    public void Verpo_weights_by_hand()
    {
        // 4 rollouts x 3 tests; pass rates: t0 = 1, t1 = 0.5, t2 = 0.25.
        bool[][] outcomes =
        [
            [true, true, true],
            [true, true, false],
            [true, false, false],
            [true, false, false],
        ];
        var plain = new VerpoDenseReward(densityCalibration: false);
        Assert.Equal([0.0, 0.5 / 1.25, 0.75 / 1.25], plain.Weights(outcomes), new ToleranceComparer(1e-12));

        // With 5 bins: rho 1 -> bin 4, 0.5 -> bin 2, 0.25 -> bin 1: one test per bin, so the same weights.
        Assert.Equal(plain.Weights(outcomes), new VerpoDenseReward().Weights(outcomes), new ToleranceComparer(1e-12));

        var batch = new ShapingBatch(new double[4], [0, 0, 0, 0]) { TestOutcomes = outcomes };
        new VerpoDenseReward(lambda: 0.5).Apply(batch);
        Assert.Equal(1 + 0.5 * 1.0, batch.Rewards[0], 12);
        Assert.Equal(0.5 * 0.4, batch.Rewards[1], 12);
        Assert.Equal(0.0, batch.Rewards[2], 12);
    }

    [Fact]
    public void Verpo_density_calibration_divides_by_bin_population()
    {
        // Tests t0, t1 share a bin (rho 0.5); t2 alone (rho 0).
        bool[][] outcomes = [[true, true, false], [false, false, false]];
        var w = new VerpoDenseReward().Weights(outcomes);
        var raw = new[] { 0.5 / 2, 0.5 / 2, 1.0 / 1 };
        var sum = raw.Sum();
        Assert.Equal(raw.Select(x => x / sum), w, new ToleranceComparer(1e-12));
        var logForm = new VerpoDenseReward(difficulty: VerpoDifficulty.Log, densityCalibration: false).Weights(outcomes);
        Assert.True(logForm[2] > logForm[0]);
    }

    [Property(MaxTest = 200)]
    public bool Verpo_invariants(bool[] flat, PositiveInt testCount)
    {
        var tests = testCount.Get % 5 + 1;
        var rollouts = flat.Length / tests;
        if (rollouts < 1)
        {
            return true;
        }

        var outcomes = Enumerable.Range(0, rollouts).Select(i => flat.Skip(i * tests).Take(tests).ToArray()).ToArray();
        var verpo = new VerpoDenseReward(gateLocalWhenCorrect: true);
        var w = verpo.Weights(outcomes);
        var anyDifficulty = outcomes.Any(row => row.Any(p => !p));
        var sumsToOne = !anyDifficulty || Math.Abs(w.Sum() - 1) < 1e-9;
        var batch = new ShapingBatch(new double[rollouts], new int[rollouts]) { TestOutcomes = outcomes };
        verpo.Apply(batch);
        var full = batch.Rewards.Where((_, i) => outcomes[i].All(p => p)).ToArray();
        var partial = batch.Rewards.Where((_, i) => !outcomes[i].All(p => p)).ToArray();
        var fullBeatsPartial = full.Length == 0 || partial.Length == 0 || full.Min() >= partial.Max();
        var inRange = batch.Rewards.All(r => r is >= 0 and <= 1 + 1e-12);

        // Reversing the test order permutes the weights and leaves rewards unchanged.
        var reversed = outcomes.Select(row => row.Reverse().ToArray()).ToArray();
        var rb = new ShapingBatch(new double[rollouts], new int[rollouts]) { TestOutcomes = reversed };
        verpo.Apply(rb);
        var permutationInvariant = rb.Rewards.Zip(batch.Rewards).All(p => Math.Abs(p.First - p.Second) < 1e-12);
        return sumsToOne && fullBeatsPartial && inRange && permutationInvariant;
    }

    [Fact]
    public void Verpo_equal_outcomes_give_equal_rewards_and_groups_are_separate()
    {
        bool[] same = [true, false, true];
        var batch = new ShapingBatch(new double[4], [1, 2, 1, 2]) { TestOutcomes = [same, [true, true, true], same, [false, false, false]] };
        new VerpoDenseReward().Apply(batch);
        Assert.Equal(batch.Rewards[0], batch.Rewards[2]);
        Assert.Equal(1.5, batch.Rewards[1], 12);
        Assert.Equal(0.0, batch.Rewards[3]);
        Assert.Throws<ArgumentException>(() => new VerpoDenseReward().Weights([[true], [true, false]]));
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
