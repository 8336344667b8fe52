using System.Text;
using Rewire.Core.Configuration;
using Rewire.Core.Rewards;
using Rewire.Tasks;
using Rewire.Tasks.Environments;
using Rewire.Tests.Shared;
using Rewire.Torch.Generation;
using Rewire.Torch.Models;
using Rewire.Torch.Tokenizers;
using Rewire.Torch.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rewire.Torch.Tests.Training;

/// <summary>
/// Episodes of a Hugging Face chat model (the chat-template form): a hand-written two-turn guess episode pinned token
/// for token with its loss mask (only the assistant's tokens trained), the context each turn was generated from being
/// exactly the prefix that is scored, the preflight probe of the template, and templates that are refused.
/// </summary>
[Collection("torch")]
public sealed class ChatEpisodeTests : IDisposable
{
    private const int ImStart = 257, ImEnd = 258, EndOfText = 256;

    /// <summary>Qwen2.5's ChatML layout (its template without the tool branches).</summary>
    private const string ChatMl =
        "{%- if messages[0]['role'] == 'system' %}{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}{%- endif %}"
        + "{%- for message in messages %}{%- if not (message.role == 'system' and loop.first) %}"
        + "{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}{%- endif %}{%- endfor %}"
        + "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";

    private readonly string _dir = Directory.CreateTempSubdirectory("rewire-chatepisode").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    /// <summary>A copy of the tiny qwen3 fixture (byte-level: id = byte value; 256 endoftext, 257 im_start, 258 im_end) with <paramref name="template"/>.</summary>
    private string Model(string template)
    {
        string model = HfFixtures.CopyTo("qwen3", Path.Combine(_dir, "m" + Guid.NewGuid().ToString("N")[..6]));
        File.WriteAllText(Path.Combine(model, "chat_template.jinja"), template);
        return model;
    }

    /// <summary>Token ids by hand: text is its bytes, ints are token ids.</summary>
    private static int[] Ids(params object[] parts) =>
        parts.SelectMany(p => p is string s ? Encoding.UTF8.GetBytes(s).Select(b => (int)b) : [(int)p]).ToArray();

    private static EnvironmentTask Guess(int turns = 2) => new("guess", () => new GuessingEnvironment(), turns);

    /// <summary>A start state whose secret is neither 32 nor 48.</summary>
    private static (Prompt Start, int Secret) StartState(EnvironmentTask task)
    {
        for (int i = 0; ; i++)
        {
            var p = task.Generate(Split.Train, 1, i);
            var env = new GuessingEnvironment();
            env.Reset(EnvironmentTask.SeedOf(p));
            if (env.Secret is not (32 or 48)) return (p, env.Secret);
        }
    }

