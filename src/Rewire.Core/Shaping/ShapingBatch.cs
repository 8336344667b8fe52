using Rewire.Core.Rewards;
using Rewire.Core.Stats;

namespace Rewire.Core.Shaping;

/// <summary>
/// The sequence-level view of a batch of rollouts that <see cref="IRewardShaper"/>s transform in place: one scalar
/// reward per rollout, an explicit group label per rollout (rollouts of the same prompt occurrence share a label; order
/// never matters), and optional columns that particular shapers need. A shaper that needs a missing column fails with
/// an error naming the column. Arrays are used as given (no copies); shapers write <see cref="Rewards"/>,
/// <see cref="StepRewards"/>, <see cref="LossWeights"/> and <see cref="TruncateTo"/>.
/// </summary>
public sealed class ShapingBatch
{
    private GroupIndex? _index;

    /// <param name="rewards">One reward per rollout; shaped in place.</param>
    /// <param name="groups">Group label per rollout, any non-negative integers.</param>
    /// <exception cref="ArgumentException">Lengths differ, a label is negative, or a reward is not finite.</exception>
    public ShapingBatch(double[] rewards, int[] groups)
    {
        ArgumentNullException.ThrowIfNull(rewards);
        ArgumentNullException.ThrowIfNull(groups);
        if (rewards.Length != groups.Length)
        {
            throw new ArgumentException($"rewards has {rewards.Length} entries but groups has {groups.Length}; give one group label per rollout.");
        }

        for (var i = 0; i < groups.Length; i++)
        {
            if (groups[i] < 0)
            {
                throw new ArgumentException($"group label {groups[i]} at rollout {i} is negative; labels must be non-negative integers.");
            }

            if (!double.IsFinite(rewards[i]))
            {
                throw new ArgumentException($"reward {rewards[i]} at rollout {i} is not finite; isolate reward failures (RewardPipeline) before shaping.");
            }
        }

        Rewards = rewards;
        Groups = groups;
        LossWeights = new double[rewards.Length];
        Array.Fill(LossWeights, 1.0);
    }

    /// <summary>Number of rollouts.</summary>
    public int Count => Rewards.Length;

    /// <summary>Scalar reward per rollout (shaped in place).</summary>
    public double[] Rewards { get; }

    /// <summary>Group label per rollout.</summary>
    public int[] Groups { get; }

    /// <summary>Loss weight per rollout (1 = train on it, 0 = filtered out); starts at 1.</summary>
    public double[] LossWeights { get; }

    /// <summary>Number of valid response tokens per rollout (length shaping, DOT).</summary>
    public int[]? Lengths { get; init; }

    /// <summary>True where generation hit the maximum length (overlong filtering).</summary>
    public bool[]? Truncated { get; init; }

    /// <summary>Correctness per rollout (DOT's all-correct groups).</summary>
    public bool[]? Correct { get; init; }

    /// <summary>Per-step rewards per rollout (gated accumulation, potential-based shaping, ONI).</summary>
    public double[][]? StepRewards { get; init; }

    /// <summary>Per-step named components per rollout, <c>[rollout][step]</c>, aligned with <see cref="StepRewards"/> (ReSeek's judgment and relevance).</summary>
    public IReadOnlyDictionary<string, double>[][]? StepComponents { get; init; }

    /// <summary>Reward-model scores of reference responses to the rollout's prompt (PAR, LSC, centred); rollouts of one prompt may share one array.</summary>
    public double[][]? ReferenceRewards { get; init; }

    /// <summary>Unit-test outcomes per rollout, <c>[rollout][test]</c>, same test count within a group (VeRPO).</summary>
    public bool[][]? TestOutcomes { get; init; }

    /// <summary>Prompt hardness in [0, 1] per rollout (GRPO-S).</summary>
    public double[]? Hardness { get; init; }

    /// <summary>Reward margin δ ≥ 0 per rollout (MM-RLHF dynamic scaling).</summary>
    public double[]? Margins { get; init; }

    /// <summary>Potentials Φ(s_0..s_T) per rollout, one more than its step rewards (potential-based shaping).</summary>
    public double[][]? Potentials { get; init; }

    /// <summary>Whether each rollout's episode ended in a terminal state (Φ(terminal) := 0); default: terminal.</summary>
    public bool[]? Terminal { get; init; }

    /// <summary>Intrinsic reward per step (ONI).</summary>
    public double[][]? IntrinsicRewards { get; init; }

    /// <summary>Message id per step, for ONI's count-based decay.</summary>
    public int[][]? MessageIds { get; init; }

    /// <summary>Written by Dynamic Outlier Truncation: the length to truncate each rollout to, or -1.</summary>
    public int[]? TruncateTo { get; set; }

    /// <summary>The rollouts of each group (computed once, on first use).</summary>
    public GroupIndex Index => _index ??= GroupIndex.Build(Groups);

    /// <summary>Builds a batch from rollouts and their rewards: labels from <see cref="Rollout.Group"/>, lengths, truncation, correctness and step rewards.</summary>
    public static ShapingBatch FromRollouts(IReadOnlyList<Rollout> rollouts, IReadOnlyList<RewardResult> results)
    {
        ArgumentNullException.ThrowIfNull(rollouts);
        ArgumentNullException.ThrowIfNull(results);
        if (rollouts.Count != results.Count)
        {
            throw new ArgumentException($"{rollouts.Count} rollouts but {results.Count} reward results; score every rollout once.");
        }

        var labels = new Dictionary<string, int>(StringComparer.Ordinal);
        var n = rollouts.Count;
        var rewards = new double[n];
        var groups = new int[n];
        var lengths = new int[n];
        var truncated = new bool[n];
        var correct = new bool[n];
        double[][]? steps = null;
        for (var i = 0; i < n; i++)
        {
            var r = rollouts[i];
            if (!labels.TryGetValue(r.Group, out var g))
            {
                g = labels.Count;
                labels[r.Group] = g;
            }

            groups[i] = g;
            rewards[i] = results[i].Total;
            lengths[i] = r.CompletionTokens;
            truncated[i] = r.Truncated;
            correct[i] = results[i].Correct == true;
            if (results[i].StepRewards is { } s)
            {
                steps ??= new double[n][];
                steps[i] = [.. s];
            }
        }

        if (steps is not null)
        {
            for (var i = 0; i < n; i++)
            {
                steps[i] ??= [];
            }
        }

        return new ShapingBatch(rewards, groups) { Lengths = lengths, Truncated = truncated, Correct = correct, StepRewards = steps };
    }

    /// <summary>The column, or an exception naming it and the shaper that needs it.</summary>
    internal T Require<T>(T? column, string columnName, string shaper)
        where T : class
    {
        if (column is null)
        {
            throw new InvalidOperationException($"shaper '{shaper}' needs ShapingBatch.{columnName}; set it when building the batch.");
        }

        if (column is Array array && array.Length != Count)
        {
            throw new ArgumentException($"ShapingBatch.{columnName} has {array.Length} entries for {Count} rollouts (shaper '{shaper}').");
        }

        return column;
    }
}
