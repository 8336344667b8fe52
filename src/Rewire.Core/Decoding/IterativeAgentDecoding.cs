// Iterative Agent Decoding (IAD), from "Review, Refine, Repeat: Understanding Iterative Decoding of AI Agents with Dynamic
// Evaluation and Selection" (v4: "On the Role of Feedback in Test-Time Scaling of Agentic AI Workflows"), Chakraborty et
// al., arXiv 2504.01931. An inference-time strategy over a black-box policy π0 and a verifier R:
//   round t = 0:          y_{0,1..N} ~ π0(·|x)
//   round t = 1..T−1:     f_t = feedback(scored candidates of round t−1),  y_{t,1..N} ~ π0(·|x, f_t)
//   answer:               argmax over all T·N candidates of R(x, y_{t,i}) (ties → the first generated)
// With T = 1 it is best-of-N (BoN), the paper's baseline. The paper's compute-matched comparison is BoN with T·N samples
// (FeedbackMode.None here: every round samples from π0(·|x)); its ablation is random feedback (FeedbackMode.Random: two
// candidates of the previous round drawn at random, no scores: the prompt changes, the verifier's signal does not reach
// it), against verifier-guided feedback (FeedbackMode.Verifier).
// RECONSTRUCTED (the paper's prompts were not retrievable): the verifier-guided feedback shows the previous round's
// best-scoring candidate with its score and its worst-scoring candidate with its score ("keep what the best did, avoid
// what the worst did"); the wording is FeedbackText's. Ties: the best is the first of the highest score, the worst the
// last of the lowest, so the two differ whenever N ≥ 2. A score that failed or is not finite ranks below every number.
using System.Globalization;

namespace Rewire.Core.Decoding;

/// <summary>What the rounds after the first are shown.</summary>
public enum IadFeedbackMode
{
    /// <summary>IAD: the previous round's best and worst candidates with their verifier scores.</summary>
    Verifier,

    /// <summary>The paper's ablation: two candidates of the previous round drawn at random, without scores (diversity only).</summary>
    Random,

    /// <summary>No feedback: every round samples from π0(·|x), so T rounds of N are best-of-(T·N), the compute-matched baseline.</summary>
    None,
}

/// <summary>The feedback one round is conditioned on.</summary>
/// <param name="Round">The round that reads it (1..T−1).</param>
/// <param name="Mode">How it was built.</param>
/// <param name="Shown">The candidates of the previous round it shows: best then worst (verifier), or the two drawn (random); one when N = 1.</param>
/// <param name="Text">The feedback as the policy reads it (<see cref="IterativeAgentDecoding.FeedbackText"/>).</param>
public sealed record IadFeedback(int Round, IadFeedbackMode Mode, IReadOnlyList<IadShown> Shown, string Text);

/// <summary>A candidate as feedback shows it.</summary>
/// <param name="Index">Its index within its round.</param>
/// <param name="Text">Its text.</param>
/// <param name="Score">Its verifier score (negative infinity when scoring failed).</param>
public sealed record IadShown(int Index, string Text, double Score);

/// <summary>One generated candidate with its score.</summary>
/// <typeparam name="T">What the sampler returns (text, or text with tokens and finish reason).</typeparam>
/// <param name="Round">The round that generated it (0..T−1).</param>
/// <param name="Index">Its index within the round (0..N−1).</param>
/// <param name="Value">The sampler's candidate.</param>
/// <param name="Score">The verifier's score; negative infinity when scoring failed or was not finite.</param>
public sealed record IadCandidate<T>(int Round, int Index, T Value, double Score);

/// <summary>The outcome of a run of IAD.</summary>
/// <typeparam name="T">The sampler's candidate type.</typeparam>
/// <param name="Candidates">All T·N candidates, round by round, in generation order.</param>
/// <param name="Chosen">The index into <paramref name="Candidates"/> of the answer: the highest score, the first on ties.</param>
/// <param name="Feedback">The feedback of rounds 1..T−1 in order (empty with <see cref="IadFeedbackMode.None"/> or T = 1).</param>
public sealed record IadResult<T>(IReadOnlyList<IadCandidate<T>> Candidates, int Chosen, IReadOnlyList<IadFeedback> Feedback)
{
    /// <summary>The chosen candidate.</summary>
    public IadCandidate<T> Answer => Candidates[Chosen];
}

