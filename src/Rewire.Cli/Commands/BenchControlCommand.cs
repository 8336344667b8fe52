using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Rewire.Classic.Control;
using Rewire.Core.Sampling;
using Rewire.Core.Techniques;
using Rewire.Torch.Control;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Rewire.Cli.Commands;

/// <summary>
/// `rewire bench control`: environment steps per second of a control learner (PPO or DQN with its defaults, no run
/// folder, no evaluation), and of the bare environment with uniformly random actions (<c>--env-only</c>). The figure to
/// compare with bench/python/ppo_cartpole.py, which does the same PPO work in plain PyTorch (docs/benchmarks.md).
/// </summary>
public sealed class BenchControlCommand : Command<BenchControlCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--env <NAME>")]
        [Description("Control environment (default cartpole).")]
        public string Env { get; init; } = "cartpole";

        [CommandOption("--algo <NAME>")]
        [Description("ppo or dqn (default ppo).")]
        public string Algo { get; init; } = "ppo";

        [CommandOption("--steps <N>")]
        [Description("Environment steps (default 100000).")]
        public long Steps { get; init; } = 100_000;

        [CommandOption("--seed <S>")]
        public int Seed { get; init; }

        [CommandOption("--threads <N>")]
        [Description("LibTorch CPU threads (default 1).")]
        public int Threads { get; init; } = 1;

        [CommandOption("--env-only")]
        [Description("Step the bare environment with random actions (no learner, no LibTorch).")]
        public bool EnvOnly { get; init; }

        [CommandOption("--json")]
        public bool Json { get; init; }

        public override ValidationResult Validate()
        {
            if (Steps is < 1 or > 1_000_000_000) return ValidationResult.Error($"--steps is {Steps}; give 1 to 1000000000.");
            if (Threads is < 1 or > 256) return ValidationResult.Error($"--threads is {Threads}; give 1 to 256.");
            if (!ControlEnvironments.Registry.Contains(Env))
                return ValidationResult.Error($"Unknown --env '{Env}'. Valid names: {string.Join(", ", ControlEnvironments.Registry.Names)}.");
            if (Algo is not ("ppo" or "dqn")) return ValidationResult.Error($"Unknown --algo '{Algo}'. Valid names: ppo, dqn.");
            return ValidationResult.Success();
        }
    }

    /// <summary>The `--json` document.</summary>
    public sealed record Result(string Env, string Algo, long EnvSteps, double Seconds, double StepsPerSecond, int Threads,
        [property: System.Text.Json.Serialization.JsonPropertyName("mean_return_last_100")] double? MeanReturnLast100);

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var spec = ControlEnvironments.Spec(settings.Env);
        Result result;
        if (settings.EnvOnly)
        {
            var env = ControlEnvironments.Make(settings.Env);
            var rng = new Xoshiro256StarStar((ulong)settings.Seed);
            env.Reset(settings.Seed);
            var clock = Stopwatch.StartNew();
            for (long t = 0; t < settings.Steps; t++)
            {
                var r = env switch
                {
                    IEnvironment<int> d => d.Step(d.ActionSpace.Sample(rng)),
                    IEnvironment<float[]> c => c.Step(c.ActionSpace.Sample(rng)),
                    _ => throw new InvalidOperationException(),
                };
                if (r.Done) env.Reset();
            }
            double s = clock.Elapsed.TotalSeconds;
            result = new Result(settings.Env, "random", settings.Steps, s, settings.Steps / s, 0, null);
        }
        else
        {
            if (settings.Algo == "dqn" && spec.Create() is not IEnvironment<int>)
            {
                Console.Error.WriteLine($"--algo dqn needs discrete actions; '{settings.Env}' has continuous actions (use --algo ppo).");
                return ExitCodes.Refused;
            }
            Rewire.Torch.Runtime.TorchRuntime.EnsureLoaded();
            TorchSharp.torch.set_num_threads(settings.Threads);
            var algo = TechniqueResolution.Resolve(ControlAlgorithms.Find(settings.Algo));
            using var learner = ControlAlgorithms.Create(algo, ControlEnvironmentSet.From(spec.Create, spec.MaxEpisodeSteps), settings.Steps, settings.Seed);
            var clock = Stopwatch.StartNew();
            while (!learner.Done && !cancellationToken.IsCancellationRequested) learner.Update();
            double s = clock.Elapsed.TotalSeconds;
            result = new Result(settings.Env, settings.Algo, learner.EnvSteps, s, learner.EnvSteps / s, settings.Threads, learner.MeanReturnLast100);
        }
        if (settings.Json) JsonOutput.Write(result);
        else
        {
            var c = CultureInfo.InvariantCulture;
            AnsiConsole.MarkupLine($"{Markup.Escape(result.Algo)} on {Markup.Escape(result.Env)}: {result.EnvSteps.ToString(c)} env steps in {result.Seconds.ToString("F2", c)} s = " +
                                   $"[bold]{result.StepsPerSecond.ToString("F0", c)} steps/s[/] ({result.Threads.ToString(c)} LibTorch threads)");
        }
        return ExitCodes.Done;
    }
}