    [Fact]
    public void ATwoTurnGuessEpisodeRendersInTheChatTemplateWithOnlyTheAssistantTokensTrained()
    {
        var text = HfTextSide.Load(Model(ChatMl));
        var task = Guess();
        var (start, secret) = StartState(task);
        // Turn 1: "32" and the end of turn; turn 2: "48" and the end of turn.
        using var policy = new ScriptedPolicy([Ids("32", ImEnd), Ids("48", ImEnd)]);
        var runner = new EpisodeRunner(policy, text.Tokenizer, text.PromptsOf(task), task, Generation(text), new EnvOptions { MaxTurns = 2 },
            new Rewire.Classic.Control.EnvironmentCallGuard(null, 4), new ChatEpisodeFormat(text, 32));
        using var g = new torch.Generator(1);
        var e = Assert.Single(runner.Run([start], 1, g));

        string instructions = new GuessingEnvironment().Instructions;
        int[] prompt = Ids(ImStart, "system\n" + instructions, ImEnd, "\n", ImStart, "user\n1-64?", ImEnd, "\n", ImStart, "assistant\n");
        string feedback = secret > 32 ? "32 higher" : "32 lower";
        int[] observation = Ids("\n", ImStart, "user\n" + feedback, ImEnd, "\n", ImStart, "assistant\n");
        Assert.Equal(prompt, e.PromptTokens);
        Assert.Equal([.. Ids("32", ImEnd), .. observation, .. Ids("48", ImEnd)], e.Tokens);
        // Only the assistant's tokens (its text and its <|im_end|>) are trained; the template's and the observation's are not.
        float[] mask = [1, 1, 1, .. Enumerable.Repeat(0f, observation.Length), 1, 1, 1];
        Assert.Equal(mask, e.Mask);
        Assert.Equal(2, e.Turns.Count);
        Assert.Equal(["32", "48"], e.Turns.Select(t => t.Action));
        Assert.Equal([2, e.Tokens.Count - 1], e.Turns.Select(t => t.End));
        Assert.Equal([0.1, secret > 32 ? 0.1 : 0], e.StepRewards.Select(r => Math.Round(r, 6)));
        // What the policy generated turn 2 from is exactly the scored prefix, and that prefix is the template's own encoding
        // of the dialogue (prefix stability: the whole dialogue re-rendered encodes to the same tokens).
        Assert.Equal([.. e.PromptTokens, .. e.Tokens.Take(3 + observation.Length)], policy.Contexts[1]);
        var messages = new Rewire.HuggingFace.ChatTemplates.ChatMessage[]
        {
            new("system", instructions), new("user", "1-64?"), new("assistant", "32"), new("user", feedback),
        };
        Assert.Equal(policy.Contexts[1], Rewire.HuggingFace.ChatTemplates.ChatPrompt.Build(text.Template, text.HfTokenizer, messages, addGenerationPrompt: true).Ids);
    }

    [Fact]
    public void ATurnEndedByAnotherStopTokenOrCutByTheBudgetGetsTheTemplatesWholeEndOfTurnAsContext()
    {
        var text = HfTextSide.Load(Model(ChatMl));
        var task = Guess(3);
        var (start, _) = StartState(task);
        // Turn 1 stops at <|endoftext|> (also a stop id of the model), turn 2 is cut by the token budget (no stop token).
        using var policy = new ScriptedPolicy([Ids("32", EndOfText), Ids("48"), Ids("1", ImEnd)]);
        var runner = new EpisodeRunner(policy, text.Tokenizer, text.PromptsOf(task), task, Generation(text), new EnvOptions { MaxTurns = 3 },
            new Rewire.Classic.Control.EnvironmentCallGuard(null, 4), new ChatEpisodeFormat(text, 32));
        using var g = new torch.Generator(1);
        var e = Assert.Single(runner.Run([start], 1, g));
        var tokens = e.Tokens.ToArray();
        // After <|endoftext|> (trained: the policy wrote it) the template's <|im_end|> follows as context; after "48" as well.
        Assert.Equal(Ids("32", EndOfText, ImEnd, "\n", ImStart), tokens[..6]);
        int second = Array.IndexOf(tokens, (int)'4');
        Assert.Equal(Ids("48", ImEnd, "\n", ImStart), tokens[second..(second + 5)]);
        Assert.Equal([1f, 1f, 1f, 0f], e.Mask.Take(4));
        Assert.Equal([1f, 1f, 0f], e.Mask.Skip(second).Take(3));
    }

    [Fact]
    public void ThePreflightProbeAcceptsChatMlAndRefusesTemplatesThatReRenderEarlierTurnsOrNeverEndATurn()
    {
        var task = Guess(4);
        var (start, _) = StartState(task);
        // ChatML: per turn, besides the observation's own tokens, "\n<|im_start|>user\n" + "<|im_end|>\n<|im_start|>assistant\n" = 7 + 13.
        Assert.Equal(20, ChatEpisodeFormat.Check(HfTextSide.Load(Model(ChatMl)), task, start, 32));

        // Numbering turns from the end re-renders every earlier turn as the dialogue grows.
        string unstable = "{%- for m in messages %}<|im_start|>{{ m.role }}{{ messages|length - loop.index0 }}\n{{ m.content }}<|im_end|>\n{%- endfor %}"
            + "{%- if add_generation_prompt %}<|im_start|>assistant\n{%- endif %}";
        var e = Assert.Throws<ConfigurationException>(() => ChatEpisodeFormat.Check(HfTextSide.Load(Model(unstable)), task, start, 32));
        Assert.Contains("not supported", e.Message);
        Assert.Contains("changes how the chat template renders", e.Message);

        // A template that ends assistant turns with a token generation does not stop at.
        string noEnd = "{%- for m in messages %}[{{ m.role }}]{{ m.content }}\n{%- endfor %}{%- if add_generation_prompt %}[assistant]{%- endif %}";
        e = Assert.Throws<ConfigurationException>(() => ChatEpisodeFormat.Check(HfTextSide.Load(Model(noEnd)), task, start, 32));
        Assert.Contains("does not end an assistant turn with a token generation stops at", e.Message);
    }

