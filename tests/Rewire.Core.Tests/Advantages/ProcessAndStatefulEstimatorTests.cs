using FsCheck.Xunit;
using Rewire.Core.Advantages;
using Rewire.Core.Stats;
using Rewire.Core.Tests.Stats;
using static Rewire.Core.Tests.Advantages.AdvantageTestData;

namespace Rewire.Core.Tests.Advantages;

public sealed class ProcessAndStatefulEstimatorTests
{
    private static AdvantageInput Outcome(double[] scores, string[] labels)
    {
        var rewards = new TokenMatrix(scores.Length, 1, (double[])scores.Clone());
        var mask = new TokenMatrix(scores.Length, 1, Enumerable.Repeat(1.0, scores.Length).ToArray());
        return new AdvantageInput(rewards, mask) { Index = GroupIndex.FromLabels(labels) };
    }

    [Property(MaxTest = 100)]
    public bool Dcpo_first_visit_equals_grpo(int seed)
    {
        var batch = Make(seed);
        var dcpo = FirstColumn(new DcpoSmoothAdvantage().Compute(batch.Input()).Advantages);
        var grpo = Reference.Grpo(batch.Scores, batch.Labels, normalize: true);
        return Enumerable.Range(0, dcpo.Length).All(i => Close(dcpo[i], grpo[i], 1e-12));
    }

    [Fact]
    public void Dcpo_second_visit_hand_computed()
    {
        var dcpo = new DcpoSmoothAdvantage(epsilon: 0);
        dcpo.Compute(Outcome([0, 1], ["p", "p"]));          // visit 1: mu 0.5, sd sqrt(0.5)
        var adv = dcpo.Compute(Outcome([1, 1], ["p", "p"])).Advantages; // visit 2: all equal, sd_new 0
        // mu_total = (0.5 + 1)/2 = 0.75; var_total = (0.5 + 0 + 0.5 * 0.25) / 2 = 0.3125.
        double aTotal = (1 - 0.75) / Math.Sqrt(0.3125);
        // A_new = 0 -> SA_new = aTotal/2, SA_total = aTotal/2: the "no response waste" case is non-zero.
        Assert.Equal(aTotal / 2, adv[0, 0], 12);
        var state = dcpo.ExportState()["p"];
        Assert.Equal(2, state.Visits);
        Assert.Equal(0.75, state.Mean, 14);
        Assert.Equal(Math.Sqrt(0.3125), state.Std, 14);
    }

    [Property(MaxTest = 60)]
    public bool Dcpo_state_round_trips_and_sas_is_bounded(int seed)
    {
        var rng = new Random(seed);
        var a = new DcpoSmoothAdvantage();
        var labels = new[] { "x", "x", "x", "y", "y" };
        for (int step = 0; step < 3; step++)
            a.Compute(Outcome(labels.Select(_ => (double)rng.Next(3)).ToArray(), labels));
        var b = new DcpoSmoothAdvantage();
        b.ImportState(a.ExportState());
        var next = labels.Select(_ => (double)rng.Next(3)).ToArray();
        var grpoNew = Reference.Grpo(next, labels, normalize: true);
        var ra = FirstColumn(a.Compute(Outcome(next, labels)).Advantages);
        var rb = FirstColumn(b.Compute(Outcome(next, labels)).Advantages);
        // The imported state reproduces the exporter's next step exactly, and SAS (a convex mix of A_new and A_total)
        // never exceeds max(|A_new|, |A_total|); A_new is the current group's GRPO advantage, A_total uses the merged state.
        bool roundTrip = ra.Zip(rb).All(p => p.First == p.Second);
        var state = a.ExportState();
        bool bounded = ra.Select((v, i) =>
        {
            var s = state[labels[i]];
            double aTotal = s.Std == 0 ? 0 : Math.Abs((next[i] - s.Mean) / (s.Std + 1e-6));
            return Math.Abs(v) <= Math.Max(Math.Abs(grpoNew[i]), aTotal) + 1e-9;
        }).All(x => x);
        return roundTrip && bounded;
    }

    [Fact]
    public void Dcpo_refuses_invalid_imported_state()
    {
        var ex = Assert.Throws<ArgumentException>(() => new DcpoSmoothAdvantage().ImportState(new Dictionary<string, DcpoPromptState> { ["p"] = new(1, 0, -1) }));
        Assert.Contains("'p'", ex.Message);
    }

    [Fact]
    public void Prime_without_process_rewards_is_whitened_rloo_at_the_last_token()
    {
        var rewards = TokenMatrix.From(new double[,] { { 0, 1, 0 }, { 0, 0, 0 }, { 0, 0, 1 }, { 0, 0, 0 } });
        var mask = TokenMatrix.From(new double[,] { { 1, 1, 0 }, { 1, 1, 1 }, { 1, 1, 1 }, { 1, 0, 0 } });
        var labels = new[] { "a", "a", "b", "b" };
        var input = new AdvantageInput(rewards, mask) { Index = GroupIndex.FromLabels(labels), ProcessRewards = new TokenMatrix(4, 3) };
        var result = new PrimeAdvantage(new PrimeOptions { OutcomeCoef = 1 }).Compute(input);
        // RLOO outcome: a: 1 - 0 = 1, 0 - 1 = -1; b: 1, -1; each sits on the last valid token, returns = reverse cumsum.
        var expectedReturns = new double[,] { { 1, 1, 0 }, { -1, -1, -1 }, { 1, 1, 1 }, { -1, 0, 0 } };
        Assert.Equal(expectedReturns, result.Returns.ToArray2D());
        var whitened = Reference.MaskedWhiten(expectedReturns, mask.ToArray2D());
        for (int i = 0; i < 4; i++)
            for (int t = 0; t < 3; t++) Assert.Equal(whitened[i, t] * mask[i, t], result.Advantages[i, t], 12);
    }

