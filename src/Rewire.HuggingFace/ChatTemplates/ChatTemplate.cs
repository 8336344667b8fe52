using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rewire.HuggingFace.ChatTemplates;

/// <summary>A model's chat template and the special tokens it may print, loaded as transformers loads them:
/// <c>chat_template.jinja</c> in the folder when present (it overrides), otherwise <c>tokenizer_config.json</c>'s
/// <c>chat_template</c> (a string, or a list of <c>{name, template}</c> of which "default" is taken).
/// <see cref="Render(IReadOnlyList{JsonObject}, bool, JsonArray?, JsonArray?, IReadOnlyDictionary{string, JsonNode?}?, TimeProvider?)"/>
/// is <c>apply_chat_template(..., tokenize=False)</c>: the variables are <c>messages</c>, <c>tools</c> and
/// <c>documents</c> (None when not given), <c>add_generation_prompt</c>, the special tokens of tokenizer_config.json
/// (<c>bos_token</c>, <c>eos_token</c>, ... as strings; unset ones stay undefined) and any extra variables, such as
/// Qwen3's <c>enable_thinking</c> or Llama 3's <c>date_string</c>.</summary>
public sealed class ChatTemplate
{
    /// <summary>The tokenizer configuration file that may hold <c>chat_template</c> and the special tokens.</summary>
    public const string ConfigFileName = "tokenizer_config.json";
    /// <summary>The stand-alone template file that, when present, overrides <c>tokenizer_config.json</c>'s template.</summary>
    public const string TemplateFileName = "chat_template.jinja";

    private static readonly string[] SpecialTokenKeys =
        ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token", "additional_special_tokens"];

    private static readonly HashSet<string> Reserved = ["messages", "tools", "documents", "add_generation_prompt"];

    /// <summary>Combines a parsed template with the special-token variables it sees.</summary>
    /// <param name="template">The parsed template.</param>
    /// <param name="specialTokens">The special-token variables (<c>bos_token</c>, <c>eos_token</c>, ...) as JSON values.</param>
    public ChatTemplate(JinjaTemplate template, IReadOnlyDictionary<string, JsonNode?> specialTokens)
    {
        Template = template;
        SpecialTokens = specialTokens;
    }

    /// <summary>The parsed Jinja template.</summary>
    public JinjaTemplate Template { get; }

    /// <summary>The special-token variables (<c>bos_token</c> etc.) the template sees.</summary>
    public IReadOnlyDictionary<string, JsonNode?> SpecialTokens { get; }

    /// <summary>The template of the folder <paramref name="directory"/>, or null when it has none (no
    /// chat_template.jinja and no chat_template in tokenizer_config.json). A template that does not parse, or a
    /// tokenizer_config.json that is not valid, throws <see cref="HuggingFaceInputException"/>.</summary>
    public static ChatTemplate? Load(string directory)
    {
        string configPath = Path.Combine(directory, ConfigFileName);
        string jinjaPath = Path.Combine(directory, TemplateFileName);
        JsonObject config = File.Exists(configPath) ? ParseConfig(File.ReadAllText(configPath), configPath) : [];
        string? text;
        string source;
        if (File.Exists(jinjaPath))
        {
            text = File.ReadAllText(jinjaPath);
            source = jinjaPath;
        }
        else
        {
            text = TemplateFromConfig(config, configPath);
            source = configPath + " (chat_template)";
        }
        return text is null ? null : new ChatTemplate(new JinjaTemplate(text, source), SpecialTokensOf(config, configPath));
    }

    /// <summary>A template from the text of a tokenizer_config.json (<paramref name="source"/> names it in errors).</summary>
    public static ChatTemplate FromTokenizerConfig(string json, string source)
    {
        var config = ParseConfig(json, source);
        string text = TemplateFromConfig(config, source)
            ?? throw new HuggingFaceInputException($"{source}: there is no chat_template; add one, or a {TemplateFileName} next to it");
        return new ChatTemplate(new JinjaTemplate(text, source + " (chat_template)"), SpecialTokensOf(config, source));
    }

    private static JsonObject ParseConfig(string json, string path)
    {
        try
        {
            return JsonNode.Parse(json) as JsonObject ?? throw new HuggingFaceInputException($"{path}: expected a JSON object");
        }
        catch (JsonException e)
        {
            throw new HuggingFaceInputException($"{path}: not valid JSON ({e.Message})");
        }
    }

