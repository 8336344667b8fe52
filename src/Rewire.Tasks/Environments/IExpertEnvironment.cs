namespace Rewire.Tasks.Environments;

/// <summary>
/// An environment whose scripted expert can annotate any state it reaches with the expert's action, and which can say
/// whether an action is well-formed and whether two actions are the same action. Mobile-R1's action-level stage ("Mobile-R1:
/// Towards Interactive Reinforcement Learning for VLM-Based Mobile Agent via Task-Level Rewards") trains single steps on
/// the states of annotated expert trajectories with these two checks as its reward (format, action match). Environments
/// whose expert action is not the one right action of a state (several equally good edits, reads or tool-call spellings)
/// do not implement it.
/// </summary>
public interface IExpertEnvironment
{
    /// <summary>The scripted expert's action at the current state, without mistakes (call after <see cref="ITextEnvironment.Reset"/>;
    /// deterministic in the episode's seed and the actions taken so far).</summary>
    string ExpertAction();

    /// <summary>True when <paramref name="action"/> is an action this environment can parse (its format), whatever its effect.
    /// Does not depend on the state.</summary>
    bool IsWellFormed(string action);

    /// <summary>True when <paramref name="action"/> is the same action as <paramref name="expertAction"/> after the
    /// environment's own normalisation (the exact-match rule of non-coordinate actions). Does not depend on the state.</summary>
    bool SameAction(string action, string expertAction);
}
