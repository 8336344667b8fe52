using FsCheck.Xunit;
using Rewire.Core.Advantages;
using Rewire.Core.Stats;
using Rewire.Core.Tests.Stats;
using static Rewire.Core.Tests.Advantages.AdvantageTestData;

namespace Rewire.Core.Tests.Advantages;

public sealed class GroupOutcomeEstimatorTests
{
    private static readonly AdvantageEstimatorRegistry Registry = AdvantageEstimatorRegistry.Default;

    [Fact]
    public void Grpo_hand_check_rewards_1_0_0_1()
    {
        var scores = new double[] { 1, 0, 0, 1 };
        var adv = new double[4];
        new GrpoAdvantage().ComputeOutcome(scores, [0, 0, 0, 0], 1, adv);
        double std = Math.Sqrt(1.0 / 3); // unbiased std of {1,0,0,1}
        Assert.Equal(0.5 / (std + 1e-6), adv[0], 12);
        Assert.Equal(-0.5 / (std + 1e-6), adv[1], 12);
        DrGrpoAdvantage.Create().ComputeOutcome(scores, [0, 0, 0, 0], 1, adv);
        Assert.Equal([0.5, -0.5, -0.5, 0.5], adv);
    }

    [Fact]
    public void Grpo_singleton_group_keeps_the_raw_score_and_sign_symmetry_holds()
    {
        var adv = new double[1];
        new GrpoAdvantage().ComputeOutcome([0.7], [0], 1, adv);
        Assert.Equal(0.7 / (1 + 1e-6), adv[0], 15);
        var a = new double[4];
        var b = new double[4];
        new GrpoAdvantage().ComputeOutcome([1, 0, 0, 0], [0, 0, 0, 0], 1, a);
        new GrpoAdvantage().ComputeOutcome([0, 1, 1, 1], [0, 0, 0, 0], 1, b);
        for (int i = 0; i < 4; i++) Assert.Equal(-a[i], b[i], 14);
    }

    [Fact]
    public void Token_level_grpo_broadcasts_over_the_mask_and_sums_all_columns()
    {
        var rewards = TokenMatrix.From(new double[,] { { 0.5, 0, 0.5 }, { 0, 0, 0 } });
        var mask = TokenMatrix.From(new double[,] { { 1, 1, 0 }, { 1, 0, 0 } });
        var result = DrGrpoAdvantage.Create().Compute(new AdvantageInput(rewards, mask) { Index = GroupIndex.FromLabels(["u", "u"]) });
        // scores 1.0 (includes the masked 0.5) and 0: mean 0.5.
        Assert.Equal(new double[,] { { 0.5, 0.5, 0 }, { -0.5, 0, 0 } }, result.Advantages.ToArray2D());
        Assert.Equal(result.Advantages.ToArray2D(), result.Returns.ToArray2D());
    }

    [Property(MaxTest = 200)]
    public bool Grpo_advantages_sum_to_zero_within_every_group(int seed, bool normalize)
    {
        var batch = Make(seed);
        var adv = FirstColumn(new GrpoAdvantage(new GrpoOptions { NormalizeByStd = normalize }).Compute(batch.Input()).Advantages);
        return batch.Labels.Distinct().All(label =>
            Math.Abs(Enumerable.Range(0, adv.Length).Where(i => batch.Labels[i] == label).Sum(i => adv[i])) < 1e-9);
    }

    [Property(MaxTest = 200)]
    public bool Affine_change_of_rewards_leaves_std_normalised_advantages_unchanged(int seed, FsCheck.PositiveInt scaleRaw, int shiftRaw)
    {
        double a = scaleRaw.Get % 97 / 7.0 + 0.1, b = shiftRaw % 1000 / 10.0;
        var batch = Make(seed);
        var ids = GroupIndex.FromLabels(batch.Labels);
        var exact = new GrpoAdvantage(new GrpoOptions { Epsilon = 0 });
        var x = new double[batch.Scores.Length];
        var y = new double[batch.Scores.Length];
        exact.ComputeOutcome(batch.Scores, ids.Ids, ids.GroupCount, x);
        exact.ComputeOutcome(batch.Scores.Select(s => a * s + b).ToArray(), ids.Ids, ids.GroupCount, y);
        // Groups whose rewards are all equal divide 0 by 0 without epsilon; they are covered by the equal-rewards property.
        var (_, std, _) = GroupStats.MeanStd(batch.Scores, ids);
        return Enumerable.Range(0, x.Length).All(i => std[ids.GroupOf(i)] == 0 || Math.Abs(x[i] - y[i]) < 1e-8);
    }

