using System.Text.Json.Nodes;
using Rewire.HuggingFace.ChatTemplates;
using Rewire.HuggingFace.Tests.Tokenization;

namespace Rewire.HuggingFace.Tests.ChatTemplates;

public class ChatPromptTests
{
    private static readonly ChatMessage[] Conversation = [new("system", "Be brief."), new("user", "Grüße! 2+2?")];

    [SkippableFact]
    public void Llama_prompt_has_exactly_one_begin_of_text()
    {
        // Llama 3.2 ships Llama 3.1's tokenizer.json (same vocabulary, special tokens and BOS post-processor).
        var (tokenizer, oracle) = LoadedTokenizers.Get(RealTokenizerFiles.Llama31);
        var template = ChatTemplate.Load(Fixtures.Path("chat", "models", "Llama-3.2-1B-Instruct"))!;
        var prompt = ChatPrompt.Build(template, tokenizer, Conversation, addGenerationPrompt: true,
            new Dictionary<string, JsonNode?> { ["date_string"] = "26 Jul 2024" });

        int bos = tokenizer.TokenToId("<|begin_of_text|>")!.Value;
        Assert.Equal(128000, bos);
        Assert.StartsWith("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n", prompt.Text);
        Assert.Equal(bos, prompt.Ids[0]);
        Assert.Single(prompt.Ids, id => id == bos);
        // The reference library adds BOS through the post-processor: given the text after the template's BOS it must
        // produce exactly our ids.
        Assert.Equal(oracle.Encode(prompt.Text["<|begin_of_text|>".Length..]), prompt.Ids);
        // Encoding with the post-processor would have doubled it: the reason for add_special_tokens=False.
        var doubled = tokenizer.Encode(prompt.Text, addSpecialTokens: true);
        Assert.Equal([bos, bos], doubled.Take(2));
        Assert.Equal(prompt.Text, tokenizer.Decode(prompt.Ids));
        Assert.Equal(tokenizer.TokenToId("<|start_header_id|>"), prompt.Ids[^4]);
        Assert.Equal(tokenizer.TokenToId("<|end_header_id|>"), prompt.Ids[^2]);
    }

    [SkippableFact]
    public void Qwen3_prompt_encodes_the_chat_markers_as_special_tokens()
    {
        var (tokenizer, oracle) = LoadedTokenizers.Get(RealTokenizerFiles.Qwen3);
        var template = ChatTemplate.Load(Fixtures.Path("chat", "models", "Qwen3-0.6B"))!;
        var prompt = ChatPrompt.Build(template, tokenizer, Conversation, addGenerationPrompt: true,
            new Dictionary<string, JsonNode?> { ["enable_thinking"] = false });
        Assert.EndsWith("<|im_start|>assistant\n<think>\n\n</think>\n\n", prompt.Text);
        Assert.Equal(tokenizer.TokenToId("<|im_start|>"), prompt.Ids[0]);
        Assert.Equal(oracle.Encode(prompt.Text), prompt.Ids); // Qwen's post-processor adds nothing
        Assert.Equal(3, prompt.Ids.Count(id => id == tokenizer.TokenToId("<|im_start|>")));
    }
}
