using System.Text.Json.Nodes;
using Rewire.HuggingFace.ChatTemplates;

namespace Rewire.HuggingFace.Tests.ChatTemplates;

/// <summary>Every case of tools/hf-fixtures/render_chat_templates.py (real templates of Qwen2.5, Qwen3, Llama 3.2 and
/// SmolLM2 on many conversations, and one small template per Jinja construct) rendered by us must equal, byte for byte,
/// what Python's jinja2 rendered in Hugging Face's environment; where jinja2 failed we must throw
/// <see cref="ChatTemplateException"/>.</summary>
public class ChatTemplateFixtureTests
{
    private static readonly Lazy<(JsonArray Cases, JsonObject Expected)> Data = new(() => (
        (JsonArray)JsonNode.Parse(File.ReadAllText(Fixtures.Path("chat", "cases.json")))!,
        (JsonObject)JsonNode.Parse(File.ReadAllText(Fixtures.Path("chat", "expected.json")))!));

    public static TheoryData<string> CaseNames()
    {
        var names = new TheoryData<string>();
        foreach (var c in Data.Value.Cases)
            names.Add(c!["name"]!.GetValue<string>());
        return names;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Renders_like_jinja2_with_hugging_face_settings(string name)
    {
        var c = (JsonObject)Data.Value.Cases.Single(x => x!["name"]!.GetValue<string>() == name)!;
        var expected = (JsonObject)Data.Value.Expected[name]!;
        var messages = ((JsonArray?)c["messages"] ?? []).Select(m => (JsonObject)m!).ToList();
        var extra = ((JsonObject?)c["extra"] ?? []).ToDictionary(kv => kv.Key, kv => kv.Value);
        bool addGenerationPrompt = c["add_generation_prompt"]?.GetValue<bool>() ?? false;

        string Render()
        {
            ChatTemplate template = c["model"] is { } model
                ? ChatTemplate.Load(Fixtures.Path("chat", "models", model.GetValue<string>()))!
                : new ChatTemplate(new JinjaTemplate(c["template"]!.GetValue<string>(), name), new Dictionary<string, JsonNode?>());
            return c["continue_final_message"]?.GetValue<bool>() == true
                ? template.RenderContinuingFinalMessage(messages, (JsonArray?)c["tools"], (JsonArray?)c["documents"], extra)
                : template.Render(messages, addGenerationPrompt, (JsonArray?)c["tools"], (JsonArray?)c["documents"], extra);
        }

        if (expected["text"] is { } text)
        {
            Assert.Equal(text.GetValue<string>(), Render());
            return;
        }
        string error = expected["error"]!.GetValue<string>();
        var e = Assert.ThrowsAny<HuggingFaceInputException>(Render);
        if (error.StartsWith("TemplateError: ", StringComparison.Ordinal))
            Assert.Contains(error["TemplateError: ".Length..], e.Message);
    }
}
