using System.Text.Json.Nodes;
using Rewire.HuggingFace.ChatTemplates;

namespace Rewire.HuggingFace.Tests.ChatTemplates;

public class ChatTemplateTests
{
    private static readonly ChatMessage[] Hello = [new("user", "Hello")];

    private static string Model(string name) => Fixtures.Path("chat", "models", name);

    private static string CopyModel(TempDirectory dir, string name)
    {
        File.Copy(Path.Combine(Model(name), ChatTemplate.ConfigFileName), Path.Combine(dir.Path, ChatTemplate.ConfigFileName));
        return dir.Path;
    }

    [Fact]
    public void Chat_template_jinja_overrides_the_config_template()
    {
        using var dir = new TempDirectory();
        CopyModel(dir, "Qwen3-0.6B");
        File.WriteAllText(Path.Combine(dir.Path, ChatTemplate.TemplateFileName), "{{ eos_token }}{% for m in messages %}[{{ m.role }}:{{ m.content }}]{% endfor %}\n");
        var template = ChatTemplate.Load(dir.Path)!;
        Assert.Equal("<|im_end|>[user:Hello]", template.Render(Hello, addGenerationPrompt: true));
        Assert.EndsWith(ChatTemplate.TemplateFileName, template.Template.Source);
    }

    [Fact]
    public void A_list_of_named_templates_uses_the_default_one()
    {
        string json = """{"bos_token": {"content": "<s>", "__type": "AddedToken"}, "chat_template": [{"name": "tool_use", "template": "tools"}, {"name": "default", "template": "{{ bos_token }}{{ messages[0].content }}"}]}""";
        var template = ChatTemplate.FromTokenizerConfig(json, "cfg");
        Assert.Equal("<s>Hello", template.Render(Hello, false));
    }

    [Fact]
    public void A_list_without_a_default_is_refused()
    {
        var e = Assert.Throws<HuggingFaceInputException>(() =>
            ChatTemplate.FromTokenizerConfig("""{"chat_template": [{"name": "rag", "template": "x"}]}""", "cfg"));
        Assert.Contains("default", e.Message);
    }

