namespace Rewire.Tasks.Environments;

/// <summary>
/// How an episode is laid out as text for a language-model policy. The first observation is the prompt; each turn is the
/// policy's action followed by its end-of-turn token (the tokenizer's end of sequence), then the environment's next
/// observation. Every observation ends with <see cref="TurnMarker"/>, the cue that the policy writes next:
/// <c>nes:se&gt;</c> <c>e</c>⏎ <c>sw:s&gt;</c> <c>s</c>⏎ ... The observation after the last action is not part of the
/// context (nothing is generated after it).
/// </summary>
public static class EpisodeFormat
{
    /// <summary>The character that ends every observation: "your turn".</summary>
    public const char TurnMarker = '>';

    /// <summary>The separator of actions when a whole episode is written as one completion (the open-loop form).</summary>
    public const char ActionSeparator = '\n';

    /// <summary>The prompt text of an episode whose first observation is <paramref name="observation"/>.</summary>
    public static string Prompt(string observation) => observation + TurnMarker;

    /// <summary>The text the environment's answer adds to the context.</summary>
    public static string Observation(string observation) => observation + TurnMarker;

    /// <summary>The characters the format adds to an environment's alphabet.</summary>
    public static string Characters => $"{TurnMarker}{ActionSeparator}";
}
