using System.ComponentModel;
using System.Globalization;
using Rewire.HuggingFace;
using Rewire.HuggingFace.Safetensors;
using Rewire.Torch.Models.HuggingFace;
using Rewire.Torch.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Rewire.Cli.Commands;

/// <summary>`rewire export RUN --output DIR` (or `--model DIR`): writes a Hugging Face folder (<see cref="HfExporter"/>)
/// from a run's newest checkpoint (<see cref="HfRunCheckpoint"/>, LoRA merged) or re-exports a model folder.</summary>
public sealed class ExportCommand : Command<ExportCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[RUN]")]
        [Description("A run folder of a model.path= run (its newest checkpoint), a checkpoint folder, or its hf/ folder.")]
        public string? Run { get; init; }

        [CommandOption("--model <DIR>")]
        [Description("A Hugging Face model folder to re-export instead of a run (e.g. to change dtype or sharding).")]
        public string? Model { get; init; }

        [CommandOption("--output <DIR>")]
        [Description("The folder to write; must not exist or be empty. Written under a temporary name, then moved.")]
        public string? Output { get; init; }

        [CommandOption("--dtype <DTYPE>")]
        [Description("bf16, f32 or f16; default: the source checkpoint's dtype (f32 for --adapter-only).")]
        public string? DType { get; init; }

        [CommandOption("--adapter-only")]
        [Description("Write only the LoRA adapter in PEFT layout (adapter_model.safetensors + adapter_config.json).")]
        public bool AdapterOnly { get; init; }

        [CommandOption("--max-shard-size <SIZE>")]
        [Description("Shard the weights above this size (bytes, or with KB/MB/GB, decimal as Hugging Face's); default 5GB.")]
        public string? MaxShardSize { get; init; }

        public override ValidationResult Validate()
        {
            if ((Run is null) == (Model is null)) return ValidationResult.Error("give exactly one of a RUN folder or --model DIR");
            if (string.IsNullOrWhiteSpace(Output)) return ValidationResult.Error("--output DIR is required (a new or empty folder)");
            if (DType is not null && SafetensorsDTypes.TryParseFriendly(DType) is null) return ValidationResult.Error($"--dtype must be bf16, f32 or f16, got '{DType}'");
            if (MaxShardSize is not null && ParseSize(MaxShardSize) is null) return ValidationResult.Error($"--max-shard-size must be a positive size such as 500MB, 2GB or 1000000, got '{MaxShardSize}'");
            if (AdapterOnly && Model is not null) return ValidationResult.Error("--adapter-only needs a RUN trained with LoRA; a --model folder holds no adapter");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var options = new HfExportOptions(
            settings.DType is null ? null : SafetensorsDTypes.TryParseFriendly(settings.DType),
            settings.MaxShardSize is null ? SafetensorsCheckpointWriter.DefaultMaxShardBytes : ParseSize(settings.MaxShardSize)!.Value,
            settings.AdapterOnly);
        string? hfDir = null;
        if (settings.Run is not null)
        {
            if (!Directory.Exists(settings.Run))
                throw new HuggingFaceInputException($"{settings.Run}: no such run folder");
            hfDir = HfRunCheckpoint.Find(settings.Run)
                    ?? throw new HuggingFaceInputException($"{settings.Run}: not a run folder of a Hugging Face model (no checkpoints/ with an {HfRunCheckpoint.FolderName}/ folder); give a run of model.path=, or --model DIR for a model folder");
        }
        string output = settings.Output!;
        if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any())
            throw new HuggingFaceInputException($"{output}: the folder exists and is not empty; choose a new --output folder or remove it");
        if (File.Exists(output))
            throw new HuggingFaceInputException($"{output}: is a file; --output must name a new or empty folder");
        TorchRuntime.EnsureLoaded();
        using var model = hfDir is null ? HfModel.Load(settings.Model!) : HfRunCheckpoint.Load(hfDir);
        var files = HfExporter.Export(model, output, options);
        AnsiConsole.MarkupLine($"wrote {Markup.Escape(Path.GetFullPath(output))}: {Markup.Escape(string.Join(", ", files.Select(Path.GetFileName)))}");
        return ExitCodes.Done;
    }

    /// <summary>"5GB", "500MB", "100KB", "123" (bytes), decimal units as transformers' <c>max_shard_size</c>; null when not a positive size.</summary>
    internal static long? ParseSize(string text)
    {
        string s = text.Trim().ToUpperInvariant();
        long unit = 1;
        foreach (var (suffix, factor) in new[] { ("GB", 1_000_000_000L), ("MB", 1_000_000L), ("KB", 1_000L), ("B", 1L) })
            if (s.EndsWith(suffix, StringComparison.Ordinal))
            {
                unit = factor;
                s = s[..^suffix.Length].Trim();
                break;
            }
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value) || value <= 0) return null;
        double bytes = value * unit;
        return bytes >= 1 && bytes <= long.MaxValue / 2 ? (long)bytes : null;
    }
}