    [Property(MaxTest = 100)]
    public bool Dr_grpo_scales_linearly_with_the_rewards(int seed, FsCheck.PositiveInt scaleRaw)
    {
        double c = scaleRaw.Get % 50 / 5.0 + 0.2;
        var batch = Make(seed);
        var ids = GroupIndex.FromLabels(batch.Labels);
        var x = new double[batch.Scores.Length];
        var y = new double[batch.Scores.Length];
        DrGrpoAdvantage.Create().ComputeOutcome(batch.Scores, ids.Ids, ids.GroupCount, x);
        DrGrpoAdvantage.Create().ComputeOutcome(batch.Scores.Select(s => c * s).ToArray(), ids.Ids, ids.GroupCount, y);
        return Enumerable.Range(0, x.Length).All(i => Math.Abs(c * x[i] - y[i]) < 1e-9);
    }

    [Theory]
    [InlineData("grpo")]
    [InlineData("grpo_vectorized")]
    [InlineData("dr_grpo")]
    [InlineData("rloo")]
    [InlineData("rloo_vectorized")]
    [InlineData("gpg")]
    [InlineData("opo")]
    [InlineData("reinforce_plus_plus_baseline")]
    [InlineData("grpo_passk")]
    [InlineData("dcpo")]
    public void A_group_with_equal_rewards_gets_zero_advantages(string name)
    {
        // Two groups so that whitening (RF++ baseline) has a non-zero variance; the equal group is "e".
        var rewards = TokenMatrix.From(new double[,] { { 0, 0.3 }, { 0, 0.3 }, { 0, 0.3 }, { 1, 0 }, { 0, 0 } });
        var mask = TokenMatrix.From(new double[,] { { 1, 1 }, { 1, 1 }, { 1, 0 }, { 1, 1 }, { 1, 1 } });
        var input = new AdvantageInput(rewards, mask) { Index = GroupIndex.FromLabels(["e", "e", "e", "d", "d"]) };
        var result = Registry.Create(name).Compute(input);
        double tol = name == "reinforce_plus_plus_baseline" ? 1e-9 : 1e-12;
        for (int i = 0; i < 3; i++)
            for (int t = 0; t < 2; t++)
                if (name != "reinforce_plus_plus_baseline") Assert.True(Math.Abs(result.Advantages[i, t]) < tol, $"{name} row {i}: {result.Advantages[i, t]}");
        if (name == "reinforce_plus_plus_baseline")
        {
            // After whitening the equal group sits at one common value (the centred zero, shifted by the batch mean).
            Assert.Equal(result.Advantages[0, 0], result.Advantages[1, 0], 12);
            Assert.Equal(result.Advantages[0, 0], result.Advantages[2, 0], 12);
        }
    }

    [Property(MaxTest = 200)]
    public bool Rloo_advantage_is_the_score_minus_the_mean_of_the_others(int seed)
    {
        var batch = Make(seed, allowSingletons: true);
        var adv = FirstColumn(new RlooAdvantage().Compute(batch.Input()).Advantages);
        var expected = Reference.Rloo(batch.Scores, batch.Labels);
        return Enumerable.Range(0, adv.Length).All(i => Close(adv[i], expected[i], 1e-12));
    }

    [Property(MaxTest = 200)]
    public bool Fast_outcome_path_equals_the_plain_loop_reference(int seed, bool normalize)
    {
        var batch = Make(seed, allowSingletons: true);
        var ids = GroupIndex.FromLabels(batch.Labels);
        var fast = new double[batch.Scores.Length];
        new GrpoAdvantage(new GrpoOptions { NormalizeByStd = normalize }).ComputeOutcome(batch.Scores, ids.Ids, ids.GroupCount, fast);
        var reference = Reference.Grpo(batch.Scores, batch.Labels, normalize);
        var tokenLevel = FirstColumn(new GrpoAdvantage(new GrpoOptions { NormalizeByStd = normalize }).Compute(batch.Input()).Advantages);
        return Enumerable.Range(0, fast.Length).All(i => Close(fast[i], reference[i], 1e-12) && Close(tokenLevel[i], reference[i], 1e-12));
    }

    [Property(MaxTest = 60)]
    public bool Row_permutation_permutes_the_per_row_results(int seed)
    {
        var batch = Make(seed, allowSingletons: false);
        var rng = new Random(seed ^ 0x5eed);
        int b = batch.Scores.Length;
        var perm = Enumerable.Range(0, b).OrderBy(_ => rng.Next()).ToArray();
        var rewards = new TokenMatrix(b, batch.Rewards.Cols);
        var mask = new TokenMatrix(b, batch.Rewards.Cols);
        for (int k = 0; k < b; k++)
        {
            batch.Rewards.Row(perm[k]).CopyTo(rewards.Row(k));
            batch.Mask.Row(perm[k]).CopyTo(mask.Row(k));
        }
        var permuted = new AdvantageInput(rewards, mask) { Index = GroupIndex.FromLabels(perm.Select(p => batch.Labels[p]).ToArray()) };
        foreach (var name in new[] { "grpo", "grpo_vectorized", "dr_grpo", "rloo", "gpg", "opo", "grpo_passk", "reinforce_plus_plus_baseline", "dcpo" })
        {
            var x = Registry.Create(name).Compute(batch.Input()).Advantages;
            var y = Registry.Create(name).Compute(permuted).Advantages;
            for (int k = 0; k < b; k++)
                for (int t = 0; t < rewards.Cols; t++)
                    if (!Close(y[k, t], x[perm[k], t], 1e-9)) return false;
        }
        return true;
    }

