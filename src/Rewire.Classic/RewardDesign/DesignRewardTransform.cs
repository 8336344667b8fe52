using Rewire.Classic.Control;
using System.Text.Json.Nodes;
using Rewire.Classic.Control.Environments;
using Rewire.Core.Techniques;

namespace Rewire.Classic.RewardDesign;

/// <summary>
/// Puts an <see cref="IEpisodeRewardDesign"/> behind the control learners' reward-design hook: each sub-environment gets
/// a <see cref="RewardTransformWrapper{TAction}"/> whose transform keeps that environment's episode so far (from the
/// <see cref="DesignStep"/> the environment reports in its info), returns the design's reward for each step, and hands the
/// finished episode to the design (terminated or truncated). Only environments that report design steps (the key–door
/// grid family) can be wrapped; the design's metrics are the hook's report. The design's learned state (when it has
/// one) is checkpointed with the run; an episode in progress at a checkpoint restarts its per-episode bookkeeping
/// (ONI's message counts, CALM's once-per-episode bonus) on resume.
/// </summary>
public sealed class EpisodeDesignAdapter(IEpisodeRewardDesign design) : IRewardDesign, IStatefulTechnique
{
    /// <summary>The episode-level design every sub-environment's transform feeds.</summary>
    public IEpisodeRewardDesign Design { get; } = design ?? throw new ArgumentNullException(nameof(design));

    /// <inheritdoc />
    public IEnvironment<TAction> Wrap<TAction>(IEnvironment<TAction> environment, int index, RewardDesignContext context) where TAction : notnull
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (environment is not IEnvironment<int> discrete)
            throw new ArgumentException($"reward design '{Design.Name}' needs a discrete-action environment of the key-door grid family; '{environment.Name}' is not one.");
        return (IEnvironment<TAction>)(object)new RewardTransformWrapper<int>(discrete, new DesignRewardTransform(Design));
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> Report() => Design.Metrics;

    /// <inheritdoc />
    public JsonObject SaveState() => Design is IStatefulTechnique s ? new JsonObject { ["design"] = s.SaveState() } : [];

    /// <inheritdoc />
    public void RestoreState(JsonObject state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (Design is IStatefulTechnique s)
            s.RestoreState(state["design"] as JsonObject ?? throw new ArgumentException($"the saved state of reward design '{Design.Name}' has no 'design'."));
    }
}

/// <summary>The per-environment transform of <see cref="EpisodeDesignAdapter"/>.</summary>
public sealed class DesignRewardTransform(IEpisodeRewardDesign design) : IRewardTransform<int>
{
    private List<DesignStep> _episode = [];

    /// <inheritdoc />
    public void OnReset(float[] observation, IReadOnlyDictionary<string, object> info) => _episode = [];

    /// <inheritdoc />
    public double Transform(in Transition<int> step)
    {
        if (!step.Info.TryGetValue(KeyDoorGridEnvironment.DesignStepKey, out var o) || o is not DesignStep s)
            throw new InvalidOperationException($"reward design '{design.Name}' reads the transition the environment reports under '{KeyDoorGridEnvironment.DesignStepKey}'; only the key-door grid family reports it.");
        _episode.Add(s);
        double r = design.Reward(_episode);
        if (step.Terminated || step.Truncated)
        {
            design.EndEpisode(new DesignEpisode(_episode, step.Terminated));
            _episode = [];
        }
        return r;
    }
}
