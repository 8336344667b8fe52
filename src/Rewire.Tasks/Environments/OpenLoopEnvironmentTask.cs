// The open-loop form of a text environment: the single-turn baseline of the multi-turn trainer. The prompt is the
// environment's first observation; the completion is the whole action sequence, written at once (actions separated by
// newlines) with no observation in between; the verifier replays it through a fresh environment from the same start
// state, so the completion gets exactly the return an episode of those actions would get (outcome plus step rewards,
// cut at the same turn budget). It is deliberately not an EnvironmentTask: the trainer treats it as an ordinary
// single-turn task (one completion per rollout, no episode machinery).
using Rewire.Core.Rewards;

namespace Rewire.Tasks.Environments;

/// <summary>
/// A text environment as a single-turn task: prompt = the start observation, completion = every action at once
/// (separated by <see cref="EpisodeFormat.ActionSeparator"/>), scored by replaying it through the environment.
/// </summary>
public sealed class OpenLoopEnvironmentTask : ITask
{
    /// <param name="environment">The environment's start states and replay (its turn budget is the episode's).</param>
    /// <param name="maxCompletionLength">
    /// Characters a completion can hold, its end token included (the trainer's rl.max_new_tokens with the character
    /// tokenizer): a demonstration keeps the whole actions that fit, so a scripted episode longer than the budget is cut
    /// between actions, as the policy's own completion would be.
    /// </param>
    public OpenLoopEnvironmentTask(EnvironmentTask environment, int maxCompletionLength = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCompletionLength, 2);
        Environment = environment;
        MaxCompletionLength = maxCompletionLength;
    }

    /// <summary>Characters a completion can hold, its end token included.</summary>
    public int MaxCompletionLength { get; }

    /// <summary>The environment seen as start states; its verifier replays a whole completion.</summary>
    public EnvironmentTask Environment { get; }

    /// <summary>The environment's name (prompts of both forms carry it).</summary>
    public string Name => Environment.Name;

    /// <inheritdoc />
    public IReadOnlyList<string> Domains => Environment.Domains;

    /// <inheritdoc />
    public int MaxDifficulty => Environment.MaxDifficulty;

    /// <inheritdoc />
    public string Alphabet => Environment.Alphabet;

    /// <summary>Replays the completion's actions from the prompt's start state: R = outcome + Σ step rewards, correct on success.</summary>
    public IRewardFunction Verifier => Environment.Verifier;

    /// <inheritdoc />
    public Prompt Generate(Split split, int seed, int index, int difficulty = 1) => Environment.Generate(split, seed, index, difficulty);

    /// <inheritdoc />
    public IReadOnlyList<Prompt> GenerateMany(Split split, int seed, int count, int difficulty = 1) => Environment.GenerateMany(split, seed, count, difficulty);

    /// <summary>The scripted expert's episode written as one completion (the warm start's demonstration), cut to the whole actions that fit.</summary>
    public string Demonstrate(Prompt prompt, double errorRate, Random random)
    {
        var actions = Environment.ScriptedEpisode(prompt, errorRate, random).Select(t => t.Action);
        var text = new System.Text.StringBuilder();
        foreach (var action in actions)
        {
            int length = text.Length + (text.Length == 0 ? 0 : 1) + action.Length;
            if (length + 1 > MaxCompletionLength) break;     // + 1: the end token
            if (text.Length > 0) text.Append(EpisodeFormat.ActionSeparator);
            text.Append(action);
        }
        return text.ToString();
    }
}