    [Fact]
    public void Grpo_population_std_option()
    {
        var adv = new double[2];
        new GrpoAdvantage(new GrpoOptions { UnbiasedStd = false, Epsilon = 0 }).ComputeOutcome([0, 2], [0, 0], 1, adv);
        Assert.Equal([-1.0, 1.0], adv); // population std of {0, 2} is 1
        new GrpoAdvantage(new GrpoOptions { Epsilon = 0 }).ComputeOutcome([0, 2], [0, 0], 1, adv);
        Assert.Equal(-1 / Math.Sqrt(2), adv[0], 15); // unbiased std is sqrt(2)
        Assert.Throws<ArgumentOutOfRangeException>(() => new GrpoAdvantage(new GrpoOptions { Epsilon = -1 }));
    }

    [Fact]
    public void Gpg_alpha_counts_non_zero_scores_over_the_batch()
    {
        var adv = new double[4];
        new GpgAdvantage(fNorm: 2).ComputeOutcome([1, 0, 0, 0], [0, 0, 1, 1], 2, adv);
        // alpha = 4 / 1; group 0 mean 0.5 -> (1 - 0.5) * 4 / 2 = 1.
        Assert.Equal([1.0, -1.0, 0.0, 0.0], adv);
    }

    [Fact]
    public void Opo_uses_a_length_weighted_baseline()
    {
        var rewards = TokenMatrix.From(new double[,] { { 0, 1, 0 }, { 0, 0, 0 } });
        var mask = TokenMatrix.From(new double[,] { { 1, 1, 0 }, { 1, 1, 1 } });
        var result = new OpoAdvantage().Compute(new AdvantageInput(rewards, mask) { Index = GroupIndex.FromLabels(["q", "q"]) });
        // baseline = (2*1 + 3*0) / 5 = 0.4
        Assert.Equal(0.6, result.Advantages[0, 0], 14);
        Assert.Equal(-0.4, result.Advantages[1, 2], 14);
    }

    [Fact]
    public void Pass_at_k_rewards_only_the_best_response()
    {
        var adv = new double[4];
        new GrpoPassKAdvantage(normalizeByStd: false).ComputeOutcome([0.2, 0.9, 0.5, 0.1], [0, 0, 0, 0], 1, adv);
        Assert.Equal([0.0, 0.9 - 0.5, 0.0, 0.0], adv);
        new GrpoPassKAdvantage(normalizeByStd: false).ComputeOutcome([1, 1, 0, 0], [0, 0, 0, 0], 1, adv);
        Assert.Equal([0.0, 0.0, 0.0, 0.0], adv); // tied top: r_max - r_second = 0 whichever row is "best"
        var ex = Assert.Throws<ArgumentException>(() => new GrpoPassKAdvantage().ComputeOutcome([1, 2, 3], [0, 0, 1], 2, new double[3]));
        Assert.Contains("at least 2 responses", ex.Message);
    }

    [Fact]
    public void Rloo_singleton_rule_is_configurable()
    {
        var adv = new double[3];
        new RlooAdvantage().ComputeOutcome([2, 1, 3], [0, 1, 1], 2, adv);
        Assert.Equal([0.0, -2.0, 2.0], adv);
        new RlooAdvantage(RlooSingleton.RawScore).ComputeOutcome([2, 1, 3], [0, 1, 1], 2, adv);
        Assert.Equal([2.0, -2.0, 2.0], adv);
    }

    [Fact]
    public void Missing_index_and_bad_fast_path_arguments_are_named()
    {
        var m = new TokenMatrix(2, 2);
        var ex = Assert.Throws<ArgumentException>(() => new GrpoAdvantage().Compute(new AdvantageInput(m, m)));
        Assert.Contains("needs AdvantageInput.Index", ex.Message);
        var len = Assert.Throws<ArgumentException>(() => new GrpoAdvantage().ComputeOutcome([1, 2], [0], 1, new double[2]));
        Assert.Contains("one group id per score", len.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new GrpoAdvantage().ComputeOutcome([1, 2], [0, 5], 2, new double[2]));
    }
}
