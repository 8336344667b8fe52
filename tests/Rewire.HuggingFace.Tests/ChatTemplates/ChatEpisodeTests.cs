using System.Text.Json.Nodes;
using Rewire.HuggingFace.ChatTemplates;
using Rewire.HuggingFace.Tests.Tokenization;
using Rewire.HuggingFace.Tokenization;

namespace Rewire.HuggingFace.Tests.ChatTemplates;

/// <summary>
/// Episodes in published chat templates, tokenized turn by turn: the context built incrementally (prompt, the policy's
/// tokens as generated, then what <see cref="ChatEpisode.Continue"/> returns) is token for token the encoding of the
/// template's rendering of the whole dialogue after every turn (prefix stability), the end-of-turn token is found and
/// never written twice, and Qwen3's template, which re-renders earlier assistant turns, is refused.
/// </summary>
public class ChatEpisodeTests
{
    private static readonly string[] Specials =
        ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"];

    /// <summary>A byte-level tokenizer (id = byte) with the chat markers of the templates as special tokens 256...</summary>
    private static HfTokenizer Tokenizer()
    {
        var json = TinyTokenizer.Json([]);
        json["added_tokens"] = new JsonArray(Specials.Select((s, i) => (JsonNode)new JsonObject
        {
            ["id"] = 256 + i, ["content"] = s, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
        }).ToArray());
        return TinyTokenizer.Load(json);
    }

    private static readonly Dictionary<string, JsonNode?> Date = new() { ["date_string"] = "26 Jul 2024" };

    [Theory]
    [InlineData("Qwen2.5-0.5B-Instruct", "<|im_end|>")]
    [InlineData("SmolLM2-135M-Instruct", "<|im_end|>")]
    [InlineData("Llama-3.2-1B-Instruct", "<|eot_id|>")]
    public void TheContextBuiltTurnByTurnIsTheEncodingOfTheWholeRenderedDialogue(string model, string end)
    {
        var template = ChatTemplate.Load(Fixtures.Path("chat", "models", model))!;
        var tokenizer = Tokenizer();
        int eot = tokenizer.TokenToId(end)!.Value, endOfText = tokenizer.TokenToId("<|endoftext|>")!.Value;
        Assert.Equal(eot, ChatEpisode.EndOfTurn(template, tokenizer, [endOfText, eot], Date));

        var chat = ChatEpisode.Start(template, tokenizer, "Guess the number.", "1-64?", extra: Date);
        var messages = new List<ChatMessage> { new("system", "Guess the number."), new("user", "1-64?") };
        Assert.Equal(template.Render(messages, addGenerationPrompt: true, Date), chat.Text);
        var context = new List<int>(chat.PromptIds);
        foreach (var (action, observation) in new[] { ("32", "32 higher"), ("48", "48 lower"), ("40", "40 higher") })
        {
            int[] generated = [.. tokenizer.Encode(action, addSpecialTokens: false), eot];
            var added = chat.Continue(generated, action, observation);
            Assert.NotEqual(eot, added[0]);   // the policy's end of turn is not written a second time
            context.AddRange(generated);
            context.AddRange(added);
            messages.Add(new ChatMessage("assistant", action));
            messages.Add(new ChatMessage("user", observation));
            string whole = template.Render(messages, addGenerationPrompt: true, Date);
            Assert.Equal(whole, chat.Text);
            Assert.Equal(tokenizer.Encode(whole, addSpecialTokens: false), context);
        }
        Assert.Equal(3, chat.Turns);
    }

    [Fact]
    public void AQwen2TurnPinsTheTokensAfterTheEndOfTurn()
    {
        var template = ChatTemplate.Load(Fixtures.Path("chat", "models", "Qwen2.5-0.5B-Instruct"))!;
        var tokenizer = Tokenizer();
        var chat = ChatEpisode.Start(template, tokenizer, null, "1-64?");
        // Without a system message Qwen2.5 writes its default one.
        Assert.StartsWith("<|im_start|>system\nYou are Qwen", chat.Text);
        Assert.EndsWith("<|im_start|>user\n1-64?<|im_end|>\n<|im_start|>assistant\n", chat.Text);
        var added = chat.Continue([(int)'3', (int)'2', 258], "32", "32 higher");
        // "\n", <|im_start|>, "user\n32 higher", <|im_end|>, "\n", <|im_start|>, "assistant\n" (ids: bytes; 257 <|im_start|>, 258 <|im_end|>).
        int[] expected = [10, 257, .. "user\n32 higher"u8.ToArray().Select(b => (int)b), 258, 10, 257, .. "assistant\n"u8.ToArray().Select(b => (int)b)];
        Assert.Equal(expected, added);
        // A turn cut by the token budget ("4" and no end token): the template's <|im_end|> follows as context.
        added = chat.Continue([(int)'4'], "4", "4 higher");
        Assert.Equal([258, 10, 257], added[..3]);
    }

    [Fact]
    public void Qwen3sTemplateIsRefusedBecauseItReRendersEarlierAssistantTurns()
    {
        var template = ChatTemplate.Load(Fixtures.Path("chat", "models", "Qwen3-0.6B"))!;
        var tokenizer = Tokenizer();
        var chat = ChatEpisode.Start(template, tokenizer, null, "1-64?");
        var e = Assert.Throws<HuggingFaceInputException>(() => chat.Continue([(int)'3', (int)'2', 258], "32", "32 higher"));
        Assert.Contains("changes how the chat template renders the earlier turns", e.Message);
    }
}
