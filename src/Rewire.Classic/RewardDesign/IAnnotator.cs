using Rewire.Classic.Control;

namespace Rewire.Classic.RewardDesign;

/// <summary>
/// What a language model contributes to ONI and CALM, behind one interface so a rule-based annotator stands in offline
/// and any OpenAI-compatible chat endpoint serves when configured (<see cref="ChatAnnotator"/>). Answers may be missing
/// (null): the caller treats that as "no label" and counts it; an annotator never throws for a failed query.
/// </summary>
public interface IAnnotator
{
    /// <summary>Short name of the annotator (<c>rules</c>, <c>chat</c>).</summary>
    string Name { get; }

    /// <summary>ONI's label of an event message for the task: 1 helpful, 0 unhelpful, null when there is no answer.</summary>
    double? Label(string task, string message);

    /// <summary>CALM's decomposition of the task into sub-goals (in order).</summary>
    IReadOnlyList<string> Subgoals(string task);

    /// <summary>CALM's verification: the index of the sub-goal the transition (its event message) achieves, or null for none.</summary>
    int? Achieved(string task, IReadOnlyList<string> subgoals, string message);

    /// <summary>Queries made so far.</summary>
    long Queries { get; }

    /// <summary>Queries that failed (timeout, transport error, unparseable answer).</summary>
    long Failures { get; }
}

/// <summary>
/// The offline annotator of the grid world: keyword rules on the event messages, standing in for the language model
/// of "Online Intrinsic Rewards for Decision Making Agents from Large Language Model Feedback" (ONI) and of "Assessing
/// the Zero-Shot Capabilities of LLMs for Action Evaluation in RL" (CALM). Helpful: picking up the key, unlocking or
/// passing the door, reaching the goal; sub-goals: key, door, goal.
/// </summary>
public sealed class RuleBasedAnnotator : IAnnotator
{
    private long _queries;

    /// <summary>The offline annotator's name, <c>rules</c>.</summary>
    public string Name => "rules";

    /// <summary>Queries answered so far.</summary>
    public long Queries => Interlocked.Read(ref _queries);

    /// <summary>Always 0: the rules never fail.</summary>
    public long Failures => 0;

    /// <summary>1 for messages of progress (key, door, goal), 0 otherwise.</summary>
    public double? Label(string task, string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Interlocked.Increment(ref _queries);
        return message is GridMessages.PickedKey or GridMessages.Door or GridMessages.Passed or GridMessages.Goal ? 1.0 : 0.0;
    }

    /// <summary>The grid world's sub-goals: pick up the key, pass the door, reach the goal.</summary>
    public IReadOnlyList<string> Subgoals(string task)
    {
        ArgumentNullException.ThrowIfNull(task);
        Interlocked.Increment(ref _queries);
        return task.Contains("key", StringComparison.OrdinalIgnoreCase) ? ["pick up the key", "open the door", "reach the goal"] : ["reach the goal"];
    }

    /// <summary>The index of the sub-goal <paramref name="message"/> reports, or null.</summary>
    public int? Achieved(string task, IReadOnlyList<string> subgoals, string message)
    {
        ArgumentNullException.ThrowIfNull(subgoals);
        Interlocked.Increment(ref _queries);
        string? wanted = message switch
        {
            GridMessages.PickedKey => "key",
            GridMessages.Door => "door",
            GridMessages.Goal => "goal",
            _ => null,
        };
        if (wanted is null) return null;
        for (int i = 0; i < subgoals.Count; i++)
            if (subgoals[i].Contains(wanted, StringComparison.OrdinalIgnoreCase)) return i;
        return null;
    }
}
