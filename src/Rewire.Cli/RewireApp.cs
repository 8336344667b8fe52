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
            config.AddCommand<BanditCommand>("bandit")
                .WithDescription("Simulate a bandit algorithm on a bandit environment and report regret.");
            config.AddCommand<BidCommand>("bid")
                .WithDescription("Compare optimal RTB bidding with constant and linear baselines on generated auction logs.");
        });
        return app.Run(args);
    }
}
