namespace Rewire.Core.Shaping;

/// <summary>
/// TP-GRPO's thought-level process rewards ("Good Learners Think Their Thinking: Generative PRM Makes Large Reasoning
/// Model More Efficient Math Learner", arXiv 2507.23317), on episodes: each turn is a step with a correctness label
/// <c>c_k ∈ {+1, −1}</c> (0: unlabelled), maximal runs of equal labels are merged into <b>thoughts</b>, and each token of
/// thought <c>u</c> of response <c>i</c> gets
/// <code>
///   Â_{i,t} = Â_i^GRPO + ρ_{i,u},   ρ_{i,u} = λ · c_u · g(p, R_i)
///   g = 1 − p  for a correct thought (c_u = +1) in an incorrect response   (reward partial progress on hard tasks)
///   g = p      for an incorrect thought (c_u = −1) in a correct response   (penalise flaws on easy tasks)
///   g = 0      otherwise
/// </code>
/// with <c>p</c> the group's accuracy (the ability signal). The final-answer thought (the one holding the last turn)
/// keeps the outcome advantage <c>Â_i</c> unchanged, so the process term never changes the optimisation target of the
/// answer's tokens. RECONSTRUCTED: the paper's generative PRM judges steps from intrinsic signals of the solution; here
/// the step label is the sign of the environment's step reward for that turn (the verified correctness of the step),
/// and λ = 0.5. A row without turns (a single-turn completion, a failed episode) gets no process reward: its advantages
/// stay GRPO's.
/// </summary>
public sealed class ThoughtProcessAdvantage : ITokenAdvantageShaper
{
    /// <param name="lambda">λ, the weight of the thought reward. <value>The default value is 0.5.</value></param>
    public ThoughtProcessAdvantage(double lambda = 0.5)
    {
        if (!(lambda >= 0 && double.IsFinite(lambda))) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "λ must be finite and 0 or more.");
        Lambda = lambda;
    }

    /// <inheritdoc />
    public string Name => "tp_grpo";

    /// <summary>λ, the weight of the thought reward.</summary>
    public double Lambda { get; }

    /// <summary>One thought: the turns <c>[First, Last]</c> and their common label.</summary>
    /// <param name="First">Index of its first turn.</param>
    /// <param name="Last">Index of its last turn.</param>
    /// <param name="Label">+1 correct, −1 incorrect, 0 unlabelled.</param>
    public readonly record struct Thought(int First, int Last, int Label);

    /// <summary>The label of a step from its reward: +1 above 0, −1 below, 0 at 0.</summary>
    public static int Label(double stepReward) => stepReward > 0 ? 1 : stepReward < 0 ? -1 : 0;

    /// <summary>Merges consecutive steps with equal labels into thoughts (merging the thoughts' labels again gives the same thoughts).</summary>
    public static IReadOnlyList<Thought> Thoughts(ReadOnlySpan<int> labels)
    {
        var thoughts = new List<Thought>();
        int start = 0;
        for (int k = 1; k <= labels.Length; k++)
        {
            if (k < labels.Length && labels[k] == labels[start]) continue;
            thoughts.Add(new Thought(start, k - 1, labels[start]));
            start = k;
        }
        return thoughts;
    }

    /// <summary>ρ of a thought with label <paramref name="label"/> in a response that is <paramref name="correct"/>, group accuracy <paramref name="p"/>.</summary>
    public double Reward(int label, bool correct, double p) => label switch
    {
        > 0 when !correct => Lambda * (1 - p),
        < 0 when correct => -Lambda * p,
        _ => 0,
    };

    /// <inheritdoc />
    public void Apply(TokenAdvantageBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.StepRewards is not { } steps || batch.TurnEnds is not { } ends || batch.Correct is not { } correct)
            throw new InvalidOperationException("tp_grpo needs the step rewards, turn boundaries and correctness of episodes (TokenAdvantageBatch.StepRewards, TurnEnds, Correct): train on rl.environment=NAME.");
        var accuracy = new Dictionary<int, (int Correct, int Count)>();
        for (int i = 0; i < batch.Rows; i++)
        {
            var (c, n) = accuracy.GetValueOrDefault(batch.Groups[i]);
            accuracy[batch.Groups[i]] = (c + (correct[i] ? 1 : 0), n + 1);
        }
        for (int i = 0; i < batch.Rows; i++)
        {
            if (steps[i] is not { Length: > 0 } s || ends[i] is not { } e || e.Length != s.Length) continue;
            var (good, count) = accuracy[batch.Groups[i]];
            double p = good / (double)count;
            var labels = s.Select(Label).ToArray();
            var thoughts = Thoughts(labels);
            var row = batch.AdvantageRow(i);
            var mask = batch.MaskRow(i);
            // The final-answer thought (the last one) keeps the outcome advantage.
            for (int u = 0; u < thoughts.Count - 1; u++)
            {
                double rho = Reward(thoughts[u].Label, correct[i], p);
                if (rho == 0) continue;
                int from = thoughts[u].First == 0 ? 0 : Math.Min(e[thoughts[u].First - 1] + 1, row.Length);
                int to = Math.Min(e[thoughts[u].Last], row.Length - 1);
                for (int t = from; t <= to; t++)
                    if (mask[t] > 0) row[t] += rho;
            }
        }
    }
}
