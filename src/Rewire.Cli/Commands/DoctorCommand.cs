using System.ComponentModel;
using Rewire.Torch.Models.HuggingFace;
using Rewire.Torch.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Rewire.Cli.Commands;

/// <summary>`rewire doctor`: reports whether the tensor engine works here; exit code 1 when LibTorch cannot load.
/// With <c>--model DIR</c> it also reports on a Hugging Face model folder (<see cref="ModelInspection"/>); a folder that
/// cannot be used is refused with exit code 2.</summary>
public sealed class DoctorCommand : Command<DoctorCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--json")]
        [Description("Print the result as one JSON document.")]
        public bool Json { get; init; }

        [CommandOption("--model <DIR>")]
        [Description("Also check a Hugging Face model folder: files, architecture, parameters, dtype, memory needed and whether it fits here.")]
        public string? Model { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var m = settings.Model is null ? null : ModelInspection.Of(settings.Model);
        var s = TorchRuntime.Probe();
        if (settings.Json)
        {
            JsonOutput.Write(new
            {
                rewire_version = RewireApp.Version,
                dotnet_version = s.DotNetVersion,
                torchsharp_version = s.TorchSharpVersion,
                libtorch_loaded = s.LibTorchLoaded,
                load_error = s.LoadError,
                backend = s.Backend,
                device = s.Device,
                threads = s.Threads,
                cpu_features = s.CpuFeatures,
                processor_count = Environment.ProcessorCount,
                model = m is null ? null : new
                {
                    directory = m.Directory,
                    files = m.Files,
                    model_type = m.ModelType,
                    layers = m.Layers,
                    hidden_size = m.HiddenSize,
                    heads = m.Heads,
                    key_value_heads = m.KeyValueHeads,
                    head_dim = m.HeadDim,
                    vocab_size = m.VocabSize,
                    tokenizer_size = m.TokenizerSize,
                    context_length = m.ContextLength,
                    rope_type = m.RopeType,
                    tied_embeddings = m.TiedEmbeddings,
                    stored_dtype = m.StoredDType,
                    compute_dtype = "F32",
                    parameters = m.Parameters,
                    weight_bytes_on_disk = m.WeightBytesOnDisk,
                    eos_token_ids = m.EosTokenIds,
                    estimate_sequence_tokens = m.Memory.Sequence,
                    inference_bytes = m.Memory.InferenceBytes,
                    lora_bytes = m.Memory.LoraBytes,
                    lora_rank = HfMemoryEstimate.LoraRank,
                    full_training_bytes = m.Memory.FullTrainingBytes,
                    available_bytes = m.AvailableBytes,
                    fits_inference = m.FitsInference,
                    fits_lora = m.FitsLora,
                    fits_full_training = m.FitsFullTraining,
                },
            });
        }
        else
        {
            var table = new Table().AddColumn("check").AddColumn("result");
            table.AddRow("Rewire", RewireApp.Version);
            table.AddRow(".NET", s.DotNetVersion);
            table.AddRow("TorchSharp", s.TorchSharpVersion);
            table.AddRow("LibTorch", s.LibTorchLoaded ? "[green]loaded[/]" : "[red]not loaded[/]");
            table.AddRow("backend / device", $"{s.Backend} / {s.Device}");
            table.AddRow("threads", s.Threads.ToString(System.Globalization.CultureInfo.InvariantCulture));
            table.AddRow("processors", Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
            table.AddRow("CPU features", string.Join(' ', s.CpuFeatures));
            AnsiConsole.Write(table);
            if (m is not null) WriteModel(m);
            if (!s.LibTorchLoaded) Console.Error.WriteLine(s.LoadError);
        }
        return s.LibTorchLoaded ? 0 : 1;
    }

    private static void WriteModel(ModelInspection m)
    {
        static string Gb(double bytes) => bytes >= 1e9
            ? (bytes / 1e9).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + " GB"
            : (bytes / 1e6).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + " MB";
        static string Fits(bool yes) => yes ? "[green]fits[/]" : "[red]does not fit[/]";
        var t = new Table().AddColumn("model").AddColumn(Markup.Escape(m.Directory));
        t.AddRow("files", Markup.Escape(string.Join(", ", m.Files)));
        t.AddRow("architecture", Markup.Escape($"{m.ModelType}: {m.Layers} layers, hidden {m.HiddenSize}, {m.Heads} heads ({m.KeyValueHeads} key/value), head_dim {m.HeadDim}, rope {m.RopeType}, {(m.TiedEmbeddings ? "tied" : "untied")} head"));
        t.AddRow("vocabulary", $"{m.VocabSize} rows, tokenizer {m.TokenizerSize} ids");
        t.AddRow("context", m.ContextLength.ToString(System.Globalization.CultureInfo.InvariantCulture));
        t.AddRow("parameters", m.Parameters.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        t.AddRow("dtype", $"{m.StoredDType} stored ({Gb(m.WeightBytesOnDisk)}), F32 compute");
        t.AddRow("EOS ids", string.Join(", ", m.EosTokenIds));
        t.AddRow("inference", $"{Gb(m.Memory.InferenceBytes)} {Fits(m.FitsInference)}");
        t.AddRow($"LoRA (rank {HfMemoryEstimate.LoraRank}, {m.Memory.Sequence} tokens)", $"{Gb(m.Memory.LoraBytes)} {Fits(m.FitsLora)}");
        t.AddRow($"full training ({m.Memory.Sequence} tokens)", $"{Gb(m.Memory.FullTrainingBytes)} {Fits(m.FitsFullTraining)}");
        t.AddRow("available here", Gb(m.AvailableBytes));
        AnsiConsole.Write(t);
    }
}
