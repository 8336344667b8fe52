// The text side of a Hugging Face model folder for training: its tokenizer behind the trainer's ITokenizer, its chat
// template, EOS and pad ids and context length, read without the weights (plain C#), so configuration checks and prompt
// encoding work before any tensor exists.
using Rewire.Core.Configuration;
using Rewire.Core.Rewards;
using Rewire.HuggingFace;
using Rewire.HuggingFace.ChatTemplates;
using Rewire.HuggingFace.Config;
using Rewire.HuggingFace.Tokenization;
using Rewire.Tasks;
using Rewire.Tasks.Chat;
using Rewire.Torch.Tokenizers;

namespace Rewire.Torch.Training;

/// <summary>Tokenizer, chat template, EOS/pad ids and context length of a Hugging Face model folder (no weights).</summary>
public sealed class HfTextSide
{
    private HfTextSide(string directory, HfModelConfig config, HfTokenizer tokenizer, ChatTemplate template, IReadOnlyList<int> eosIds, int padId)
    {
        Directory = directory;
        Config = config;
        HfTokenizer = tokenizer;
        Template = template;
        EosIds = eosIds;
        PadId = padId;
        ContextLength = config.SlidingWindow is { } w ? Math.Min(w, config.MaxPositionEmbeddings) : config.MaxPositionEmbeddings;
        Tokenizer = new HfTokenizerAdapter(tokenizer, eosIds, padId);
    }

    /// <summary>The Hugging Face model folder.</summary>
    public string Directory { get; }
    /// <summary>The architecture from <c>config.json</c>.</summary>
    public HfModelConfig Config { get; }
    /// <summary>The Hugging Face tokenizer from <c>tokenizer.json</c>.</summary>
    public HfTokenizer HfTokenizer { get; }
    /// <summary>The chat template prompts are rendered with.</summary>
    public ChatTemplate Template { get; }

    /// <summary>The ids generation stops at: generation_config.json's eos_token_id, else config.json's (ids the tokenizer knows).</summary>
    public IReadOnlyList<int> EosIds { get; }
    /// <summary>The id padded positions are filled with (never attended to).</summary>
    public int PadId { get; }

    /// <summary>max_position_embeddings (or a smaller sliding window), as the network enforces it.</summary>
    public int ContextLength { get; }

    /// <summary>The tokenizer as the trainer sees it.</summary>
    public ITokenizer Tokenizer { get; }

    /// <summary>
    /// Reads <paramref name="directory"/>'s config, generation config, tokenizer and chat template. Anything missing or
    /// unusable is a <see cref="ConfigurationException"/> (exit code 2) naming the file and what to change.
    /// </summary>
    public static HfTextSide Load(string directory)
    {
        if (!System.IO.Directory.Exists(directory))
            throw new ConfigurationException([$"'model.path' = '{directory}' is not a folder; give a Hugging Face model folder (config.json, tokenizer.json, *.safetensors)"]);
        try
        {
            var config = HfModelConfig.Load(directory);
            var generation = HfGenerationConfig.Load(directory);
            var tokenizer = HfTokenizer.Load(directory);
            int vocab = tokenizer.VocabularySize;
            var template = ChatTemplate.Load(directory)
                ?? throw new ConfigurationException([$"'model.path' = '{directory}' has no chat template (chat_template.jinja, or chat_template in tokenizer_config.json); training renders each task prompt as a chat with it: use an instruct model's folder or add a template"]);
            var eos = (generation is { EosTokenIds.Count: > 0 } g ? g.EosTokenIds : config.EosTokenIds).Where(id => id >= 0 && id < vocab).Distinct().ToArray();
            if (eos.Length == 0)
                throw new ConfigurationException([$"'model.path' = '{directory}': neither generation_config.json nor config.json gives an eos_token_id the tokenizer knows; generation could never stop: add eos_token_id to generation_config.json"]);
            int pad = (generation?.PadTokenId ?? config.PadTokenId) is { } p && p >= 0 && p < vocab ? p : eos[0];
            return new HfTextSide(directory, config, tokenizer, template, eos, pad);
        }
        catch (HuggingFaceInputException e)   // also a chat template that does not parse
        {
            throw new ConfigurationException([$"'model.path': {e.Message}"]);
        }
    }

