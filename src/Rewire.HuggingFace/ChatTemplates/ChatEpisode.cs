// A multi-turn episode in a model's chat template, tokenized incrementally: the context a policy generates each turn from
// is the exact prefix of the sequence that is later scored, because nothing already in the context is ever re-encoded.
//
//   start:    text_0 = render([system?] + [user: o_0], add_generation_prompt)           ids_0 = encode(text_0)
//   turn k:   the policy writes g_k (its tokens as generated, ending with its stop token when it stopped)
//             closed_k = render(messages + [assistant: a_k])            must extend text_{k-1}   (prefix stability)
//             text_k   = render(messages + [assistant: a_k, user: o_k], add_generation_prompt)   must extend closed_k
//             after g_k the context gets encode(close_k + text_k[len(closed_k):]), where close_k is what the template
//             prints after a_k, minus the stop token the policy already wrote when that is how the template ends a turn
//
// A template that renders earlier turns differently once a later message is added (one that strips the thinking of
// earlier assistant turns, or numbers turns from the end) has no such prefix and is refused, never silently re-rendered.
using System.Text.Json.Nodes;
using Rewire.HuggingFace.Tokenization;

namespace Rewire.HuggingFace.ChatTemplates;

/// <summary>
/// One episode's dialogue in a chat template: the environment's start observation is the first user message (after the
/// environment's instructions as a system message, if any), each policy turn an assistant message and each later
/// observation the next message of <see cref="ObservationRole"/>. <see cref="PromptIds"/> is the start of the context;
/// <see cref="Continue"/> returns the template and observation tokens that follow a turn's generated tokens.
/// </summary>
public sealed class ChatEpisode
{
    private readonly ChatTemplate _template;
    private readonly HfTokenizer _tokenizer;
    private readonly IReadOnlyDictionary<string, JsonNode?>? _extra;
    private readonly TimeProvider? _clock;
    private readonly List<ChatMessage> _messages = [];

    private ChatEpisode(ChatTemplate template, HfTokenizer tokenizer, string observationRole, IReadOnlyDictionary<string, JsonNode?>? extra, TimeProvider? clock)
    {
        _template = template;
        _tokenizer = tokenizer;
        ObservationRole = observationRole;
        _extra = extra;
        _clock = clock;
    }

    /// <summary>The role of the observations after the first ("user").</summary>
    public string ObservationRole { get; }

    /// <summary>The tokens of the rendered start: instructions, first observation and the assistant's generation prompt.</summary>
    public IReadOnlyList<int> PromptIds { get; private set; } = [];

    /// <summary>The template's rendering of the dialogue so far, ending with the generation prompt (what the next turn continues).</summary>
    public string Text { get; private set; } = "";

    /// <summary>The dialogue so far as chat messages.</summary>
    public IReadOnlyList<ChatMessage> Messages => _messages;

    /// <summary>Starts a dialogue: <paramref name="instructions"/> (if any) as the system message, <paramref name="observation"/> as the first user message.</summary>
    /// <param name="template">The model's chat template.</param>
    /// <param name="tokenizer">The model's tokenizer.</param>
    /// <param name="instructions">The environment's instructions, or null for no system message.</param>
    /// <param name="observation">The environment's first observation.</param>
    /// <param name="observationRole">The role of later observations ("user").</param>
    /// <param name="extra">Extra template variables (Qwen3's <c>enable_thinking</c>, ...).</param>
    /// <param name="clock">Where <c>strftime_now</c> reads the time; null is the system clock.</param>
    public static ChatEpisode Start(ChatTemplate template, HfTokenizer tokenizer, string? instructions, string observation,
        string observationRole = "user", IReadOnlyDictionary<string, JsonNode?>? extra = null, TimeProvider? clock = null)
    {
        var e = new ChatEpisode(template, tokenizer, observationRole, extra, clock);
        if (instructions is not null) e._messages.Add(new ChatMessage("system", instructions));
        e._messages.Add(new ChatMessage("user", observation));
        e.Text = e.Render(addGenerationPrompt: true);
        e.PromptIds = tokenizer.Encode(e.Text, addSpecialTokens: false);
        return e;
    }

