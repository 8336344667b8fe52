// How an episode's context grows, in two forms behind one interface: the small GPT's character layout (EpisodeFormat:
// action, end token, observation ending in the turn marker) and a Hugging Face chat model's chat template (ChatEpisode:
// instructions as the system message, the first observation as the user message, each action an assistant message,
// each later observation the next user message). Either way the runner appends the policy's generated tokens (mask 1)
// and then the tokens the dialogue returns (mask 0), so the context a turn was generated from is exactly the prefix
// that is scored.
using Rewire.Core.Configuration;
using Rewire.Core.Rewards;
using Rewire.HuggingFace;
using Rewire.HuggingFace.ChatTemplates;
using Rewire.Tasks.Environments;
using Rewire.Torch.Tokenizers;

namespace Rewire.Torch.Training;

/// <summary>One episode's growing context: the prompt tokens, then after each turn the tokens that follow the action.</summary>
public interface IEpisodeDialogue
{
    /// <summary>The context before the first turn.</summary>
    int[] PromptTokens { get; }

    /// <summary>The tokens (mask 0) that follow the policy's <paramref name="generated"/> tokens (text <paramref name="action"/>)
    /// when the environment answers <paramref name="observation"/> and the episode goes on.</summary>
    int[] Continue(IReadOnlyList<int> generated, string action, string observation);
}

/// <summary>Starts the dialogue of an episode from a start state.</summary>
public interface IEpisodeFormat
{
    /// <summary>The dialogue of an episode from <paramref name="start"/> in environment <paramref name="environment"/> (just reset).</summary>
    IEpisodeDialogue Start(Prompt start, ITextEnvironment environment);

    /// <summary>
    /// The tokens of <paramref name="action"/> as the policy would write it, ended by the token that ends a turn (the
    /// character layout's end token, a chat template's end-of-turn token): how a scripted expert's action (Mobile-R1's
    /// expert prefixes) enters a context.
    /// </summary>
    int[] ActionTokens(string action);
}

/// <summary>The small GPT's character layout: the prompt template's encoding, then each observation with its turn marker
/// (cut to env.max_observation_tokens, marker kept).</summary>
public sealed class CharacterEpisodeFormat(PromptTemplate template, ITokenizer tokenizer, int maxObservationTokens) : IEpisodeFormat
{
    /// <inheritdoc />
    public IEpisodeDialogue Start(Prompt start, ITextEnvironment environment) => new Dialogue(template.Encode(start, tokenizer), tokenizer, maxObservationTokens);

    /// <inheritdoc />
    public int[] ActionTokens(string action) => [.. tokenizer.Encode(action), tokenizer.EosId];

    private sealed class Dialogue(int[] prompt, ITokenizer tokenizer, int budget) : IEpisodeDialogue
    {
        public int[] PromptTokens => prompt;
        public int[] Continue(IReadOnlyList<int> generated, string action, string observation) => Episode.ObservationTokens(tokenizer, observation, budget);
    }
}

/// <summary>
/// A Hugging Face chat model's form of episodes: the environment's instructions (<see cref="IInstructedEnvironment"/>)
/// as the system message, its first observation (the start prompt without the character layout's turn marker) as the
/// user message, each action an assistant message ended by the template's end-of-turn token, each later observation the
/// next user message, cut to env.max_observation_tokens tokens of its own text (the template's tokens come on top).
/// </summary>
public sealed class ChatEpisodeFormat(HfTextSide text, int maxObservationTokens) : IEpisodeFormat
{
    private int? _endOfTurn;

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The template ends no assistant turn with a token generation stops at (the probe refuses such a model first).</exception>
    public int[] ActionTokens(string action)
    {
        _endOfTurn ??= ChatEpisode.EndOfTurn(text.Template, text.HfTokenizer, text.EosIds)
            ?? throw new InvalidOperationException($"'model.path' = '{text.Directory}': the chat template ends no assistant turn with a token generation stops at");
        return [.. text.Tokenizer.Encode(action), _endOfTurn.Value];
    }

    /// <inheritdoc />
    public IEpisodeDialogue Start(Prompt start, ITextEnvironment environment)
    {
        string? instructions = environment is IInstructedEnvironment i ? i.Instructions : null;
        try
        {
            return new Dialogue(ChatEpisode.Start(text.Template, text.HfTokenizer, instructions, FirstObservation(start)), text, maxObservationTokens);
        }
        catch (HuggingFaceInputException e)
        {
            throw new InvalidOperationException($"'model.path' = '{text.Directory}': the chat template failed on the start of episode {start.Id}: {e.Message}", e);
        }
    }