    [Fact]
    public void ATemplateThatDropsTheThinkingOfEarlierTurnsPassesTheProbeButStopsTheRunWhenThePolicyThinks()
    {
        // Like Qwen3's: an assistant turn's <think>...</think> block is printed only while it is the last message.
        string thinking = "{%- for m in messages %}{%- set c = m.content %}"
            + "{%- if m.role == 'assistant' and not loop.last and '</think>' in c %}{%- set c = c.split('</think>')[-1] %}{%- endif %}"
            + "{{- '<|im_start|>' + m.role + '\\n' + c + '<|im_end|>\\n' }}{%- endfor %}"
            + "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";
        var text = HfTextSide.Load(Model(thinking));
        var task = Guess();
        var (start, _) = StartState(task);
        Assert.Equal(20, ChatEpisodeFormat.Check(text, task, start, 32));   // short actions without thinking: stable
        using var policy = new ScriptedPolicy([Ids("<think>x</think>32", ImEnd), Ids("48", ImEnd)]);
        var runner = new EpisodeRunner(policy, text.Tokenizer, text.PromptsOf(task), task, new GenerationOptions { MaxNewTokens = 24, StopTokens = text.EosIds, PadId = text.PadId },
            new EnvOptions { MaxTurns = 2 }, new Rewire.Classic.Control.EnvironmentCallGuard(null, 4), new ChatEpisodeFormat(text, 32));
        using var g = new torch.Generator(1);
        var e = Assert.Throws<InvalidOperationException>(() => runner.Run([start], 1, g));
        Assert.Contains("changes how the chat template renders the earlier turns", e.Message);
    }

    private static GenerationOptions Generation(HfTextSide text) =>
        new() { MaxNewTokens = 3, StopTokens = text.EosIds, PadId = text.PadId };

    /// <summary>A policy that writes scripted turns (every episode the same turn k at turn k) and records the contexts it was given.</summary>
    private sealed class ScriptedPolicy(int[][] turns) : IPolicy
    {
        private int _turn;
        public List<int[]> Contexts { get; } = [];
        public int VocabSize => 259;
        public int ContextLength => 1024;

        public IReadOnlyList<GeneratedSequence> Generate(IReadOnlyList<IReadOnlyList<int>> prompts, GenerationOptions options, Generator generator)
        {
            var t = turns[_turn++];
            Contexts.AddRange(prompts.Select(p => p.ToArray()));
            var finish = options.StopTokens.Contains(t[^1]) ? FinishReason.Stop : FinishReason.Length;
            return prompts.Select(p => new GeneratedSequence(p.ToArray(), t, new float[t.Length], new float[t.Length], finish)).ToArray();
        }

        public ScoredTokens Score(IReadOnlyList<IReadOnlyList<int>> prompts, IReadOnlyList<IReadOnlyList<int>> responses, ScoreOptions options) => throw new NotSupportedException();
        public Tensor NextTokenLogits(IReadOnlyList<IReadOnlyList<int>> sequences, int padId) => throw new NotSupportedException();
        public Tensor Forward(Tensor tokens) => throw new NotSupportedException();
        public IEnumerable<Parameter> Parameters() => [];
        public IPolicy CloneFrozen() => throw new NotSupportedException();
        public void Dispose() { }
    }
}
