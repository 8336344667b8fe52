using System.Reflection;
using Rewire.Cli.Commands;
using Rewire.Core.Configuration;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Rewire.Cli;

/// <summary>
/// The `rewire` command tree. Each subcommand is one class in Commands/; later features add one line here.
/// Every path ends in one of <see cref="ExitCodes"/>: parse errors, unknown commands and options and failed validation
/// are refused input (2); an error nobody expected is a failure (1) with a one-line message, and its stack trace only
/// with REWIRE_DEBUG=1.
/// </summary>
public static class RewireApp
{
    public static string Version =>
        typeof(RewireApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>Every command and bench sub-command name, one per line (the parse-error hint names the command typed).</summary>
    private static readonly HashSet<string> CommandNames = new(StringComparer.Ordinal)
    {
        "train",
        "eval",
        "sample",
        "list",
        "report",
        "dashboard",
        "serve",
        "doctor",
        "score",
        "generate",
        "logprobs",
        "export",
        "model",
        "bench",
        "samplers",
        "generation",
        "step",
        "control",
        "rewards",
        "reward-design",
        "analyze",
        "bandit",
        "bid",
        "qd",
        "offline",
        "branch",
        "recommend",
        "collect",
        "prefs",
        "make",
        "check",
    };

    public static int Run(string[] args)
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("rewire");
            config.SetApplicationVersion(Version);
            // Help and parse errors go to the current AnsiConsole (tests point it at a capture).
            config.ConfigureConsole(AnsiConsole.Console);
            // Errors come to Run's handler below, which maps them onto the exit-code table.
            config.PropagateExceptions();
            // An unknown option is refused, never ignored (a typo such as --budget-ration must not run the default).
            config.UseStrictParsing();
            config.AddCommand<TrainCommand>("train")
                .WithDescription("Train a policy with verifiable rewards: warm start, RL, held-out evaluation (no arguments: the embedded default).");
            config.AddCommand<EvalCommand>("eval")
                .WithDescription("Evaluate a run's newest checkpoint on the held-out split.");
            config.AddCommand<SampleCommand>("sample")
                .WithDescription("Print completions of held-out prompts from a run's newest checkpoint, with their reward breakdown.");
            config.AddCommand<ListCommand>("list")
                .WithDescription("List every registered task, reward, shaping, estimator, objective, sampler and bandit.");
            config.AddCommand<ReportCommand>("report")
                .WithDescription("Write one self-contained HTML report of one or more runs: every metric over steps, rewards, timing, held-out accuracy, samples.");
            config.AddCommand<DashboardCommand>("dashboard")
                .WithDescription("Serve a local dashboard (127.0.0.1) that lists runs, shows their reports and follows running ones live.");
            config.AddCommand<ServeCommand>("serve")
                .WithDescription("Serve a Hugging Face model folder or a run's policy over an OpenAI-compatible HTTP API on 127.0.0.1 (completions, chat, LoRA and weight updates).");
            config.AddCommand<DoctorCommand>("doctor")
                .WithDescription("Check the .NET runtime, TorchSharp and LibTorch on this machine.");
            config.AddCommand<GenerateCommand>("generate")
                .WithDescription("Continue a prompt with a Hugging Face model folder (greedy at temperature 0; stops at its EOS ids).");
            config.AddCommand<LogprobsCommand>("logprobs")
                .WithDescription("Teacher-forced log-probabilities of a completion given a prompt, from a Hugging Face model folder.");
            config.AddCommand<ExportCommand>("export")
                .WithDescription("Write a Hugging Face folder (safetensors, config, tokenizer) from a model.path= run (LoRA merged, or the adapter alone) or a model folder.");
            config.AddCommand<ScoreCommand>("score")
                .WithDescription("Grade a completion of one task prompt and print the reward breakdown.");
            config.AddBranch("bench", b =>
            {
                b.SetDescription("Comparison harnesses and benchmarks.");
                b.AddCommand<BenchSamplersCommand>("samplers")
                    .WithDescription("Compare prompt samplers (uniform, DAPO, VADE, domain-aware, ...) on a simulated learner over three seeds.");
                b.AddCommand<BenchGenerationCommand>("generation")
                    .WithDescription("Generation (KV cache vs recompute, batch sizes), training throughput vs matmul peak, memory check.");
                b.AddCommand<BenchControlCommand>("control")
                    .WithDescription("Environment steps per second of PPO or DQN on a control environment (or of the bare environment with --env-only).");
                b.AddCommand<BenchStepCommand>("step")
                    .WithDescription("A GRPO step (generate, score, update), training and generation throughput of a fixed workload, as bench/python/bench_step.py measures plain PyTorch.");
                b.AddCommand<BenchModelCommand>("model")
                    .WithDescription("Prefill, cached decode and training throughput of a Hugging Face model (a folder, or a random model of a published shape).");
                b.AddCommand<BenchRewardsCommand>("rewards")
                    .WithDescription("Soak the reward path: many calls of which some hang and some throw; counts every outcome and the threads used.");
                b.AddCommand<BenchRewardDesignCommand>("reward-design")
                    .WithDescription("Compare reward designs (PBRS, LaRe, ONI, CALM, BARFI, ...) on a key-door grid world over seeds with tabular learners.");
            });
            config.AddBranch("prefs", b =>
            {
                b.SetDescription("Preference data: make a set from a task with a known utility, or check a file.");
                b.AddCommand<PrefsMakeCommand>("make")
                    .WithDescription("Build a preference set (JSONL) from a task: scripted completion pairs labelled by a Bradley–Terry draw on the true utility, with label noise and an optional proxy feature.");
                b.AddCommand<PrefsCheckCommand>("check")
                    .WithDescription("Validate a preference JSONL file line by line (paired, conversational or unpaired); the first bad line is named.");
            });
            config.AddCommand<AnalyzeCommand>("analyze")
                .WithDescription("What did the reward reward? Component contributions, correlation with correctness, KRC vs sum, and the reward-hacking detectors.");
            config.AddCommand<BanditCommand>("bandit")
                .WithDescription("Simulate a bandit algorithm on a bandit environment and report regret.");
            config.AddCommand<ControlCommand>("control")
                .WithDescription("Train PPO or DQN on a control environment (CartPole, MountainCar, Acrobot, Pendulum), optionally with a reward design.");
            config.AddCommand<QdCommand>("qd")
                .WithDescription("Quality-diversity search (MAP-Elites, novelty search, SERENE, TAXONS) of small controllers on a deceptive maze or key-door grid: coverage, best return, goal reached.");
            config.AddCommand<BranchCommand>("branch")
                .WithDescription("Branch-and-bound on generated MILPs (GLOP LP relaxations): train ReviBranch's branching policy, then compare nodes explored on held-out instances with most-fractional, pseudo-cost and strong branching.");
            config.AddCommand<RecommendCommand>("recommend")
                .WithDescription("DT4IER: a decision-transformer recommender trained on logged sessions of a user simulator, conditioned on clicks and retention returns-to-go; reports the clicks and retention it achieves for requested trade-offs.");
            config.AddCommand<OfflineCommand>("offline")
                .WithDescription("Offline RL from behaviour data: DCPPO on choices generated by a known dynamic-discrete-choice policy, with reward error and regret against the truth.");
            config.AddCommand<CollectCommand>("collect")
                .WithDescription("Record an offline dataset (JSON Lines transitions with episode ends) from a trained `rewire control` agent or a random policy, at a chosen skill level (--epsilon).");
            config.AddCommand<BidCommand>("bid")
                .WithDescription("Compare optimal RTB bidding with constant and linear baselines on generated auction logs.");
        });
        try
        {
            int code = app.Run(args);
            return code is ExitCodes.Done or ExitCodes.Failed or ExitCodes.Refused or ExitCodes.Interrupted ? code : ExitCodes.Failed;
        }
        catch (Exception e)
        {
            return Fail(e, args);
        }
    }

    private static int Fail(Exception e, string[] args) => Fail(e, args, Environment.GetEnvironmentVariable("REWIRE_DEBUG") == "1");

    /// <summary>Prints what went wrong (one line, or the full trace when <paramref name="debug"/>) and returns its exit code.</summary>
    internal static int Fail(Exception e, string[] args, bool debug)
    {
        switch (e)
        {
            case OperationCanceledException:
                Console.Error.WriteLine("rewire: interrupted");
                return ExitCodes.Interrupted;
            case ConfigurationException or Rewire.HuggingFace.HuggingFaceInputException:
                Console.Error.WriteLine(TerminalText.Clean(e.Message));
                return ExitCodes.Refused;
            case CommandParseException or CommandRuntimeException:
                var command = args.TakeWhile(a => !a.StartsWith('-') && !a.Contains('=')).Take(2).Where(CommandNames.Contains);
                string help = "rewire " + string.Join(' ', command.Append("--help"));
                Console.Error.WriteLine($"rewire: {TerminalText.Clean(e.Message.TrimEnd())}");
                Console.Error.WriteLine($"Run '{help}' to see what is accepted.");
                if (debug) Console.Error.WriteLine(e);
                return ExitCodes.Refused;
            default:
                Console.Error.WriteLine($"rewire: failed: {TerminalText.Clean(OneLine(e))}");
                Console.Error.WriteLine(debug ? e.ToString() : "This is a bug or a problem of this machine; run again with REWIRE_DEBUG=1 for the full trace to report it.");
                return ExitCodes.Failed;
        }
    }

    private static string OneLine(Exception e)
    {
        var inner = e is System.Reflection.TargetInvocationException or AggregateException && e.InnerException is { } i ? i : e;
        string message = inner.Message.ReplaceLineEndings(" ");
        return $"{message} ({inner.GetType().Name})";
    }
}
