using FsCheck;
using FsCheck.Xunit;
using Rewire.Core.Shaping;

namespace Rewire.Core.Tests.Shaping;

public class ThoughtProcessAdvantageTests
{
    // Two episodes of one group, 10 token columns. Row 0 (correct): turns at tokens {0,1} {3,4} {6} {8,9}, observations at
    // 2, 5, 7; step rewards +, −, −, +. Row 1 (incorrect): turns {0,1} {3,4} {6}, observations 2, 5, padding 7..9; + + 0.
    private static TokenAdvantageBatch Batch(double a0 = 0.7, double a1 = -0.7)
    {
        double[] mask0 = [1, 1, 0, 1, 1, 0, 1, 0, 1, 1];
        double[] mask1 = [1, 1, 0, 1, 1, 0, 1, 0, 0, 0];
        var adv = mask0.Select(m => m * a0).Concat(mask1.Select(m => m * a1)).ToArray();
        return new TokenAdvantageBatch(adv, [.. mask0, .. mask1], 2, [0, 0])
        {
            StepRewards = [[0.1, -0.1, -0.1, 0.1], [0.1, 0.1, 0]],
            TurnEnds = [[1, 4, 6, 9], [1, 4, 6]],
            Correct = [true, false],
        };
    }

    [Fact]
    public void A_hand_computed_group()
    {
        var batch = Batch();
        new ThoughtProcessAdvantage(lambda: 0.5).Apply(batch);
        // p = 1/2. Row 0: the incorrect thought (turns 1-2) in a correct response gets ρ = −λ·p = −0.25 on its policy tokens
        // 3, 4, 6; its correct first thought gets nothing (g = 0); the final thought (turn 3) keeps Â = 0.7.
        Assert.Equal([0.7, 0.7, 0, 0.45, 0.45, 0, 0.45, 0, 0.7, 0.7], batch.AdvantageRow(0).ToArray().Select(x => Math.Round(x, 12)));
        // Row 1: the correct thought (turns 0-1) in an incorrect response gets ρ = λ·(1 − p) = +0.25; the final thought
        // (turn 2, unlabelled) keeps Â = −0.7; observations and padding stay 0.
        Assert.Equal([-0.45, -0.45, 0, -0.45, -0.45, 0, -0.7, 0, 0, 0], batch.AdvantageRow(1).ToArray().Select(x => Math.Round(x, 12)));
    }

    [Fact]
    public void Lambda_zero_is_grpo_and_rows_without_turns_are_unchanged()
    {
        var batch = Batch();
        var before = (double[])batch.Advantages.Clone();
        new ThoughtProcessAdvantage(lambda: 0).Apply(batch);
        Assert.Equal(before, batch.Advantages);

        var single = new TokenAdvantageBatch([0.5, 0.5, -0.5, -0.5], [1, 1, 1, 1], 2, [0, 0])
        { StepRewards = [null, null], TurnEnds = [null, null], Correct = [true, false] };
        new ThoughtProcessAdvantage().Apply(single);
        Assert.Equal([0.5, 0.5, -0.5, -0.5], single.Advantages);
    }

    [Fact]
    public void Needs_episode_columns()
    {
        var batch = new TokenAdvantageBatch([0.5], [1], 1, [0]);
        Assert.Throws<InvalidOperationException>(() => new ThoughtProcessAdvantage().Apply(batch));
    }

    [Property(MaxTest = 200)]
    public bool Thoughts_merge_maximal_runs_idempotently(int[] raw)
    {
        var labels = raw.Select(x => Math.Sign(x)).ToArray();
        var thoughts = ThoughtProcessAdvantage.Thoughts(labels);
        // The thoughts cover every step in order, neighbours differ in label, and merging their labels again changes nothing.
        bool cover = thoughts.Count == 0 ? labels.Length == 0 : thoughts[0].First == 0 && thoughts[^1].Last == labels.Length - 1
            && thoughts.Zip(thoughts.Skip(1)).All(p => p.First.Last + 1 == p.Second.First && p.First.Label != p.Second.Label);
        bool uniform = thoughts.All(t => Enumerable.Range(t.First, t.Last - t.First + 1).All(k => labels[k] == t.Label));
        var again = ThoughtProcessAdvantage.Thoughts(thoughts.SelectMany(t => Enumerable.Repeat(t.Label, t.Last - t.First + 1)).ToArray());
        return cover && uniform && again.SequenceEqual(thoughts);
    }

    [Property(MaxTest = 200)]
    public bool The_final_answer_thought_keeps_the_outcome_advantage(bool correct0, bool correct1, NormalFloat a)
    {
        var batch = Batch(a.Get % 10, -(a.Get % 10));
        batch = new TokenAdvantageBatch(batch.Advantages, batch.Mask, 2, [0, 0])
        { StepRewards = batch.StepRewards, TurnEnds = batch.TurnEnds, Correct = [correct0, correct1] };
        var before = (double[])batch.Advantages.Clone();
        new ThoughtProcessAdvantage(lambda: 2).Apply(batch);
        // Row 0's final thought is tokens 8, 9; row 1's is token 6.
        return batch.Advantages[8] == before[8] && batch.Advantages[9] == before[9] && batch.Advantages[10 + 6] == before[10 + 6];
    }
}
