using System.ComponentModel;
using System.Globalization;
using Rewire.HuggingFace;
using Rewire.Torch.Generation;
using Rewire.Torch.Models;
using Rewire.Torch.Models.HuggingFace;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Rewire.Cli.Commands;

/// <summary>`rewire logprobs --model DIR --prompt TEXT --completion TEXT`: teacher-forced log-probabilities of the
/// completion's tokens given the prompt, normalised over the ids the tokenizer knows (a padded head's extra rows excluded).</summary>
public sealed class LogprobsCommand : Command<LogprobsCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--model <DIR>")]
        [Description("A Hugging Face causal-LM folder.")]
        public string? Model { get; init; }

        [CommandOption("--prompt <TEXT>")]
        [Description("The prompt, raw text; encoded with the tokenizer's post-processor (BOS where it adds one).")]
        public string? Prompt { get; init; }

        [CommandOption("--completion <TEXT>")]
        [Description("The completion, raw text; encoded without special tokens.")]
        public string? Completion { get; init; }

        [CommandOption("--dtype <DTYPE>")]
        [Description(HfCommandSupport.DTypeHelp)]
        public string? DType { get; init; }

        [CommandOption("--json")]
        [Description("Print {prompt_tokens, completion_tokens, logprobs} as one JSON document.")]
        public bool Json { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrEmpty(Model)) return ValidationResult.Error("--model DIR is required (a Hugging Face model folder)");
            if (Prompt is null) return ValidationResult.Error("--prompt TEXT is required");
            if (HfCommandSupport.ParseDType(DType) is null) return ValidationResult.Error(HfCommandSupport.DTypeError(DType!));
            if (string.IsNullOrEmpty(Completion)) return ValidationResult.Error("--completion TEXT is required and must not be empty");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var model = HfCommandSupport.Open(settings.Model!, settings.DType);
        var prompt = HfCommandSupport.EncodePrompt(model, settings.Prompt!);
        var completion = model.Tokenizer.Encode(settings.Completion!, addSpecialTokens: false);
        if (prompt.Count + completion.Count - 1 > model.Network.ContextLength)
            throw new HuggingFaceInputException($"prompt and completion are {prompt.Count + completion.Count} tokens, more than the model's context of {model.Network.ContextLength} (max_position_embeddings)");
        IPolicy policy = new HfPolicy(model.Network);
        float[] logprobs;
        using (var scored = policy.Score([prompt], [completion], new ScoreOptions(PadId: model.PadId)))
            logprobs = scored.LogProbs[0].data<float>().ToArray()[..completion.Count];
        if (settings.Json)
        {
            JsonOutput.Write(new { prompt_tokens = prompt, completion_tokens = completion, logprobs });
            return ExitCodes.Done;
        }
        var table = new Table().AddColumn("id").AddColumn("token").AddColumn("log-prob");
        for (int i = 0; i < completion.Count; i++)
            table.AddRow(completion[i].ToString(CultureInfo.InvariantCulture), Markup.Escape(model.Tokenizer.Decode([completion[i]])), logprobs[i].ToString("0.####", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"sum {logprobs.Sum(x => (double)x).ToString("0.####", CultureInfo.InvariantCulture)} over {completion.Count} tokens");
        return ExitCodes.Done;
    }
}
