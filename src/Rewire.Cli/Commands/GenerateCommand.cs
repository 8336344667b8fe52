using System.ComponentModel;
using System.Globalization;
using Rewire.Core.Rewards;
using Rewire.HuggingFace;
using Rewire.HuggingFace.ChatTemplates;
using Rewire.Torch.Generation;
using Rewire.Torch.Models;
using Rewire.Torch.Models.HuggingFace;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Rewire.Cli.Commands;

/// <summary>`rewire generate --model DIR --prompt TEXT`: a continuation of raw text from a Hugging Face model folder,
/// stopping at the model's EOS ids (<c>generation_config.json</c>, else <c>config.json</c>).</summary>
public sealed class GenerateCommand : Command<GenerateCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--model <DIR>")]
        [Description("A Hugging Face causal-LM folder (config.json, tokenizer.json, safetensors weights).")]
        public string? Model { get; init; }

        [CommandOption("--prompt <TEXT>")]
        [Description("The prompt, as raw text (no chat template); encoded as the tokenizer's post-processor says.")]
        public string? Prompt { get; init; }

        [CommandOption("--chat")]
        [Description("Render the prompt as a user message with the folder's chat template (chat_template.jinja or tokenizer_config.json), with the generation prompt.")]
        public bool Chat { get; init; }

        [CommandOption("--system <TEXT>")]
        [Description("A system message before the user message (needs --chat).")]
        public string? System { get; init; }

        [CommandOption("--max-new-tokens <N>")]
        [Description("Tokens to generate at most (default: generation_config.json's max_new_tokens, else 64; never beyond the context).")]
        public int? MaxNewTokens { get; init; }

        [CommandOption("--temperature <T>")]
        [Description("Sampling temperature; 0 is greedy (default: generation_config.json's when it samples, else 0).")]
        public double? Temperature { get; init; }

        [CommandOption("--top-p <P>")]
        [Description("Nucleus sampling mass in (0, 1] (default: generation_config.json's top_p, else 1).")]
        public double? TopP { get; init; }

        [CommandOption("--seed <S>")]
        [Description("Seed of the sampling generator (default 0).")]
        public long Seed { get; init; }

        [CommandOption("--dtype <DTYPE>")]
        [Description(HfCommandSupport.DTypeHelp)]
        public string? DType { get; init; }

        [CommandOption("--json")]
        [Description("Print {prompt_tokens, tokens, text, finish} as one JSON document.")]
        public bool Json { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrEmpty(Model)) return ValidationResult.Error("--model DIR is required (a Hugging Face model folder)");
            if (Prompt is null) return ValidationResult.Error("--prompt TEXT is required");
            if (HfCommandSupport.ParseDType(DType) is null) return ValidationResult.Error(HfCommandSupport.DTypeError(DType!));
            if (System is not null && !Chat) return ValidationResult.Error("--system needs --chat (it is a message of the chat template)");
            if (MaxNewTokens is < 1) return ValidationResult.Error($"--max-new-tokens is {MaxNewTokens}; give at least 1");
            if (Temperature is { } t && (!(t >= 0) || !double.IsFinite(t))) return ValidationResult.Error($"--temperature is {t}; give 0 (greedy) or a positive number");
            if (TopP is { } p && !(p > 0 && p <= 1)) return ValidationResult.Error($"--top-p is {p}; give a value in (0, 1]");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var model = HfCommandSupport.Open(settings.Model!, settings.DType);
        var prompt = settings.Chat ? ChatIds(model, settings) : HfCommandSupport.EncodePrompt(model, settings.Prompt!);
        var g = model.Generation;
        double temperature = settings.Temperature ?? (g is { DoSample: true, Temperature: { } gt } ? gt : 0);
        double topP = settings.TopP ?? g?.TopP ?? 1.0;
        int wanted = settings.MaxNewTokens ?? g?.MaxNewTokens ?? 64;
        int room = model.Network.ContextLength - prompt.Count;
        int maxNew = Math.Min(wanted, room);
        if (maxNew < wanted && !settings.Json)
            Console.Error.WriteLine($"rewire: at most {maxNew} new tokens fit in the model's context of {model.Network.ContextLength}");
        var options = new GenerationOptions
        {
            MaxNewTokens = maxNew,
            Greedy = temperature == 0,
            Temperature = temperature == 0 ? 1.0 : temperature,
            TopP = topP,
            TopK = temperature == 0 ? 0 : Math.Max(0, g?.TopK ?? 0),
            StopTokens = model.EosTokenIds,
            PadId = model.PadId,
        };
        IPolicy policy = new HfPolicy(model.Network);
        var result = policy.Generate([prompt], options, settings.Seed)[0];
        string text = model.Tokenizer.Decode(result.Tokens, skipSpecialTokens: true);
        string finish = result.Finish == FinishReason.Stop ? "stop" : "length";
        if (settings.Json)
        {
            JsonOutput.Write(new { prompt_tokens = prompt, tokens = result.Tokens, text, finish });
            return ExitCodes.Done;
        }
        Console.Out.WriteLine(text);
        AnsiConsole.MarkupLine($"[grey]{result.Tokens.Length.ToString(CultureInfo.InvariantCulture)} tokens, finish: {finish}[/]");
        return ExitCodes.Done;
    }

    /// <summary>The prompt rendered by the chat template (as transformers' apply_chat_template with add_generation_prompt),
    /// encoded without the post-processor's tokens: the template writes its own BOS.</summary>
    private static List<int> ChatIds(Torch.Models.HuggingFace.HfModel model, Settings settings)
    {
        var template = ChatTemplate.Load(model.Directory)
            ?? throw new HuggingFaceInputException($"{model.Directory}: --chat needs a chat template (chat_template.jinja, or chat_template in tokenizer_config.json), and this folder has none");
        var messages = new List<ChatMessage>();
        if (settings.System is not null) messages.Add(new ChatMessage("system", settings.System));
        messages.Add(new ChatMessage("user", settings.Prompt!));
        var ids = ChatPrompt.Build(template, model.Tokenizer, messages, addGenerationPrompt: true).Ids.ToList();
        if (ids.Count == 0 || ids.Count >= model.Network.ContextLength)
            throw new HuggingFaceInputException($"the chat prompt encodes to {ids.Count} tokens; it must be at least 1 and leave room in the model's context of {model.Network.ContextLength}");
        return ids;
    }
}
