using Rewire.Core.Rewards;

namespace Rewire.Core.Sampling;

/// <summary>
/// What a sampler learns from one prompt occurrence in a batch: the prompt and the rewards (and, where the task has it,
/// the correctness) of its G rollouts.
/// </summary>
public sealed record GroupOutcome
{
    /// <param name="prompt">The prompt the group answers.</param>
    /// <param name="rewards">One scalar reward per rollout (at least one, all finite).</param>
    /// <param name="correct">One correctness flag per rollout, or null when the task has none (then reward &gt; 0 counts as correct).</param>
    public GroupOutcome(Prompt prompt, IReadOnlyList<double> rewards, IReadOnlyList<bool>? correct = null)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(rewards);
        if (rewards.Count == 0)
            throw new ArgumentException($"group of prompt {prompt.Id} has no rollouts; a group needs at least one reward.", nameof(rewards));
        for (var i = 0; i < rewards.Count; i++)
        {
            if (!double.IsFinite(rewards[i]))
                throw new ArgumentException($"group of prompt {prompt.Id} has a non-finite reward {rewards[i]} at rollout {i}; replace failed rewards with a finite failure value first.", nameof(rewards));
        }
        if (correct is not null && correct.Count != rewards.Count)
            throw new ArgumentException($"group of prompt {prompt.Id} has {rewards.Count} rewards but {correct.Count} correctness flags; give one flag per rollout or none.", nameof(correct));
        Prompt = prompt;
        Rewards = rewards;
        Correct = correct;
    }

    /// <summary>The prompt the group answers.</summary>
    public Prompt Prompt { get; }
    /// <summary>One scalar reward per rollout, in rollout order.</summary>
    public IReadOnlyList<double> Rewards { get; }
    /// <summary>One correctness flag per rollout, or null when the task has none.</summary>
    public IReadOnlyList<bool>? Correct { get; }

    /// <summary>Number of rollouts G.</summary>
    public int Size => Rewards.Count;

    /// <summary>Rollouts counted as correct (the flags when given, otherwise reward &gt; 0).</summary>
    public int CorrectCount
    {
        get
        {
            var n = 0;
            for (var i = 0; i < Rewards.Count; i++)
                if (Correct is not null ? Correct[i] : Rewards[i] > 0) n++;
            return n;
        }
    }

    /// <summary>Fraction of correct rollouts.</summary>
    public double PassRate => (double)CorrectCount / Size;

    /// <summary>Mean reward of the group.</summary>
    public double MeanReward
    {
        get
        {
            var s = 0.0;
            for (var i = 0; i < Rewards.Count; i++) s += Rewards[i];
            return s / Rewards.Count;
        }
    }

    /// <summary>True when the chosen metric is not the same for every rollout (the group gives a GRPO-style gradient).</summary>
    public bool HasVariance(FilterMetric metric = FilterMetric.Accuracy)
    {
        if (metric == FilterMetric.Accuracy)
        {
            var c = CorrectCount;
            return c > 0 && c < Size;
        }
        var first = Rewards[0];
        for (var i = 1; i < Rewards.Count; i++)
            if (Rewards[i] != first) return true;
        return false;
    }

    /// <summary>A group from correctness alone (reward 1 for correct, 0 otherwise).</summary>
    public static GroupOutcome FromCorrectness(Prompt prompt, IReadOnlyList<bool> correct)
    {
        ArgumentNullException.ThrowIfNull(correct);
        var rewards = new double[correct.Count];
        for (var i = 0; i < rewards.Length; i++) rewards[i] = correct[i] ? 1.0 : 0.0;
        return new GroupOutcome(prompt, rewards, correct);
    }
}

/// <summary>Which per-rollout value decides whether a group is informative (DAPO lets you choose; T03).</summary>
public enum FilterMetric
{
    /// <summary>Correctness (the paper's semantics: 0 &lt; #correct &lt; G).</summary>
    Accuracy,
    /// <summary>The final scalar reward (verl's <c>score</c>/<c>seq_final_reward</c>): all rewards equal means no signal.</summary>
    Reward,
}
