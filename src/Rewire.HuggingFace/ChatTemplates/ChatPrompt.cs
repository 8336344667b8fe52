using System.Text.Json.Nodes;
using Rewire.HuggingFace.Tokenization;

namespace Rewire.HuggingFace.ChatTemplates;

/// <summary>A conversation rendered with a chat template and encoded, as transformers'
/// <c>apply_chat_template(tokenize=True)</c> does: the text is encoded with <c>add_special_tokens=False</c>, because the
/// template writes the special tokens itself (Llama 3's emits <c>&lt;|begin_of_text|&gt;</c>; letting the
/// post-processor add it as well would give two BOS tokens).</summary>
public sealed record ChatPrompt(string Text, IReadOnlyList<int> Ids)
{
    /// <summary>Renders plain <paramref name="messages"/> with <paramref name="template"/> and encodes the text without adding special tokens.</summary>
    /// <param name="template">The model's chat template.</param>
    /// <param name="tokenizer">The model's tokenizer.</param>
    /// <param name="messages">The conversation, in order.</param>
    /// <param name="addGenerationPrompt">Whether to end with the assistant's turn header, so the model continues as the assistant.</param>
    /// <param name="extra">Extra template variables, such as Qwen3's <c>enable_thinking</c>.</param>
    /// <param name="clock">Where <c>strftime_now</c> reads the time (tests pass a fixed clock); null is the system clock.</param>
    public static ChatPrompt Build(ChatTemplate template, HfTokenizer tokenizer, IEnumerable<ChatMessage> messages, bool addGenerationPrompt,
        IReadOnlyDictionary<string, JsonNode?>? extra = null, TimeProvider? clock = null) =>
        FromText(template.Render(messages, addGenerationPrompt, extra, clock), tokenizer);

    /// <summary>Renders JSON <paramref name="messages"/> (tool calls, reasoning content and other fields allowed) with <paramref name="template"/> and encodes the text without adding special tokens.</summary>
    /// <param name="template">The model's chat template.</param>
    /// <param name="tokenizer">The model's tokenizer.</param>
    /// <param name="messages">The conversation as JSON objects, in order.</param>
    /// <param name="addGenerationPrompt">Whether to end with the assistant's turn header, so the model continues as the assistant.</param>
    /// <param name="tools">The template's <c>tools</c> variable (function schemas), or null for None.</param>
    /// <param name="documents">The template's <c>documents</c> variable (for retrieval-augmented templates), or null for None.</param>
    /// <param name="extra">Extra template variables, such as Qwen3's <c>enable_thinking</c>.</param>
    /// <param name="clock">Where <c>strftime_now</c> reads the time (tests pass a fixed clock); null is the system clock.</param>
    public static ChatPrompt Build(ChatTemplate template, HfTokenizer tokenizer, IReadOnlyList<JsonObject> messages, bool addGenerationPrompt,
        JsonArray? tools = null, JsonArray? documents = null, IReadOnlyDictionary<string, JsonNode?>? extra = null, TimeProvider? clock = null) =>
        FromText(template.Render(messages, addGenerationPrompt, tools, documents, extra, clock), tokenizer);

    private static ChatPrompt FromText(string text, HfTokenizer tokenizer) => new(text, tokenizer.Encode(text, addSpecialTokens: false));
}
