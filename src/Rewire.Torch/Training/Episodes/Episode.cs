using Rewire.Core.Rewards;
using Rewire.Tasks.Environments;
using Rewire.Torch.Tokenizers;

namespace Rewire.Torch.Training;

/// <summary>One turn of an episode: the action, what the environment answered and where the action's tokens end.</summary>
/// <param name="Action">The policy's action text.</param>
/// <param name="Observation">The environment's answer (or the failure, when the call failed).</param>
/// <param name="Reward">The immediate (step) reward.</param>
/// <param name="End">Index in the episode's response of the action's last token (its end-of-turn token when it stopped).</param>
/// <param name="Truncated">True when the action hit rl.max_new_tokens.</param>
/// <param name="Components">The step's named reward parts and counts (for example tool_call, tool_call_valid).</param>
public sealed record EpisodeTurn(string Action, string Observation, double Reward, int End, bool Truncated,
    IReadOnlyDictionary<string, double>? Components = null);

/// <summary>
/// One episode as the trainer keeps it: the start prompt's tokens, then one response holding every action and every
/// observation between them, with a loss mask that is 1 on the policy's tokens and 0 on the environment's.
/// </summary>
public sealed class Episode(Prompt prompt, int[] promptTokens)
{
    private readonly List<int> _tokens = [];
    private readonly List<float> _logProbs = [];
    private readonly List<float> _entropies = [];
    private readonly List<float> _mask = [];
    private readonly List<EpisodeTurn> _turns = [];

    /// <summary>The start state.</summary>
    public Prompt Prompt { get; } = prompt;

    /// <summary>The prompt's tokens (the first observation).</summary>
    public int[] PromptTokens { get; } = promptTokens;

    /// <summary>Actions and observations, in order.</summary>
    public IReadOnlyList<int> Tokens => _tokens;

    /// <summary>Behaviour log-probs of the response tokens (0 on observation tokens).</summary>
    public IReadOnlyList<float> LogProbs => _logProbs;

    /// <summary>Entropies of the response tokens (0 on observation tokens).</summary>
    public IReadOnlyList<float> Entropies => _entropies;

    /// <summary>1 on the policy's tokens, 0 on the environment's (never trained).</summary>
    public IReadOnlyList<float> Mask => _mask;

    /// <summary>The turns so far.</summary>
    public IReadOnlyList<EpisodeTurn> Turns => _turns;

    /// <summary>The long-term outcome reward (set when the episode ends).</summary>
    public double Outcome { get; private set; }

    /// <summary>True when the environment said the goal was reached.</summary>
    public bool Success { get; private set; }

    /// <summary>True once the episode is over (ended by the environment, cut by env.max_turns, or failed).</summary>
    public bool Finished { get; private set; }

    /// <summary>True when the environment ended the episode (false: cut by the turn budget, or failed).</summary>
    public bool EndedByEnvironment { get; private set; }

    /// <summary>Why an environment call failed (threw, timed out, answered nonsense); null when none did.</summary>
    public string? Failure { get; private set; }

    /// <summary>True when the failure was a timeout.</summary>
    public bool TimedOut { get; private set; }

    /// <summary>The step rewards, one per turn.</summary>
    public double[] StepRewards => _turns.Select(t => t.Reward).ToArray();

    /// <summary>The prompt followed by the response so far: what the policy sees when it writes the next turn.</summary>
    public int[] Context() => [.. PromptTokens, .. _tokens];

    /// <summary>Appends the policy's action tokens (mask 1).</summary>
    public void AddAction(IReadOnlyList<int> tokens, IReadOnlyList<float> logProbs, IReadOnlyList<float> entropies)
    {
        _tokens.AddRange(tokens);
        _logProbs.AddRange(logProbs);
        _entropies.AddRange(entropies);
        for (int i = 0; i < tokens.Count; i++) _mask.Add(1f);
    }

    /// <summary>Records the environment's answer to the action just added; <paramref name="observationTokens"/> (mask 0) join the context unless the episode ends.</summary>
    public void AddStep(string action, bool truncated, EnvironmentStep step, IReadOnlyList<int>? observationTokens)
    {
        _turns.Add(new EpisodeTurn(action, step.Observation, step.Reward, _tokens.Count - 1, truncated, step.Components));
        if (step.Done)
        {
            Finished = true;
            EndedByEnvironment = true;
            Outcome = step.Outcome ?? 0;
            Success = EnvironmentTask.Succeeded(step);
            return;
        }
        if (observationTokens is null) return;
        _tokens.AddRange(observationTokens);
        for (int i = 0; i < observationTokens.Count; i++) { _logProbs.Add(0f); _entropies.Add(0f); _mask.Add(0f); }
    }

    /// <summary>Ends an episode the environment has not ended within the turn budget (outcome 0).</summary>
    public void Cut() => Finished = true;

    /// <summary>Ends the episode because an environment call failed; its action (if any) stays, with no reward.</summary>
    public void Fail(string? action, bool truncated, string reason, bool timedOut)
    {
        if (action is not null) _turns.Add(new EpisodeTurn(action, "error: " + reason, 0, _tokens.Count - 1, truncated));
        Finished = true;
        Failure = reason;
        TimedOut = timedOut;
    }

    /// <summary>The response tokens cut to a turn's observation: the observation's tokens, at most <paramref name="budget"/> with the marker.</summary>
    public static int[] ObservationTokens(ITokenizer tokenizer, string observation, int budget)
    {
        var marker = tokenizer.Encode(EpisodeFormat.TurnMarker.ToString());
        var body = tokenizer.Encode(observation);
        int keep = Math.Max(0, Math.Min(body.Length, budget - marker.Length));
        return [.. body[..keep], .. marker];
    }

    /// <summary>The episode as readable text: one line per turn, "action -> observation [reward]".</summary>
    public string Transcript() => string.Join('\n', _turns.Select(t =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{t.Action} -> {t.Observation.Replace('\n', ' ')} [{t.Reward:0.###}]")));
}
