using System.ComponentModel;
using Rewire.Torch.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Rewire.Cli.Commands;

/// <summary>`rewire doctor`: reports whether the tensor engine works here; exit code 1 when LibTorch cannot load.</summary>
public sealed class DoctorCommand : Command<DoctorCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--json")]
        [Description("Print the result as one JSON document.")]
        public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
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
            if (!s.LibTorchLoaded) Console.Error.WriteLine(s.LoadError);
        }
        return s.LibTorchLoaded ? 0 : 1;
    }
}
