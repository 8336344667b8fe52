// The reward stage of a training step: the task's verifier (or its named components with reward.weights), the extra
// reward functions of reward.functions, each failure-isolated (a throw, a non-finite value or a timeout gives the
// failure value and is counted), composed by their weights, or, with reward.weighting, by a dynamic weighting
// technique that scalarises the components itself ("Dynamic reward weighting for multi-objective alignment").
using Rewire.Core.MultiObjective;
using Rewire.Core.Rewards;

namespace Rewire.Torch.Training;

/// <summary>Scores a rollout: the composed reward, with each component kept.</summary>
public sealed class RewardStage : IRewardFunction
{
    private readonly Func<IReadOnlyList<double>, IRewardWeighting>? _pending;

    /// <summary>
    /// A stage over <paramref name="pipeline"/> with a dynamic <paramref name="weighting"/>, or the pipeline's fixed
    /// weights when null.
    /// </summary>
    public RewardStage(RewardPipeline pipeline, IRewardWeighting? weighting)
    {
        Pipeline = pipeline;
        Weighting = weighting;
        Objectives = pipeline.Terms.Select(t => t.Name).ToArray();
    }

    /// <summary>
    /// A stage whose weighting needs the initial model's validation score per objective (the hypervolume reference
    /// point) and is built by <see cref="Initialise"/> once the trainer has measured it.
    /// </summary>
    public RewardStage(RewardPipeline pipeline, Func<IReadOnlyList<double>, IRewardWeighting> weightingFromReference)
        : this(pipeline, (IRewardWeighting?)null) => _pending = weightingFromReference;

    /// <summary>The reward model component of reward.model, when one is configured (Cooper co-trains it).</summary>
    internal Preferences.RewardModelReward? RewardModel { get; init; }

    /// <summary>True until <see cref="Initialise"/> has built a weighting that needs a reference point.</summary>
    public bool NeedsReference => _pending is not null && Weighting is null;

    /// <summary>The reference point the weighting was built with (to checkpoint it), or null.</summary>
    public IReadOnlyList<double>? Reference { get; private set; }

    /// <summary>Builds the pending weighting from the initial model's mean score per objective.</summary>
    public void Initialise(IReadOnlyList<double> reference)
    {
        if (_pending is null) throw new InvalidOperationException("this reward stage has no weighting waiting for a reference point");
        Weighting = _pending(reference);
        Reference = reference;
    }

    /// <summary>The reward terms and their fixed weights.</summary>
    public RewardPipeline Pipeline { get; }

    /// <summary>The dynamic weighting, or null for the fixed weights of the pipeline.</summary>
    public IRewardWeighting? Weighting { get; private set; }

    /// <summary>The names of the reward terms, in the order the weighting sees them.</summary>
    public IReadOnlyList<string> Objectives { get; }

    /// <inheritdoc />
    public string Name => Pipeline.Name;

    /// <summary>True when a term compares the rollouts of a group (BRPO's judge): score them together with <see cref="ScoreAll"/>.</summary>
    public bool ScoresGroups => Pipeline.ScoresGroups;

    /// <summary>Scores <paramref name="rollouts"/> in one batch (whole groups at once), each weighted as <see cref="Score"/> does.</summary>
    public IReadOnlyList<RewardResult> ScoreAll(IReadOnlyList<Rollout> rollouts) =>
        Pipeline.ScoreAsync(rollouts).AsTask().GetAwaiter().GetResult().Select(Weigh).ToArray();

    /// <inheritdoc />
    public RewardResult Score(Rollout rollout) => Weigh(Pipeline.Score(rollout));

    private RewardResult Weigh(RewardResult r)
    {
        if (NeedsReference) throw new InvalidOperationException("the reward weighting has no reference point yet: the trainer measures the initial model's scores before RL");
        if (Weighting is null) return r;
        var values = new double[Objectives.Count];
        for (int k = 0; k < values.Length; k++) values[k] = r.Components.GetValueOrDefault(Objectives[k]);
        return r with { Total = Weighting.Scalarise(values) };
    }

    /// <summary>Each term's value of <paramref name="r"/>, in <see cref="Objectives"/> order.</summary>
    public double[] ObjectiveValues(RewardResult r) => Objectives.Select(o => r.Components.GetValueOrDefault(o)).ToArray();
}
