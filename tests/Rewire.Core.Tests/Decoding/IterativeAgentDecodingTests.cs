using Rewire.Core.Decoding;

namespace Rewire.Core.Tests.Decoding;

/// <summary>IAD's rounds, feedback and selection on scripted samplers (the tests of spec R16 and the feedback prompt).</summary>
public class IterativeAgentDecodingTests
{
    /// <summary>A deterministic π0 that ignores feedback: candidate k of the stream is its k-th value, whatever the round.</summary>
    private sealed class Stream(IReadOnlyList<string> values)
    {
        private int _next;
        public List<IadFeedback?> Seen { get; } = [];

        public IReadOnlyList<string> Sample(int round, IadFeedback? feedback, int count)
        {
            Seen.Add(feedback);
            var taken = Enumerable.Range(0, count).Select(i => values[(_next + i) % values.Count]).ToArray();
            _next += count;
            return taken;
        }
    }

    private static string[] RandomStream(int seed, int length)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => r.Next(100).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }

    private static double Value(string s) => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(IadFeedbackMode.Verifier)]
    [InlineData(IadFeedbackMode.Random)]
    [InlineData(IadFeedbackMode.None)]
    public void OneRoundIsBestOfN(IadFeedbackMode mode)
    {
        for (int seed = 0; seed < 20; seed++)
        {
            var values = RandomStream(seed, 7);
            var stream = new Stream(values);
            var result = IterativeAgentDecoding.Run(1, 7, mode, seed, stream.Sample, Value, s => s);
            // Best-of-N by hand: the first index of the largest value.
            double max = values.Max(Value);
            int expected = Array.FindIndex(values, v => Value(v) == max);
            Assert.Equal(expected, result.Chosen);
            Assert.Equal(values, result.Candidates.Select(c => c.Value));
            Assert.Empty(result.Feedback);
            Assert.Null(Assert.Single(stream.Seen));
        }
    }

    [Theory]
    [InlineData(IadFeedbackMode.Verifier)]
    [InlineData(IadFeedbackMode.Random)]
    [InlineData(IadFeedbackMode.None)]
    public void TheAnswerHasTheHighestScoreOfAllCandidatesAndIsTheFirstOfThem(IadFeedbackMode mode)
    {
        for (int seed = 0; seed < 30; seed++)
        {
            int rounds = 1 + seed % 4, n = 1 + seed % 5;
            var result = IterativeAgentDecoding.Run(rounds, n, mode, seed, new Stream(RandomStream(seed, 50)).Sample, Value, s => s);
            Assert.Equal(rounds * n, result.Candidates.Count);
            double max = result.Candidates.Max(c => c.Score);
            Assert.Equal(max, result.Answer.Score);
            Assert.Equal(result.Candidates.ToList().FindIndex(c => c.Score == max), result.Chosen);
            // Rounds and indices label every candidate in generation order.
            Assert.Equal(Enumerable.Range(0, rounds * n).Select(k => (k / n, k % n)), result.Candidates.Select(c => (c.Round, c.Index)));
            Assert.Equal(mode == IadFeedbackMode.None ? 0 : rounds - 1, result.Feedback.Count);
        }
    }

    [Theory]
    [InlineData(IadFeedbackMode.Verifier)]
    [InlineData(IadFeedbackMode.Random)]
    public void WithAPerfectVerifierAndAPolicyIgnoringFeedbackIadEqualsBestOfTN(IadFeedbackMode mode)
    {
        for (int seed = 0; seed < 30; seed++)
        {
            // π0 answers 0..4 (the right answer is 3); the perfect verifier scores exactly right/wrong.
            var values = new Random(seed).GetItems(new[] { "0", "1", "2", "3", "4" }, 24);
            double Perfect(string s) => s == "3" ? 1 : 0;
            int rounds = 2 + seed % 3, n = 2 + seed % 4;
            var iad = IterativeAgentDecoding.Run(rounds, n, mode, seed, new Stream(values).Sample, Perfect, s => s);
            var bon = IterativeAgentDecoding.Run(1, rounds * n, mode, seed, new Stream(values).Sample, Perfect, s => s);
            Assert.Equal(bon.Answer.Score, iad.Answer.Score);
            Assert.Equal(bon.Chosen, iad.Chosen);
        }
    }

    [Fact]
    public void WithoutFeedbackTRoundsOfNAreBestOfTNCandidateForCandidate()
    {
        var values = RandomStream(5, 12);
        var a = new Stream(values);
        var rounds = IterativeAgentDecoding.Run(3, 4, IadFeedbackMode.None, 1, a.Sample, Value, s => s);
        var bon = IterativeAgentDecoding.Run(1, 12, IadFeedbackMode.None, 1, new Stream(values).Sample, Value, s => s);
        Assert.Equal(bon.Candidates.Select(c => (c.Value, c.Score)), rounds.Candidates.Select(c => (c.Value, c.Score)));
        Assert.Equal(bon.Chosen, rounds.Chosen);
        Assert.All(a.Seen, f => Assert.Null(f));
    }

    [Fact]
    public void VerifierFeedbackShowsTheBestAndWorstOfThePreviousRoundWithTheirScores()
    {
        // Hand-written round: scores 0.5, 1, 0, 1, 0 → best is the first 1 (index 1), worst the last 0 (index 4).
        IadShown[] previous = [new(0, "x = 7", 0.5), new(1, "x = 12", 1), new(2, "x = 3", 0), new(3, "x=12", 1), new(4, "no idea", 0)];
        var f = IterativeAgentDecoding.Feedback(1, IadFeedbackMode.Verifier, previous, new Random(0));
        Assert.Equal([1, 4], f.Shown.Select(s => s.Index));
        Assert.Equal(
            "A verifier scored your previous answers (higher is better).\n"
            + "Best answer (score 1):\nx = 12\n"
            + "Worst answer (score 0):\nno idea\n"
            + "Write a new answer: keep what the best answer does well and avoid the mistakes of the worst one.", f.Text);
        Assert.Equal("Solve 3x = 36.\n\n" + f.Text, IterativeAgentDecoding.UserMessage("Solve 3x = 36.", f));
        Assert.Equal("Solve 3x = 36.", IterativeAgentDecoding.UserMessage("Solve 3x = 36.", null));
    }

    [Fact]
    public void FeedbackOnOneCandidateAndOnFailedScores()
    {
        var one = IterativeAgentDecoding.Feedback(2, IadFeedbackMode.Verifier, [new IadShown(0, "42", 0.25)], new Random(0));
        Assert.Equal("A verifier scored your previous answer (higher is better).\nYour previous answer (score 0.25):\n42\nWrite a new, better answer.", one.Text);
        // Equal scores: best is the first, worst the last, so two different candidates are shown.
        var tied = IterativeAgentDecoding.Feedback(1, IadFeedbackMode.Verifier, [new IadShown(0, "a", 0), new IadShown(1, "b", 0), new IadShown(2, "c", 0)], new Random(0));
        Assert.Equal([0, 2], tied.Shown.Select(s => s.Index));
        // A failed score ranks below every number and prints as failed.
        var failed = IterativeAgentDecoding.Feedback(1, IadFeedbackMode.Verifier, [new IadShown(0, "a", double.NegativeInfinity), new IadShown(1, "b", -3)], new Random(0));
        Assert.Equal([1, 0], failed.Shown.Select(s => s.Index));
        Assert.Contains("Worst answer (score failed):\na", failed.Text, StringComparison.Ordinal);
        Assert.Equal(1, IterativeAgentDecoding.Select([double.NaN, 0, double.PositiveInfinity, 0]));
    }

    [Fact]
    public void RandomFeedbackShowsTwoDistinctCandidatesWithoutScoresAndIsSeeded()
    {
        IadShown[] previous = [new(0, "p", 0.9), new(1, "q", 0.1), new(2, "r", 0.5)];
        var seen = new HashSet<(int, int)>();
        for (int seed = 0; seed < 60; seed++)
        {
            var f = IterativeAgentDecoding.Feedback(1, IadFeedbackMode.Random, previous, new Random(seed));
            Assert.Equal(2, f.Shown.Count);
            Assert.NotEqual(f.Shown[0].Index, f.Shown[1].Index);
            Assert.DoesNotContain("(score", f.Text, StringComparison.Ordinal);
            Assert.Equal($"Two of your previous answers, in random order (not scored):\nAnswer:\n{f.Shown[0].Text}\nAnswer:\n{f.Shown[1].Text}\nWrite a new answer.", f.Text);
            Assert.Equal(f.Shown.Select(s => s.Index), IterativeAgentDecoding.Feedback(1, IadFeedbackMode.Random, previous, new Random(seed)).Shown.Select(s => s.Index));
            seen.Add((f.Shown[0].Index, f.Shown[1].Index));
        }
        Assert.Equal(6, seen.Count); // every ordered pair of distinct candidates occurs
    }

    [Fact]
    public void EachRoundReadsTheFeedbackOfThePreviousRound()
    {
        // A policy that reads feedback: it improves on the best answer it is shown by one.
        var seen = new List<IadFeedback?>();
        IReadOnlyList<int> Sample(int round, IadFeedback? feedback, int count)
        {
            seen.Add(feedback);
            int start = feedback is null ? 0 : int.Parse(feedback.Shown[0].Text, System.Globalization.CultureInfo.InvariantCulture) + 1;
            return Enumerable.Range(0, count).Select(i => start - i).ToArray();
        }
        var result = IterativeAgentDecoding.Run<int>(4, 3, IadFeedbackMode.Verifier, 0, Sample, v => v, v => v.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // Round 0: 0, −1, −2; round t: t, t−1, t−2. Verifier feedback climbs one per round; the answer is 3 of round 3.
        Assert.Equal([0, -1, -2, 1, 0, -1, 2, 1, 0, 3, 2, 1], result.Candidates.Select(c => c.Value));
        Assert.Equal(9, result.Chosen);
        Assert.Null(seen[0]);
        Assert.Equal([1, 2, 3], result.Feedback.Select(f => f.Round));
        Assert.Equal(result.Feedback, seen.Skip(1));
        Assert.Equal(["0", "1", "2"], result.Feedback.Select(f => f.Shown[0].Text));
        Assert.Equal(["-2", "-1", "0"], result.Feedback.Select(f => f.Shown[1].Text));
    }

    [Fact]
    public void BadArgumentsAreRefused()
    {
        IReadOnlyList<string> Two(int round, IadFeedback? f, int count) => ["a", "b"];
        Assert.Throws<ArgumentOutOfRangeException>(() => IterativeAgentDecoding.Run<string>(0, 2, IadFeedbackMode.Verifier, 0, Two, _ => 0, s => s));
        Assert.Throws<ArgumentOutOfRangeException>(() => IterativeAgentDecoding.Run<string>(1, 0, IadFeedbackMode.Verifier, 0, Two, _ => 0, s => s));
        Assert.Throws<InvalidOperationException>(() => IterativeAgentDecoding.Run<string>(1, 3, IadFeedbackMode.Verifier, 0, Two, _ => 0, s => s));
        Assert.Throws<ArgumentException>(() => IterativeAgentDecoding.Select([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => IterativeAgentDecoding.Feedback(1, IadFeedbackMode.None, [new IadShown(0, "a", 0)], new Random(0)));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => IterativeAgentDecoding.Run<string>(1, 2, IadFeedbackMode.Verifier, 0, Two, _ => 0, s => s, cts.Token));
    }
}