    /// <summary>
    /// The prompt encoder of <paramref name="task"/>: its chat form (system message with the answer format, user turn)
    /// rendered with the model's chat template with add_generation_prompt, encoded without the post-processor's
    /// special tokens (the template writes its own BOS, so there is never a second one).
    /// </summary>
    public PromptTemplate PromptsOf(ITask task) => new(AddBos: false) { Encoder = prompt => Encode(task, prompt) };

    /// <summary>
    /// The prompt's chat form with <paramref name="feedback"/> appended to its last user message after a blank line (how
    /// Iterative Agent Decoding's later rounds read feedback), rendered and encoded as <see cref="PromptsOf"/> does.
    /// </summary>
    /// <param name="task">The task whose chat form the prompt takes.</param>
    /// <param name="prompt">The prompt.</param>
    /// <param name="feedback">Text for the last user message; null for the plain prompt.</param>
    public int[] Encode(ITask task, Prompt prompt, string? feedback)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(prompt);
        if (feedback is null) return Encode(task, prompt);
        var messages = Messages(task, prompt).ToList();
        int last = messages.FindLastIndex(m => m.Role == "user");
        if (last < 0) messages.Add(new Rewire.Tasks.Chat.ChatMessage("user", feedback));
        else messages[last] = messages[last] with { Content = $"{messages[last].Content}\n\n{feedback}" };
        return Render(prompt, messages);
    }

    private static IReadOnlyList<Rewire.Tasks.Chat.ChatMessage> Messages(ITask task, Prompt prompt) =>
        task is IChatTask chat ? chat.Chat(prompt).Messages : [new Rewire.Tasks.Chat.ChatMessage("user", prompt.Text)];

    private int[] Encode(ITask task, Prompt prompt) => Render(prompt, Messages(task, prompt));

    private int[] Render(Prompt prompt, IReadOnlyList<Rewire.Tasks.Chat.ChatMessage> messages)
    {
        try
        {
            return ChatPrompt.Build(Template, HfTokenizer, messages.Select(m => new Rewire.HuggingFace.ChatTemplates.ChatMessage(m.Role, m.Content)), addGenerationPrompt: true).Ids.ToArray();
        }
        catch (ChatTemplateException e)
        {
            throw new ConfigurationException([$"'model.path' = '{Directory}': the chat template failed on prompt {prompt.Id}: {e.Message}"]);
        }
    }
}

/// <summary>A Hugging Face tokenizer as the trainer's <see cref="ITokenizer"/>: text without special tokens, decoding that
/// skips special tokens, the model's first EOS id as <see cref="EosId"/>.</summary>
public sealed class HfTokenizerAdapter(HfTokenizer tokenizer, IReadOnlyList<int> eosIds, int padId) : ITokenizer
{
    /// <inheritdoc />
    public string Name => "hf";
    /// <inheritdoc />
    public int VocabSize => tokenizer.VocabularySize;
    /// <inheritdoc />
    public int PadId => padId;

    /// <summary>The token the post-processor puts first (Llama's BOS), else the first EOS id (never written by the trainer
    /// for chat prompts, whose template writes its own).</summary>
    public int BosId { get; } = tokenizer.Encode("", addSpecialTokens: true) is { Count: > 0 } ids ? ids[0] : eosIds[0];
    /// <inheritdoc />
    public int EosId => eosIds[0];
    /// <inheritdoc />
    public int[] Encode(string text) => tokenizer.Encode(text, addSpecialTokens: false).ToArray();
    /// <inheritdoc />
    public string Decode(IEnumerable<int> ids) => tokenizer.Decode(ids, skipSpecialTokens: true);
}
