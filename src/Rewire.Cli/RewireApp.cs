using System.Reflection;
using Rewire.Cli.Commands;
using Spectre.Console.Cli;

namespace Rewire.Cli;

/// <summary>The `rewire` command tree. Each subcommand is one class in Commands/; later features add one line here.</summary>
public static class RewireApp
{
    public static string Version =>
        typeof(RewireApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static int Run(string[] args)
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("rewire");
            config.SetApplicationVersion(Version);
            config.AddCommand<DoctorCommand>("doctor")
                .WithDescription("Check the .NET runtime, TorchSharp and LibTorch on this machine.");
            config.AddBranch("bench", b => b.AddCommand<BenchGenerationCommand>("generation")
                .WithDescription("Generation (KV cache vs recompute, batch sizes), training throughput vs matmul peak, memory check."));
        });
        return app.Run(args);
    }
}