    [Fact]
    public void Prime_code_and_exact_forms_agree_when_process_rewards_are_constant_per_row()
    {
        var rewards = new TokenMatrix(3, 2);
        var mask = TokenMatrix.From(new double[,] { { 1, 1 }, { 1, 1 }, { 1, 1 } });
        var process = TokenMatrix.From(new double[,] { { 0.2, 0.2 }, { -0.1, -0.1 }, { 0.4, 0.4 } });
        var input = new AdvantageInput(rewards, mask) { Index = GroupIndex.FromLabels(["q", "q", "q"]), ProcessRewards = process };
        var code = new PrimeAdvantage().Compute(input).Returns;
        var exact = new PrimeAdvantage(new PrimeOptions { LeaveOneOut = PrimeLeaveOneOut.Exact }).Compute(input).Returns;
        for (int k = 0; k < code.Data.Length; k++) Assert.Equal(exact.Data[k], code.Data[k], 12);
        // Row 0 process LOO: 0.2 - (−0.1 + 0.4)/2 = 0.05 per token, times 5, two tokens.
        Assert.Equal(2 * 5 * 0.05, code[0, 0], 12);
        var single = new AdvantageInput(rewards, mask) { Index = GroupIndex.FromLabels(["q", "q", "z"]), ProcessRewards = process };
        Assert.Contains("at least 2 responses", Assert.Throws<ArgumentException>(() => new PrimeAdvantage().Compute(single)).Message);
    }

    [Fact]
    public void Oprl_combines_episode_and_step_advantages()
    {
        // Two trajectories of one prompt; row 0 has steps ending at t=1 (reward 1) and t=3 (reward 0), row 1 one step at t=2 (reward 0.5).
        var outcome = TokenMatrix.From(new double[,] { { 0, 0, 0, 1 }, { 0, 0, 0, 0 } });
        var mask = TokenMatrix.From(new double[,] { { 1, 1, 1, 1 }, { 1, 1, 1, 0 } });
        var steps = TokenMatrix.From(new double[,] { { 0, 1, 0, 0 }, { 0, 0, 0.5, 0 } });
        var ends = TokenMatrix.From(new double[,] { { 0, 1, 0, 1 }, { 0, 0, 1, 0 } });
        var input = new AdvantageInput(outcome, mask) { Index = GroupIndex.FromLabels(["p", "p"]), ProcessRewards = steps, StepEndMask = ends };
        var adv = new OprlAdvantage(alpha: 1, epsilon: 0).Compute(input).Advantages;
        double aE = 0.5 / Math.Sqrt(0.5);         // (1 - 0.5)/sqrt(0.5), unbiased sd of {1, 0}
        double sdS = 0.5;                          // step rewards {1, 0, 0.5}: mean 0.5, unbiased sd 0.5
        Assert.Equal(aE + (1 - 0.5) / sdS, adv[0, 0], 12);
        Assert.Equal(aE + (0 - 0.5) / sdS, adv[0, 3], 12);
        Assert.Equal(-aE + 0, adv[1, 1], 12);
        Assert.Equal(0.0, adv[1, 3]);
        var alphaZero = new OprlAdvantage(alpha: 0).Compute(input).Advantages;
        Assert.Equal(Reference.Grpo([1, 0], ["p", "p"], true)[0], alphaZero[0, 2], 12);
    }

    [Property(MaxTest = 100)]
    public bool Grpo_n_negatives_plus_positives_equal_grpo(int seed)
    {
        var batch = Make(seed, binary: true);
        var grpo = new GrpoAdvantage();
        var full = grpo.Compute(batch.Input()).Advantages;
        var neg = new NegativeOnlyAdvantage(grpo).Compute(batch.Input()).Advantages;
        var pos = new NegativeOnlyAdvantage(grpo, AdvantageSign.Positive).Compute(batch.Input()).Advantages;
        for (int k = 0; k < full.Data.Length; k++)
            if (neg.Data[k] > 0 || pos.Data[k] < 0 || !Close(neg.Data[k] + pos.Data[k], full.Data[k], 1e-15)) return false;
        return true;
    }

    [Fact]
    public void Grpo_n_renormalisation_scales_by_group_size_over_negatives()
    {
        var input = Outcome([1, 1, 1, 0], ["g", "g", "g", "g"]);
        var plain = new NegativeOnlyAdvantage(DrGrpoAdvantage.Create()).Compute(input).Advantages;
        Assert.Equal([0, 0, 0, -0.75], plain.Data);
        var renorm = new NegativeOnlyAdvantage(DrGrpoAdvantage.Create(), renormalizeNegatives: true).Compute(input).Advantages;
        Assert.Equal([0, 0, 0, -3.0], renorm.Data);
        var allPositive = new NegativeOnlyAdvantage(DrGrpoAdvantage.Create()).Compute(Outcome([1, 1], ["g", "g"])).Advantages;
        Assert.All(allPositive.Data, x => Assert.Equal(0.0, x));
    }
}