    [Fact]
    public void A_folder_without_a_template_has_none()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(Path.Combine(dir.Path, ChatTemplate.ConfigFileName), """{"eos_token": "</s>"}""");
        Assert.Null(ChatTemplate.Load(dir.Path));
    }

    [Fact]
    public void Special_tokens_come_from_the_config_and_unset_ones_stay_undefined()
    {
        var template = ChatTemplate.Load(Model("Qwen3-0.6B"))!;
        Assert.Equal("<|im_end|>", template.SpecialTokens["eos_token"]!.GetValue<string>());
        Assert.False(template.SpecialTokens.ContainsKey("bos_token"));
        var probe = new ChatTemplate(new JinjaTemplate("{{ bos_token is defined }} {{ eos_token }} {{ additional_special_tokens[0] }}", "probe"), template.SpecialTokens);
        Assert.Equal("False <|im_end|> <|im_start|>", probe.Render(Hello, false));
    }

    [Fact]
    public void Tools_and_documents_are_none_when_not_given()
    {
        var template = new ChatTemplate(new JinjaTemplate("{{ tools is none }} {{ documents is none }} {{ tools is defined }} {{ add_generation_prompt }}", "t"), new Dictionary<string, JsonNode?>());
        Assert.Equal("True True True True", template.Render(Hello, true));
    }

    [Fact]
    public void A_syntax_error_is_reported_when_loading_with_file_and_line()
    {
        using var dir = new TempDirectory();
        CopyModel(dir, "SmolLM2-135M-Instruct");
        File.WriteAllText(Path.Combine(dir.Path, ChatTemplate.TemplateFileName), "line one\n{% for m in messages %}\n{{ m.content }\n{% endfor %}");
        var e = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Load(dir.Path));
        Assert.Equal(3, e.Line);
        Assert.Contains(ChatTemplate.TemplateFileName, e.Message);
        Assert.Contains("syntax error", e.Message);
        Assert.IsAssignableFrom<HuggingFaceInputException>(e);
    }

    [Theory]
    [InlineData("a\n\n{{ raise_exception('roles must alternate') }}", 3, "the template raised an error: roles must alternate")]
    [InlineData("{% for m in messages %}\n{{ m.content | shout }}\n{% endfor %}", 2, "no filter named 'shout'")]
    [InlineData("{{ messages is loud }}", 1, "no test named 'loud'")]
    [InlineData("\n{{ missing.content }}", 2, "'missing' is undefined")]
    [InlineData("{{ messages[0].content + 1 }}", 1, "unsupported operand type(s) for +: 'str' and 'int'")]
    [InlineData("{% if true %}\nopen", 2, "unexpected end of template")]
    [InlineData("{% set messages.x = 1 %}", 1, "non-namespace")]
    [InlineData("{{ messages.append(1) }}", 1, "has no attribute 'append'")]
    [InlineData("{% macro f(n) %}\n{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", 2, "macro calls nested more than 100 deep")]
    [InlineData("\n{{ '\\x4' }}", 2, "truncated \\x escape")]
    [InlineData("{{ 9223372036854775807 + 1 }}", 1, "integer overflow")]
    [InlineData("{% for m in messages recursive %}{% endfor %}", 1, "recursive for loops are not supported")]
    [InlineData("{% raw %}x{% endraw %}", 1, "unknown tag 'raw'")]
    [InlineData("{{ '%s' % 1 }}", 1, "printf-style")]
    public void Rendering_failures_name_the_line_and_the_reason(string text, int line, string reason)
    {
        var e = Assert.Throws<ChatTemplateException>(() =>
            new ChatTemplate(new JinjaTemplate(text, "my-template"), new Dictionary<string, JsonNode?>()).Render(Hello, true));
        Assert.Equal(line, e.Line);
        Assert.Contains(reason, e.Reason);
        Assert.StartsWith("my-template: chat template line ", e.Message);
    }

    [Fact]
    public void Nesting_beyond_the_limit_is_an_error_not_a_stack_overflow()
    {
        string deep = new string('(', 5000) + "1" + new string(')', 5000);
        var e = Assert.Throws<ChatTemplateException>(() => new JinjaTemplate("{{ " + deep + " }}", "deep"));
        Assert.Contains("nests blocks or expressions more than", e.Reason);
        string blocks = string.Concat(Enumerable.Repeat("{% if true %}", 1000)) + string.Concat(Enumerable.Repeat("{% endif %}", 1000));
        Assert.Throws<ChatTemplateException>(() => new JinjaTemplate(blocks, "blocks"));
        string ok = string.Concat(Enumerable.Repeat("{% if true %}", 50)) + "x" + string.Concat(Enumerable.Repeat("{% endif %}", 50));
        Assert.Equal("x", new JinjaTemplate(ok, "ok").Render(new Dictionary<string, JsonNode?>()));
    }

    [Fact]
    public void Numbers_keep_their_python_kind()
    {
        var template = new JinjaTemplate("{{ a }} {{ b }} {{ c }} {{ d }} {{ e }} {{ p }} {{ p | tojson }}", "n");
        var parsed = JsonNode.Parse("""{"x": [1.0, 2, 1e3]}""")!["x"]!.AsArray();
        string text = template.Render(new Dictionary<string, JsonNode?>
        {
            ["a"] = 1.0, ["b"] = 2, ["c"] = 0.5f, ["d"] = -7L, ["e"] = 2.5m, ["p"] = parsed.DeepClone(),
        });
        Assert.Equal("1.0 2 0.5 -7 2.5 [1.0, 2, 1000.0] [1.0, 2, 1000.0]", text);
    }

    [Fact]
    public void Generation_blocks_render_their_body()
    {
        var template = new JinjaTemplate("{% for m in messages %}{% generation %}[{{ m.content }}]{% endgeneration %}{% endfor %}", "g");
        Assert.Equal("[a][b]", template.Render(new Dictionary<string, JsonNode?> { ["messages"] = new JsonArray(new JsonObject { ["content"] = "a" }, new JsonObject { ["content"] = "b" }) }));
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
    }

    [Fact]
    public void Llama_prints_today_from_strftime_now_without_a_date_string()
    {
        var template = ChatTemplate.Load(Model("Llama-3.2-1B-Instruct"))!;
        string text = template.Render(Hello, true, clock: new FixedClock(new DateTimeOffset(2026, 3, 5, 23, 59, 0, TimeSpan.Zero)));
        Assert.Contains("Today Date: 05 Mar 2026\n", text);
        string fixedDate = template.Render(Hello, true, new Dictionary<string, JsonNode?> { ["date_string"] = "26 Jul 2024" });
        Assert.Contains("Today Date: 26 Jul 2024\n", fixedDate);
    }

    [Fact]
    public void Strftime_directives_match_python()
    {
        var t = new DateTime(2026, 12, 1, 7, 5, 9);
        var template = new JinjaTemplate("{{ strftime_now('%Y-%m-%d %H:%M:%S %a %A %b %B %y %j %I%p %%') }}", "t");
        string text = template.Render(new Dictionary<string, JsonNode?>(), new FixedClock(new DateTimeOffset(t, TimeSpan.Zero)));
        Assert.Equal("2026-12-01 07:05:09 Tue Tuesday Dec December 26 335 07AM %", text);
    }

    [Fact]
    public void Continuing_a_message_the_template_drops_is_refused()
    {
        var template = new ChatTemplate(new JinjaTemplate("{% for m in messages %}{{ m.content | upper }}{% endfor %}", "upper"), new Dictionary<string, JsonNode?>());
        var e = Assert.Throws<HuggingFaceInputException>(() => template.RenderContinuingFinalMessage([new ChatMessage("assistant", "quiet").ToJson()]));
        Assert.Contains("does not appear", e.Message);
    }

    [Fact]
    public void Render_refuses_extra_variables_that_shadow_its_own()
    {
        var template = ChatTemplate.Load(Model("Qwen3-0.6B"))!;
        Assert.Throws<ArgumentException>(() => template.Render(Hello, true, new Dictionary<string, JsonNode?> { ["messages"] = new JsonArray() }));
    }
}