/// <summary>Iterative Agent Decoding and best-of-N over any sampler and scorer (plain C#: the sampler is the policy).</summary>
public static class IterativeAgentDecoding
{
    /// <summary>
    /// Runs <paramref name="rounds"/> rounds of <paramref name="perRound"/> candidates and returns every candidate, the chosen
    /// one and the feedback of each round.
    /// </summary>
    /// <typeparam name="T">The sampler's candidate type.</typeparam>
    /// <param name="rounds">T, at least 1; T = 1 is best-of-N.</param>
    /// <param name="perRound">N, at least 1.</param>
    /// <param name="mode">What rounds 1..T−1 are shown.</param>
    /// <param name="seed">Seed of the random draw of <see cref="IadFeedbackMode.Random"/>.</param>
    /// <param name="sample">Writes <c>count</c> candidates for round <c>round</c>, conditioned on the feedback (null in round 0 and with <see cref="IadFeedbackMode.None"/>).</param>
    /// <param name="score">The verifier R(x, y); a thrown exception propagates, a non-finite score ranks last.</param>
    /// <param name="text">The text of a candidate, as feedback quotes it.</param>
    /// <param name="cancellationToken">Checked before each round.</param>
    public static IadResult<T> Run<T>(int rounds, int perRound, IadFeedbackMode mode, int seed,
        Func<int, IadFeedback?, int, IReadOnlyList<T>> sample, Func<T, double> score, Func<T, string> text,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(score);
        ArgumentNullException.ThrowIfNull(text);
        if (rounds < 1) throw new ArgumentOutOfRangeException(nameof(rounds), rounds, "IAD needs at least one round");
        if (perRound < 1) throw new ArgumentOutOfRangeException(nameof(perRound), perRound, "IAD needs at least one candidate per round");
        var random = new Random(seed);
        var all = new List<IadCandidate<T>>(rounds * perRound);
        var feedback = new List<IadFeedback>();
        IadFeedback? current = null;
        for (int t = 0; t < rounds; t++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var values = sample(t, current, perRound);
            if (values.Count != perRound)
                throw new InvalidOperationException($"the sampler returned {values.Count} candidates for round {t}; {perRound} were asked for");
            var round = values.Select((v, i) => new IadCandidate<T>(t, i, v, Rank(score(v)))).ToArray();
            all.AddRange(round);
            if (t + 1 < rounds && mode != IadFeedbackMode.None)
            {
                current = Feedback(t + 1, mode, round.Select(c => new IadShown(c.Index, text(c.Value), c.Score)).ToArray(), random);
                feedback.Add(current);
            }
        }
        return new IadResult<T>(all, Select(all.Select(c => c.Score).ToArray()), feedback);
    }

