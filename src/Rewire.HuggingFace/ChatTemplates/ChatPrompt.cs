using System.Text.Json.Nodes;
using Rewire.HuggingFace.Tokenization;

namespace Rewire.HuggingFace.ChatTemplates;

/// <summary>A conversation rendered with a chat template and encoded, as transformers'
/// <c>apply_chat_template(tokenize=True)</c> does: the text is encoded with <c>add_special_tokens=False</c>, because the
/// template writes the special tokens itself (Llama 3's emits <c>&lt;|begin_of_text|&gt;</c>; letting the
/// post-processor add it as well would give two BOS tokens).</summary>
public sealed record ChatPrompt(string Text, IReadOnlyList<int> Ids)
{
    public static ChatPrompt Build(ChatTemplate template, HfTokenizer tokenizer, IEnumerable<ChatMessage> messages, bool addGenerationPrompt,
        IReadOnlyDictionary<string, JsonNode?>? extra = null, TimeProvider? clock = null) =>
        FromText(template.Render(messages, addGenerationPrompt, extra, clock), tokenizer);

    public static ChatPrompt Build(ChatTemplate template, HfTokenizer tokenizer, IReadOnlyList<JsonObject> messages, bool addGenerationPrompt,
        JsonArray? tools = null, JsonArray? documents = null, IReadOnlyDictionary<string, JsonNode?>? extra = null, TimeProvider? clock = null) =>
        FromText(template.Render(messages, addGenerationPrompt, tools, documents, extra, clock), tokenizer);

    private static ChatPrompt FromText(string text, HfTokenizer tokenizer) => new(text, tokenizer.Encode(text, addSpecialTokens: false));
}
