using System.ComponentModel;
using System.Globalization;
using Rewire.Torch.Models.HuggingFace;
using Rewire.Torch.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Rewire.Cli.Commands;

/// <summary>`rewire bench model --model DIR | --preset NAME`: throughput and peak memory of a Hugging Face model (<see cref="HfModelBenchmark"/>).</summary>
public sealed class BenchModelCommand : Command<BenchModelCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--model <DIR>")]
        [Description("A Hugging Face model folder to measure.")]
        public string? Model { get; init; }

        [CommandOption("--preset <NAME>")]
        [Description("A random model of a published shape instead: smollm2-135m or qwen2.5-0.5b.")]
        public string? Preset { get; init; }

        [CommandOption("--prompt-tokens <N>")]
        [Description("Prompt length of the prefill and decode figures (default 128).")]
        public int PromptTokens { get; init; } = 128;

        [CommandOption("--new-tokens <N>")]
        [Description("Tokens decoded per measurement (default 32).")]
        public int NewTokens { get; init; } = 32;

        [CommandOption("--seed <S>")]
        [Description("Seed of the random model and prompts (default 0).")]
        public long Seed { get; init; }

        [CommandOption("--dtype <DTYPE>")]
        [Description(HfCommandSupport.DTypeHelp + " A bfloat16 model measures inference only.")]
        public string? DType { get; init; }

        [CommandOption("--json")]
        [Description("Print the figures as one JSON document.")]
        public bool Json { get; init; }

        public override ValidationResult Validate()
        {
            if ((Model is null) == (Preset is null)) return ValidationResult.Error("give exactly one of --model DIR or --preset NAME");
            if (Preset is not null && !HfModelBenchmark.Presets.ContainsKey(Preset))
                return ValidationResult.Error($"--preset \"{Preset}\" is unknown; choose one of {string.Join(", ", HfModelBenchmark.Presets.Keys)}");
            if (HfCommandSupport.ParseDType(DType) is null) return ValidationResult.Error(HfCommandSupport.DTypeError(DType!));
            if (PromptTokens < 1 || NewTokens < 2) return ValidationResult.Error("--prompt-tokens must be at least 1 and --new-tokens at least 2");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        TorchRuntime.EnsureLoaded();
        var dtype = HfCommandSupport.ParseDType(settings.DType)!.Value;
        HfModel? folder = settings.Model is null ? null : HfModel.Load(settings.Model, dtype: dtype);
        using var model = folder?.Network ?? HfModelBenchmark.RandomPreset(settings.Preset!, settings.Seed, dtype);
        var run = new HfBenchSettings(settings.PromptTokens, settings.NewTokens, settings.PromptTokens, Seed: settings.Seed);
        var r = HfModelBenchmark.Run(model, settings.Model ?? settings.Preset!, run, settings.Json ? null : step => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(step)}...[/]"));
        if (settings.Json)
        {
            JsonOutput.Write(new
            {
                model = r.Model,
                parameters = r.Parameters,
                threads = r.Threads,
                compute_dtype = r.ComputeDType,
                prompt_tokens = settings.PromptTokens,
                new_tokens = settings.NewTokens,
                batches = r.Batches.Select(b => new { batch = b.Batch, prefill_tokens_per_s = b.PrefillTokensPerS, decode_tokens_per_s = b.DecodeTokensPerS }),
                train_tokens_per_s = r.TrainTokensPerS,
                lora_train_tokens_per_s = r.LoraTrainTokensPerS,
                inference_peak_rss_mb = r.InferencePeakRssMb,
                peak_rss_mb = r.PeakRssMb,
            });
            return ExitCodes.Done;
        }
        string F(double x) => x.ToString("0.##", CultureInfo.InvariantCulture);
        var table = new Table().AddColumn("figure").AddColumn("value");
        table.AddRow("model", Markup.Escape(r.Model));
        table.AddRow("parameters / threads / dtype", $"{r.Parameters} / {r.Threads} / {r.ComputeDType}");
        foreach (var b in r.Batches)
        {
            table.AddRow($"prefill tokens/s, batch {b.Batch}", F(b.PrefillTokensPerS));
            table.AddRow($"cached decode tokens/s, batch {b.Batch}", F(b.DecodeTokensPerS));
        }
        table.AddRow("training tokens/s (full, batch 1)", r.TrainTokensPerS is { } full ? F(full) : "- (float32 only)");
        table.AddRow("training tokens/s (LoRA r16, batch 1)", r.LoraTrainTokensPerS is { } lora ? F(lora) : "- (float32 only)");
        table.AddRow("peak RSS after inference (MB)", F(r.InferencePeakRssMb));
        table.AddRow("peak RSS (MB)", F(r.PeakRssMb));
        AnsiConsole.Write(table);
        return ExitCodes.Done;
    }
}
