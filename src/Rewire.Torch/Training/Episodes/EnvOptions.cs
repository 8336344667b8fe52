using System.ComponentModel.DataAnnotations;
using Rewire.Classic.Control;

namespace Rewire.Torch.Training;

/// <summary>
/// The <c>env</c> section: how episodes of <c>rl.environment</c> run (turn budget, observation budget, and the time budget
/// that failure-isolates every environment call).
/// </summary>
public sealed class EnvOptions
{
    /// <summary>Turns per episode at most; an episode the environment has not ended by then is cut (outcome 0). <value>The default value is 8.</value></summary>
    [Range(1, 1000)] public int MaxTurns { get; set; } = 8;

    /// <summary>Tokens of one observation in the context at most, its end-of-observation marker included (longer ones are cut). <value>The default value is 32.</value></summary>
    [Range(2, 4096)] public int MaxObservationTokens { get; set; } = 32;

    /// <summary>
    /// Time budget of one Reset or Step call in milliseconds (a call past it ends its episode as a failure, counted); 0 runs
    /// calls inline with no guard. <value>The default value is 10000.</value>
    /// </summary>
    [Range(0, 3_600_000)] public int StepTimeoutMs { get; set; } = EnvironmentCallGuard.DefaultStepTimeoutMs;

    /// <summary>Timed-out calls still running at which the run stops (exit code 1) instead of holding more threads. <value>The default value is 4.</value></summary>
    [Range(1, 1000)] public int MaxAbandoned { get; set; } = EnvironmentCallGuard.DefaultMaxAbandoned;

    /// <summary>
    /// Share of the warm start's scripted episodes whose prompt carries the environment's plan hint (as Agent-RLVR's guided
    /// prompts do, rl.rollout=agent_rlvr), so that the small GPT learns to read a hint. <value>The default value is 0.</value>
    /// </summary>
    [Range(0.0, 1.0)] public double DemoHintShare { get; set; }

    /// <summary>
    /// The open-loop form of rl.environment, the single-turn baseline of episodes: the prompt is the start observation,
    /// one completion holds every action (separated by newlines, no observation in between, at most rl.max_new_tokens
    /// tokens), and its reward is the return of replaying those actions through the environment (the same outcome and step
    /// rewards an episode of those actions gets, cut at env.max_turns). <value>The default value is false.</value>
    /// </summary>
    public bool OpenLoop { get; set; }

    /// <summary>The guard of these settings (a new one per run).</summary>
    public EnvironmentCallGuard Guard() =>
        new(StepTimeoutMs == 0 ? null : TimeSpan.FromMilliseconds(StepTimeoutMs), MaxAbandoned);

    /// <summary>The response tokens an episode can take: every turn's generation budget, and an observation between turns.</summary>
    public int ResponseBudget(int maxNewTokens) => MaxTurns * maxNewTokens + (MaxTurns - 1) * MaxObservationTokens;
}