    /// <summary>
    /// The first observation of a start state: its prompt without the character layout's turn marker. A guided start
    /// (Agent-RLVR's hint, <see cref="EnvironmentGuidance.Guided"/>) is the unguided observation followed by the hint in
    /// words (<see cref="EnvironmentGuidance.InWords"/>): the chat model reads the task first and the plan after it, in the
    /// same user message, so the rest of the dialogue's tokens are those of the unguided episode.
    /// </summary>
    public static string FirstObservation(Prompt start)
    {
        var unguided = EnvironmentGuidance.Unguided(start);
        string observation = unguided.Text.EndsWith(EpisodeFormat.TurnMarker) ? unguided.Text[..^1] : unguided.Text;
        return EnvironmentGuidance.IsGuided(start) ? observation + EnvironmentGuidance.InWords(start.Meta(EnvironmentGuidance.HintKey)) : observation;
    }

    /// <summary><paramref name="observation"/> cut to its first <paramref name="budget"/> tokens.</summary>
    public static string Cut(ITokenizer tokenizer, string observation, int budget)
    {
        var ids = tokenizer.Encode(observation);
        return ids.Length <= budget ? observation : tokenizer.Decode(ids[..budget]);
    }

    /// <summary>
    /// The checks made before any work: the template ends an assistant turn with one of the ids generation stops at,
    /// and it is prefix-stable on three probe turns from <paramref name="probe"/> (the environment's instructions and first
    /// observation, short actions, the first observation again as each answer; no environment call): each render extends
    /// the one before, and the context built turn by turn is token for token the encoding of the template's full rendering. Returns the
    /// most template tokens a turn adds besides its observation's own (the end of the assistant turn, the user message's
    /// frame and the generation prompt), for the context budget. Throws <see cref="ConfigurationException"/> naming what fails.
    /// </summary>
    public static int Check(HfTextSide text, EnvironmentTask task, Prompt probe, int maxObservationTokens)
    {
        string model = $"'model.path' = '{text.Directory}'";
        try
        {
            if (ChatEpisode.EndOfTurn(text.Template, text.HfTokenizer, text.EosIds) is not { } end)
                throw new ConfigurationException([$"{model}: the chat template does not end an assistant turn with a token generation stops at "
                    + $"(eos ids {string.Join(", ", text.EosIds)} in generation_config.json): a turn could never end where the template ends it; add the template's end-of-turn token (such as <|im_end|> or <|eot_id|>) to eos_token_id"]);
            // Three probe turns: short actions, and the start's own observation (its real text, cut to the budget) as every answer.
            var env = task.Create();
            string first = FirstObservation(probe);
            var chat = ChatEpisode.Start(text.Template, text.HfTokenizer, env is IInstructedEnvironment i ? i.Instructions : null, first);
            var context = new List<int>(chat.PromptIds);
            int overhead = 0;
            foreach (string action in (string[])["1", "2", "3"])
            {
                int[] generated = [.. text.Tokenizer.Encode(action), end];
                string observation = Cut(text.Tokenizer, first, maxObservationTokens);
                var added = chat.Continue(generated, action, observation);
                context.AddRange(generated);
                context.AddRange(added);
                overhead = Math.Max(overhead, added.Length - text.Tokenizer.Encode(observation).Length);
                if (!context.SequenceEqual(text.HfTokenizer.Encode(chat.Text, addSpecialTokens: false)))
                    throw new ConfigurationException([$"{model}: after probe turn {chat.Turns} of a {task.Name} episode, the context built turn by turn is not the "
                        + "encoding of the chat template's rendering of the dialogue (the template is not prefix-stable in tokens); episodes in this template are not supported"]);
            }
            return overhead;
        }
        catch (HuggingFaceInputException e)
        {
            throw new ConfigurationException([$"{model}: episodes of '{task.Name}' in this chat template are not supported: {e.Message}"]);
        }
    }

    private sealed class Dialogue(ChatEpisode chat, HfTextSide text, int budget) : IEpisodeDialogue
    {
        public int[] PromptTokens { get; } = [.. chat.PromptIds];

        public int[] Continue(IReadOnlyList<int> generated, string action, string observation)
        {
            try
            {
                return chat.Continue(generated, action, Cut(text.Tokenizer, observation, budget));
            }
            catch (HuggingFaceInputException e)
            {
                throw new InvalidOperationException($"'model.path' = '{text.Directory}': {e.Message}", e);
            }
        }
    }
}