    private static string? TemplateFromConfig(JsonObject config, string path)
    {
        switch (config["chat_template"])
        {
            case null:
                return null;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                return v.GetValue<string>();
            case JsonArray list:
                foreach (var entry in list)
                    if (entry is JsonObject o && o["name"]?.GetValueKind() == JsonValueKind.String && o["name"]!.GetValue<string>() == "default")
                        return o["template"] is JsonValue t && t.GetValueKind() == JsonValueKind.String ? t.GetValue<string>()
                            : throw new HuggingFaceInputException($"{path}: the \"default\" chat template has no \"template\" string");
                throw new HuggingFaceInputException($"{path}: chat_template is a list of named templates without one named \"default\"; "
                    + "Rewire renders the default template");
            default:
                throw new HuggingFaceInputException($"{path}: chat_template must be a string or a list of {{name, template}} objects");
        }
    }

    private static Dictionary<string, JsonNode?> SpecialTokensOf(JsonObject config, string path)
    {
        var tokens = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (string key in SpecialTokenKeys)
        {
            switch (config[key])
            {
                case null:
                    break;
                case JsonArray list:
                    tokens[key] = new JsonArray(list.Select(t => (JsonNode?)JsonValue.Create(TokenText(t, key, path))).ToArray());
                    break;
                case var token:
                    tokens[key] = JsonValue.Create(TokenText(token, key, path));
                    break;
            }
        }
        return tokens;
    }

    private static string TokenText(JsonNode? node, string key, string path) => node switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonObject o when o["content"] is JsonValue c && c.GetValueKind() == JsonValueKind.String => c.GetValue<string>(),
        _ => throw new HuggingFaceInputException($"{path}: {key} must be a string or an object with a \"content\" string"),
    };

    /// <summary>Renders plain messages.</summary>
    public string Render(IEnumerable<ChatMessage> messages, bool addGenerationPrompt, IReadOnlyDictionary<string, JsonNode?>? extra = null, TimeProvider? clock = null) =>
        Render(messages.Select(m => m.ToJson()).ToList(), addGenerationPrompt, null, null, extra, clock);

    /// <summary>Renders messages given as JSON objects (role, content, tool_calls, reasoning_content, ...), with
    /// optional tool schemas and documents and extra template variables.</summary>
    public string Render(IReadOnlyList<JsonObject> messages, bool addGenerationPrompt, JsonArray? tools = null, JsonArray? documents = null,
        IReadOnlyDictionary<string, JsonNode?>? extra = null, TimeProvider? clock = null)
    {
        var variables = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (k, v) in SpecialTokens)
            variables[k] = v?.DeepClone();
        if (extra is not null)
            foreach (var (k, v) in extra)
            {
                if (Reserved.Contains(k))
                    throw new ArgumentException($"'{k}' is set by Render itself; pass it as its own argument", nameof(extra));
                variables[k] = v?.DeepClone();
            }
        variables["messages"] = new JsonArray(messages.Select(m => (JsonNode?)m.DeepClone()).ToArray());
        variables["tools"] = tools?.DeepClone();
        variables["documents"] = documents?.DeepClone();
        variables["add_generation_prompt"] = addGenerationPrompt;
        return Template.Render(variables, clock);
    }

    /// <summary><c>apply_chat_template(..., continue_final_message=True)</c>: renders without a generation prompt and
    /// cuts the text right after the final message's content, so a model continues that (assistant) message instead of
    /// starting a new turn (no end-of-turn token after it). As transformers: the last occurrence of the stripped content
    /// is found; trailing whitespace of the content is kept only where the template kept it.</summary>
    public string RenderContinuingFinalMessage(IReadOnlyList<JsonObject> messages, JsonArray? tools = null, JsonArray? documents = null,
        IReadOnlyDictionary<string, JsonNode?>? extra = null, TimeProvider? clock = null)
    {
        if (messages.Count == 0)
            throw new ArgumentException("there is no final message to continue", nameof(messages));
        if (messages[^1]["content"] is not JsonValue content || content.GetValueKind() != JsonValueKind.String)
            throw new HuggingFaceInputException($"{Template.Source}: continuing the final message needs it to have text content");
        string final = content.GetValue<string>();
        string rendered = Render(messages, addGenerationPrompt: false, tools, documents, extra, clock);
        string stripped = Strip(final);
        int at = rendered.LastIndexOf(stripped, StringComparison.Ordinal);
        if (at < 0)
            throw new HuggingFaceInputException($"{Template.Source}: the final message does not appear in the rendered chat, so it cannot "
                + "be continued (the template changes or drops it); continue a message the template prints as it is");
        // transformers compares len(final.lstrip()) characters at the match with the whole final message: equal only
        // when the message has no leading whitespace and the template kept its trailing whitespace.
        int n = final.TrimStart(TemplateLexer.PythonWhitespace).Length;
        bool kept = at + n <= rendered.Length && rendered.Substring(at, n) == final;
        return rendered[..(at + (kept ? n : stripped.Length))];
    }

    private static string Strip(string s) => s.Trim(TemplateLexer.PythonWhitespace);
}
