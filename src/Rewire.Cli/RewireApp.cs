using System.Reflection;
using Rewire.Cli.Commands;
using Spectre.Console;
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
            // Help and parse errors go to the current AnsiConsole (tests point it at a capture).
            config.ConfigureConsole(AnsiConsole.Console);
            // REWIRE_DEBUG=1 shows full stack traces of unexpected errors (for bug reports).
            if (Environment.GetEnvironmentVariable("REWIRE_DEBUG") == "1") config.PropagateExceptions();
            config.AddCommand<TrainCommand>("train")
                .WithDescription("Train a policy with verifiable rewards: warm start, RL, held-out evaluation (no arguments: the embedded default).");
            config.AddCommand<EvalCommand>("eval")
                .WithDescription("Evaluate a run's newest checkpoint on the held-out split.");
            config.AddCommand<SampleCommand>("sample")
                .WithDescription("Print completions of held-out prompts from a run's newest checkpoint, with their reward breakdown.");
            config.AddCommand<ListCommand>("list")
                .WithDescription("List every registered task, reward, shaping, estimator, objective, sampler and bandit.");
            config.AddCommand<DoctorCommand>("doctor")
                .WithDescription("Check the .NET runtime, TorchSharp and LibTorch on this machine.");
            config.AddCommand<ScoreCommand>("score")
                .WithDescription("Grade a completion of one task prompt and print the reward breakdown.");
            config.AddBranch("bench", b =>
            {
                b.SetDescription("Comparison harnesses and benchmarks.");
                b.AddCommand<BenchSamplersCommand>("samplers")
                    .WithDescription("Compare prompt samplers (uniform, DAPO, VADE, domain-aware, ...) on a simulated learner over three seeds.");
                b.AddCommand<BenchGenerationCommand>("generation")
                    .WithDescription("Generation (KV cache vs recompute, batch sizes), training throughput vs matmul peak, memory check.");
            });
            config.AddCommand<BanditCommand>("bandit")
                .WithDescription("Simulate a bandit algorithm on a bandit environment and report regret.");
            config.AddCommand<BidCommand>("bid")
                .WithDescription("Compare optimal RTB bidding with constant and linear baselines on generated auction logs.");
        });
        return app.Run(args);
    }
}
