using System.ComponentModel;
using System.Globalization;
using System.Text.Json.Nodes;
using Rewire.Classic.Control;
using Rewire.Classic.Offline;
using Rewire.Core.Configuration;
using Rewire.Core.Runs;
using Rewire.Core.Sampling;
using Rewire.Torch.Control;
using Spectre.Console.Cli;

namespace Rewire.Cli.Commands;

/// <summary>
/// `rewire collect --env NAME --agent RUN|random --episodes N --output FILE [--epsilon E] [--seed S]`: runs a trained
/// `rewire control` agent (its latest checkpoint, deterministic actions) or a uniformly random policy and writes every
/// transition to an offline dataset (<see cref="TransitionDataset"/>). --epsilon replaces each action by a random one
/// with that probability, so one agent yields datasets of several skill levels. Bad input exits 2 before any work.
/// </summary>
public sealed class CollectCommand : Command<CollectCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--env <NAME>")]
        [Description("Control environment (must be the agent's own).")]
        public string Env { get; init; } = "";

        [CommandOption("--agent <RUN>")]
        [Description("A `rewire control` run folder, or 'random'.")]
        public string Agent { get; init; } = "";

        [CommandOption("--episodes <N>")]
        [Description("Episodes to record.")]
        public int Episodes { get; init; } = 100;

        [CommandOption("--output <FILE>")]
        [Description("Dataset file to write (JSON Lines).")]
        public string Output { get; init; } = "";

        [CommandOption("--epsilon <E>")]
        [Description("Probability of replacing each action by a random one (0 = the agent, 1 = random).")]
        public double Epsilon { get; init; }

        [CommandOption("--seed <S>")]
        [Description("Seed of the episodes and of the random actions.")]
        public int Seed { get; init; }

        [CommandOption("--json")]
        [Description("Print the summary as one JSON document.")]
        public bool Json { get; init; }

        public override Spectre.Console.ValidationResult Validate()
        {
            if (Episodes is < 1 or > 1_000_000) return Spectre.Console.ValidationResult.Error($"--episodes is {Episodes}; give 1 to 1000000.");
            if (!(Epsilon >= 0 && Epsilon <= 1)) return Spectre.Console.ValidationResult.Error($"--epsilon is {Epsilon}; give a probability from 0 to 1.");
            if (Output.Length == 0) return Spectre.Console.ValidationResult.Error("--output is required: the dataset file to write.");
            if (Agent.Length == 0) return Spectre.Console.ValidationResult.Error("--agent is required: a `rewire control` run folder or 'random'.");
            if (!ControlEnvironments.Registry.Contains(Env))
                return Spectre.Console.ValidationResult.Error($"--env '{Env}' is not a control environment; valid: {string.Join(", ", ControlEnvironments.Registry.Names)}.");
            return Spectre.Console.ValidationResult.Success();
        }
    }

    /// <summary>The summary (`--json`).</summary>
    public sealed record Result(bool Completed, string Output, string Env, string Agent, double Epsilon, int Episodes, int Transitions, double MeanReturn);

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ControlRunConfig? agent = null;
        string? checkpoint = null;
        if (!string.Equals(settings.Agent, "random", StringComparison.Ordinal))
        {
            try
            {
                var run = RunDirectory.Open(settings.Agent);
                var json = JsonNode.Parse(File.ReadAllText(run.ConfigFile)) as JsonObject ?? throw new ConfigurationException([$"{run.ConfigFile} does not hold a JSON object"]);
                agent = ControlRunConfig.FromJson(json, run.ConfigFile);
                checkpoint = run.Checkpoints.Latest() ?? throw new ConfigurationException([$"{run.Path} has no checkpoint yet; train it first"]);
                if (!string.Equals(agent.Environment, ControlEnvironments.Spec(settings.Env).Name, StringComparison.Ordinal))
                    throw new ConfigurationException([$"the agent in {run.Path} was trained on '{agent.Environment}', not on '{settings.Env}'"]);
            }
            catch (Exception e) when (e is ConfigurationException or IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
            {
                Console.Error.WriteLine(TerminalText.Clean(e.Message));
                return ExitCodes.Refused;
            }
        }
        var result = Collect(settings, agent, checkpoint);
        if (settings.Json) JsonOutput.Write(result);
        else Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {result.Transitions} transitions of {result.Episodes} episodes (mean return {result.MeanReturn:F3}) to {result.Output}"));
        return ExitCodes.Done;
    }

    /// <summary>Records the episodes and writes the dataset.</summary>
    public static Result Collect(Settings settings, ControlRunConfig? agent, string? checkpoint)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var spec = ControlEnvironments.Spec(settings.Env);
        var log = new TransitionLog();
        var rng = new Xoshiro256StarStar(unchecked((ulong)settings.Seed * 0x9E3779B97F4A7C15UL + 3));
        double epsilon = agent is null ? 1.0 : settings.Epsilon;
        IEnvironment Recorded() => ControlEnvironments.WithTimeLimit(spec.Create(), spec.MaxEpisodeSteps) switch
        {
            IEnvironment<int> d => new RecordingWrapper<int>(d, log, epsilon, rng, a => [a]),
            IEnvironment<float[]> c => new RecordingWrapper<float[]>(c, log, epsilon, rng, a => (float[])a.Clone()),
            var e => throw new InvalidOperationException($"'{e.Name}' implements neither action type."),
        };
        if (agent is null)
        {
            for (int e = 0; e < settings.Episodes; e++)
            {
                var env = Recorded();
                env.Reset(settings.Seed + e);
                while (true)
                {
                    var r = env switch
                    {
                        IEnvironment<int> d => d.Step(0),       // replaced by a random action (ε = 1)
                        IEnvironment<float[]> c => c.Step(new float[((BoxSpace)c.ActionSpace).Dimension]),
                        _ => throw new InvalidOperationException(),
                    };
                    if (r.Done) break;
                }
            }
        }
        else
        {
            Rewire.Torch.Runtime.TorchRuntime.EnsureLoaded();
            TorchSharp.torch.set_num_threads(agent.Threads);
            var environments = ControlEnvironmentSet.From(spec.Create, spec.MaxEpisodeSteps) with { Evaluation = Recorded };
            using var learner = ControlAlgorithms.Create(agent.Algorithm, environments, agent.Steps, agent.Seed);
            learner.Load(checkpoint!);
            log.Transitions.Clear();
            log.NextEpisode = 0;
            learner.Evaluate(settings.Episodes, settings.Seed);
        }
        // Number the recorded episodes 0, 1, ... in the order they produced transitions.
        var order = log.Transitions.Select(t => t.Episode).Distinct().Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
        var transitions = log.Transitions.Select(t => t with { Episode = order[t.Episode] }).ToList();
        var probe = spec.Create();
        var header = new DatasetHeader(spec.Name, probe.ObservationSpace.Dimension, probe.ActionSpace is DiscreteSpace ? "discrete" : "box",
            probe.ActionSpace is DiscreteSpace ds ? ds.N : ((BoxSpace)probe.ActionSpace).Dimension,
            agent is null ? "random" : $"{agent.Algorithm.Name} run {settings.Agent}, epsilon {settings.Epsilon.ToString(CultureInfo.InvariantCulture)}");
        TransitionDataset.Write(settings.Output, header, transitions);
        int episodes = order.Count;
        double meanReturn = episodes == 0 ? 0 : transitions.Sum(t => t.Reward) / episodes;
        return new Result(true, Path.GetFullPath(settings.Output), spec.Name, agent is null ? "random" : settings.Agent, epsilon, episodes, transitions.Count, meanReturn);
    }
}
