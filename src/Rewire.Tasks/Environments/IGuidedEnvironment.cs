namespace Rewire.Tasks.Environments;

/// <summary>
/// An environment that can give a teacher's plan from its current state, as Agent-RLVR's plan hints do ("Agent-RLVR:
/// Training Software Engineering Agents via Guidance and Environment Rewards"): a plan that uses what the agent cannot
/// observe (for a maze, its map). Environments without it are guided by their scripted expert's actions instead
/// (<see cref="EnvironmentGuidance.Plan"/>).
/// </summary>
public interface IGuidedEnvironment
{
    /// <summary>The plan's actions from the current state (call after <see cref="ITextEnvironment.Reset"/>); every action is in the environment's alphabet.</summary>
    IReadOnlyList<string> PlanHint();
}
