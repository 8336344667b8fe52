// The guidance an environment gives an agent that failed (Agent-RLVR, "Training Software Engineering Agents via Guidance
// and Environment Rewards"): a plan hint, here the environment's scripted expert played without mistakes from the start
// state, written in front of the first observation. The hint uses the environment's own alphabet (its actions, joined by
// the action separator), so any policy that can read the environment can read its hint.
using System.Globalization;
using Rewire.Core.Rewards;

namespace Rewire.Tasks.Environments;

/// <summary>Plan hints of a start state and the guided prompt that carries one.</summary>
public static class EnvironmentGuidance
{
    /// <summary>The metadata key of a guided prompt that holds its hint.</summary>
    public const string HintKey = "guidance";

    /// <summary>
    /// The plan hint of <paramref name="start"/>, its actions joined by <see cref="EpisodeFormat.ActionSeparator"/>: the
    /// environment's own plan (<see cref="IGuidedEnvironment.PlanHint"/>, for a maze a shortest path) when it has one, else
    /// its scripted expert's actions without mistakes; at most the task's turn budget of actions.
    /// </summary>
    public static string Plan(EnvironmentTask task, Prompt start)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(start);
        return string.Join(EpisodeFormat.ActionSeparator, PlanActions(task, start));
    }

    /// <summary>The actions of <see cref="Plan"/>.</summary>
    public static IReadOnlyList<string> PlanActions(EnvironmentTask task, Prompt start)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(start);
        var env = task.Create();
        env.Reset(EnvironmentTask.SeedOf(start));
        if (env is IGuidedEnvironment guided) return guided.PlanHint().Take(task.MaxTurns).ToArray();
        // errorRate 0 never draws from the random source: the plan depends on the start state only.
        return task.ScriptedEpisode(start, 0, new Random(0)).Select(t => t.Action).ToArray();
    }

    /// <summary>
    /// <paramref name="start"/> with <paramref name="hint"/> written in front of its first observation (hint, action
    /// separator, observation); same id, seed and metadata, plus the hint under <see cref="HintKey"/>.
    /// </summary>
    public static Prompt Guided(Prompt start, string hint)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(hint);
        var meta = start.Metadata is null ? new Dictionary<string, string>() : new Dictionary<string, string>(start.Metadata);
        meta[HintKey] = hint;
        return start with { Text = string.Create(CultureInfo.InvariantCulture, $"{hint}{EpisodeFormat.ActionSeparator}{start.Text}"), Metadata = meta };
    }

    /// <summary>True when <paramref name="prompt"/> carries a hint.</summary>
    public static bool IsGuided(Prompt prompt) => prompt.Metadata?.ContainsKey(HintKey) == true;

    /// <summary>
    /// The start state <paramref name="guided"/> was made from by <see cref="Guided"/> (its text without the hint and the
    /// separator, its metadata without <see cref="HintKey"/>); a prompt without a hint is returned as it is.
    /// </summary>
    /// <exception cref="ArgumentException">The prompt's text does not begin with its hint and the separator.</exception>
    public static Prompt Unguided(Prompt guided)
    {
        ArgumentNullException.ThrowIfNull(guided);
        if (!IsGuided(guided)) return guided;
        string hint = guided.Meta(HintKey), head = hint + EpisodeFormat.ActionSeparator;
        if (!guided.Text.StartsWith(head, StringComparison.Ordinal))
            throw new ArgumentException($"prompt {guided.Id} carries a hint its text does not begin with", nameof(guided));
        var meta = guided.Metadata!.Where(kv => kv.Key != HintKey).ToDictionary(kv => kv.Key, kv => kv.Value);
        return guided with { Text = guided.Text[head.Length..], Metadata = meta };
    }

    /// <summary>
    /// A hint in words, for a model that reads natural language (a chat model's first user message): a blank line, then
    /// "Hint: a plan that reaches the goal, one action per turn:" and the plan's actions numbered one per line.
    /// </summary>
    public static string InWords(string hint)
    {
        ArgumentNullException.ThrowIfNull(hint);
        var actions = hint.Split(EpisodeFormat.ActionSeparator);
        return "\n\nHint: a plan that reaches the goal, one action per turn:"
            + string.Concat(actions.Select((a, i) => string.Create(CultureInfo.InvariantCulture, $"\n{i + 1}. {a}")));
    }
}