    /// <summary>
    /// Records the policy's turn (<paramref name="generated"/>, its tokens as generated; <paramref name="action"/>, their
    /// text without special tokens) and the environment's answer <paramref name="observation"/>; returns the tokens that
    /// follow <paramref name="generated"/> in the context: the rest of the template's end of the assistant turn, the
    /// observation's message and the next generation prompt. A last generated token that is a special token is the
    /// policy's end of turn: when the template ends the turn with that token it is not written twice; otherwise (another
    /// stop token, or a turn cut by the token budget) the template's whole end of turn follows it.
    /// </summary>
    /// <exception cref="HuggingFaceInputException">The template is not prefix-stable on this dialogue, or does not print the action.</exception>
    public int[] Continue(IReadOnlyList<int> generated, string action, string observation)
    {
        string before = Text;
        _messages.Add(new ChatMessage("assistant", action));
        string closed = Render(addGenerationPrompt: false);
        if (!closed.StartsWith(before, StringComparison.Ordinal))
            throw new HuggingFaceInputException($"{_template.Template.Source}: adding assistant turn {Turns} changes how the chat template renders the dialogue before it "
                + "(its generation prompt is not the start of the rendered assistant turn); episodes need a template whose earlier text never changes");
        string close = CloseAfter(closed[before.Length..], action);
        if (generated.Count > 0 && _tokenizer.IsSpecial(generated[^1]))
        {
            string end = _tokenizer.Decode([generated[^1]]);
            if (close.StartsWith(end, StringComparison.Ordinal)) close = close[end.Length..];
        }
        _messages.Add(new ChatMessage(ObservationRole, observation));
        string next = Render(addGenerationPrompt: true);
        if (!next.StartsWith(closed, StringComparison.Ordinal))
            throw new HuggingFaceInputException($"{_template.Template.Source}: adding the observation after assistant turn {Turns} changes how the chat template renders "
                + "the earlier turns (for example it strips the thinking of earlier assistant turns); episodes need a template whose earlier turns render the same "
                + "as the dialogue grows");
        Text = next;
        return _tokenizer.Encode(close + next[closed.Length..], addSpecialTokens: false).ToArray();
    }

    /// <summary>Assistant turns so far.</summary>
    public int Turns => _messages.Count(m => m.Role == "assistant");

    private string Render(bool addGenerationPrompt) => _template.Render(_messages, addGenerationPrompt, _extra, _clock);

    /// <summary>What the template prints after the action in the rendered assistant turn <paramref name="turn"/>: found as
    /// the last occurrence of the action without surrounding whitespace, its trailing whitespace kept where the template
    /// kept it (as <c>continue_final_message</c> finds a message). An empty action: the whole turn.</summary>
    private string CloseAfter(string turn, string action)
    {
        string stripped = action.Trim(TemplateLexer.PythonWhitespace);
        if (stripped.Length == 0) return turn;
        int at = turn.LastIndexOf(stripped, StringComparison.Ordinal);
        if (at < 0)
            throw new HuggingFaceInputException($"{_template.Template.Source}: the chat template does not print assistant turn {Turns} as written, so the tokens "
                + "after it cannot be found; episodes need a template that prints the assistant's content");
        string lead = action.TrimStart(TemplateLexer.PythonWhitespace);
        bool kept = at + lead.Length <= turn.Length && string.CompareOrdinal(turn, at, lead, 0, lead.Length) == 0;
        return turn[(at + (kept ? lead.Length : stripped.Length))..];
    }

    /// <summary>
    /// The token the template ends an assistant turn with, among <paramref name="stopIds"/> (the ids generation stops at):
    /// the first whose text starts what the template prints after a probe turn's content; null when none does (a policy
    /// could then never end its turn as the template does).
    /// </summary>
    /// <exception cref="HuggingFaceInputException">Adding the assistant turn changes the text before it.</exception>
    public static int? EndOfTurn(ChatTemplate template, HfTokenizer tokenizer, IReadOnlyList<int> stopIds,
        IReadOnlyDictionary<string, JsonNode?>? extra = null, TimeProvider? clock = null)
    {
        var probe = Start(template, tokenizer, null, "1", extra: extra, clock: clock);
        probe._messages.Add(new ChatMessage("assistant", "2"));
        string closed = probe.Render(addGenerationPrompt: false);
        if (!closed.StartsWith(probe.Text, StringComparison.Ordinal))
            throw new HuggingFaceInputException($"{template.Template.Source}: adding an assistant turn changes how the chat template renders the dialogue before it "
                + "(its generation prompt is not the start of the rendered assistant turn); episodes need a template whose earlier text never changes");
        string close = probe.CloseAfter(closed[probe.Text.Length..], "2");
        foreach (int id in stopIds)
            if (tokenizer.IsSpecial(id) && close.StartsWith(tokenizer.Decode([id]), StringComparison.Ordinal)) return id;
        return null;
    }
}