    /// <summary>The index of the highest score, the first on ties (a score that is not finite counts as negative infinity).</summary>
    public static int Select(IReadOnlyList<double> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.Count == 0) throw new ArgumentException("there is nothing to select from", nameof(scores));
        int best = 0;
        for (int i = 1; i < scores.Count; i++)
            if (Rank(scores[i]) > Rank(scores[best])) best = i;
        return best;
    }

    /// <summary>
    /// The feedback round <paramref name="round"/> reads, built from the previous round's scored candidates: with
    /// <see cref="IadFeedbackMode.Verifier"/> its best (the first of the highest score) and worst (the last of the lowest);
    /// with <see cref="IadFeedbackMode.Random"/> two candidates drawn uniformly without replacement by <paramref name="random"/>.
    /// One candidate is shown when the round had one.
    /// </summary>
    /// <param name="round">The round that reads the feedback (1 or more).</param>
    /// <param name="mode">Verifier or Random.</param>
    /// <param name="previous">The previous round's candidates with their scores, in generation order.</param>
    /// <param name="random">The draw of <see cref="IadFeedbackMode.Random"/>.</param>
    public static IadFeedback Feedback(int round, IadFeedbackMode mode, IReadOnlyList<IadShown> previous, Random random)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(random);
        if (previous.Count == 0) throw new ArgumentException("feedback needs the previous round's candidates", nameof(previous));
        IadShown[] shown;
        switch (mode)
        {
            case IadFeedbackMode.Verifier:
                int best = 0, worst = 0;
                for (int i = 1; i < previous.Count; i++)
                {
                    if (Rank(previous[i].Score) > Rank(previous[best].Score)) best = i;
                    if (Rank(previous[i].Score) <= Rank(previous[worst].Score)) worst = i;
                }
                shown = best == worst ? [previous[best]] : [previous[best], previous[worst]];
                break;
            case IadFeedbackMode.Random:
                int a = random.Next(previous.Count);
                if (previous.Count == 1) { shown = [previous[a]]; break; }
                int b = random.Next(previous.Count - 1);
                if (b >= a) b++;
                shown = [previous[a], previous[b]];
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "only verifier and random feedback show candidates");
        }
        return new IadFeedback(round, mode, shown, FeedbackText(mode, shown));
    }

    /// <summary>
    /// The feedback's wording (RECONSTRUCTED). Verifier, two candidates:
    /// <code>
    /// A verifier scored your previous answers (higher is better).
    /// Best answer (score S1):
    /// BEST
    /// Worst answer (score S2):
    /// WORST
    /// Write a new answer: keep what the best answer does well and avoid the mistakes of the worst one.
    /// </code>
    /// one candidate: <c>Your previous answer (score S):</c> then <c>Write a new, better answer.</c>; random: the same frame
    /// with <c>Two of your previous answers, in random order (not scored):</c>, <c>Answer:</c> before each, and <c>Write
    /// a new answer.</c>. A failed score is written <c>failed</c>; scores print with up to 4 decimals.
    /// </summary>
    /// <param name="mode">Verifier or Random.</param>
    /// <param name="shown">The candidates shown, as <see cref="Feedback"/> picks them.</param>
    public static string FeedbackText(IadFeedbackMode mode, IReadOnlyList<IadShown> shown)
    {
        ArgumentNullException.ThrowIfNull(shown);
        if (shown.Count is < 1 or > 2) throw new ArgumentException("feedback shows one or two candidates", nameof(shown));
        var lines = new List<string>();
        if (mode == IadFeedbackMode.Verifier)
        {
            if (shown.Count == 1)
            {
                lines.Add($"A verifier scored your previous answer (higher is better).\nYour previous answer (score {Format(shown[0].Score)}):\n{shown[0].Text}");
                lines.Add("Write a new, better answer.");
            }
            else
            {
                lines.Add("A verifier scored your previous answers (higher is better).");
                lines.Add($"Best answer (score {Format(shown[0].Score)}):\n{shown[0].Text}");
                lines.Add($"Worst answer (score {Format(shown[1].Score)}):\n{shown[1].Text}");
                lines.Add("Write a new answer: keep what the best answer does well and avoid the mistakes of the worst one.");
            }
        }
        else if (mode == IadFeedbackMode.Random)
        {
            lines.Add(shown.Count == 1 ? "Your previous answer (not scored):" : "Two of your previous answers, in random order (not scored):");
            lines.AddRange(shown.Select(s => $"Answer:\n{s.Text}"));
            lines.Add("Write a new answer.");
        }
        else throw new ArgumentOutOfRangeException(nameof(mode), mode, "only verifier and random feedback have a text");
        return string.Join('\n', lines);
    }

    /// <summary>The user message of a round: the prompt, then (after a blank line) the feedback when there is one.</summary>
    /// <param name="prompt">The user's request x.</param>
    /// <param name="feedback">The round's feedback; null in round 0 and without feedback.</param>
    public static string UserMessage(string prompt, IadFeedback? feedback) =>
        feedback is null ? prompt : $"{prompt}\n\n{feedback.Text}";

    private static double Rank(double score) => double.IsFinite(score) ? score : double.NegativeInfinity;

    private static string Format(double score) =>
        double.IsFinite(score) ? score.ToString("0.####", CultureInfo.InvariantCulture) : "failed";
}
