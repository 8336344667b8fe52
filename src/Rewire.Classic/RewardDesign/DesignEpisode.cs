namespace Rewire.Classic.RewardDesign;

/// <summary>
/// One environment transition as the reward-design techniques read it: dense state ids (for tabular learners), the
/// environment's reward, the event message (what an annotator reads), the heuristic potential of both states (for
/// potential-based shaping), the latent factors of the transition (LaRe's scripted factor function), the auxiliary
/// shaping terms the environment offers (BARFI weighs them) and the named observation fields designer-written reward
/// code may read. <see cref="Terminal"/> marks a transition into a terminal state (Φ(terminal) = 0).
/// </summary>
public sealed record DesignStep(
    int State,
    int Action,
    int NextState,
    double Reward,
    string Message,
    double Potential,
    double NextPotential,
    double[] Factors,
    double[] Auxiliary,
    IReadOnlyDictionary<string, double> Observation,
    bool Terminal);

/// <summary>
/// A finished episode: its steps, whether it ended in a terminal state (else truncated by the time limit), and the
/// per-step rewards the learner trains on (<see cref="TrainRewards"/>, the environment's rewards until a reward design
/// relabels them).
/// </summary>
public sealed class DesignEpisode
{
    /// <summary>
    /// Wraps the steps of a finished episode; the training rewards start as the environment's rewards.
    /// </summary>
    /// <param name="steps">The steps in order.</param>
    /// <param name="terminated">True when the episode ended in a terminal state, false when the time limit truncated
    /// it.</param>
    public DesignEpisode(IReadOnlyList<DesignStep> steps, bool terminated)
    {
        ArgumentNullException.ThrowIfNull(steps);
        Steps = steps;
        Terminated = terminated;
        TrainRewards = steps.Select(s => s.Reward).ToArray();
    }

    /// <summary>The steps in order.</summary>
    public IReadOnlyList<DesignStep> Steps { get; }

    /// <summary>True when the episode ended in a terminal state; false when it was truncated.</summary>
    public bool Terminated { get; }

    /// <summary>Number of steps.</summary>
    public int Length => Steps.Count;

    /// <summary>Undiscounted environment return (the designer's true objective).</summary>
    public double Return => Steps.Sum(s => s.Reward);

    /// <summary>The rewards the learner trains on; reward designs overwrite them.</summary>
    public double[] TrainRewards { get; }
}

/// <summary>
/// A reward design on <see cref="DesignStep"/>s. It is causal: the training reward of a step depends on the episode so
/// far (<see cref="Reward"/> gets the steps up to and including the current one), so the same design serves a learner
/// that needs each reward at once (the control learners, through <see cref="DesignRewardTransform"/>) and one that
/// learns from finished episodes (<see cref="DesignBatch.Relabel"/>). It learns from finished episodes in
/// <see cref="EndEpisode"/> (LaRe's decoder, ONI's annotation queue). <see cref="Prepare"/> sees a batch before it is
/// relabelled, so a design that runs external code (Auto MC-Reward's sandbox) pays one call per batch, never per step.
/// One instance may serve several environments at once, so per-episode state lives in the episode, not the design.
/// </summary>
public interface IEpisodeRewardDesign
{
    /// <summary>Registry name of the design (e.g. <c>pbrs</c>, <c>oni</c>).</summary>
    string Name { get; }

    /// <summary>The training reward of the last step of <paramref name="episodeSoFar"/>.</summary>
    double Reward(IReadOnlyList<DesignStep> episodeSoFar);

    /// <summary>Sees a batch of finished episodes before they are relabelled (default: nothing).</summary>
    void Prepare(IReadOnlyList<DesignEpisode> batch) { }

    /// <summary>Learns from a finished episode after the learner has used it (default: nothing).</summary>
    void EndEpisode(DesignEpisode episode) { }

    /// <summary>What the design did so far, under names <c>reward_design/NAME/...</c>.</summary>
    IReadOnlyDictionary<string, double> Metrics { get; }
}

/// <summary>Applies a design to batches of finished episodes.</summary>
public static class DesignBatch
{
    /// <summary>Overwrites <see cref="DesignEpisode.TrainRewards"/> of every episode with the design's rewards.</summary>
    public static void Relabel(IEpisodeRewardDesign design, IReadOnlyList<DesignEpisode> batch)
    {
        ArgumentNullException.ThrowIfNull(design);
        ArgumentNullException.ThrowIfNull(batch);
        design.Prepare(batch);
        foreach (var e in batch)
        {
            var prefix = new List<DesignStep>(e.Length);
            for (int t = 0; t < e.Length; t++)
            {
                prefix.Add(e.Steps[t]);
                e.TrainRewards[t] = design.Reward(prefix);
            }
        }
    }

    /// <summary>Lets the design learn from every episode of the batch.</summary>
    public static void Observe(IEpisodeRewardDesign design, IReadOnlyList<DesignEpisode> batch)
    {
        ArgumentNullException.ThrowIfNull(design);
        ArgumentNullException.ThrowIfNull(batch);
        foreach (var e in batch) design.EndEpisode(e);
    }
}
