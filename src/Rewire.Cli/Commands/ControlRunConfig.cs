using System.Globalization;
using System.Text.Json.Nodes;
using Rewire.Classic.Control;
using Rewire.Core.Configuration;
using Rewire.Core.Techniques;
using Rewire.Torch.Control;

namespace Rewire.Cli.Commands;

/// <summary>
/// The resolved configuration of a `rewire control` run: environment, algorithm with its parameters (<c>ppo.*</c> or
/// <c>dqn.*</c>, checked against the descriptor), reward design (<c>reward.design=NAME</c> and its <c>reward.*</c>
/// parameters), and the run keys. <see cref="Resolve"/> collects every problem before throwing, each naming its key.
/// </summary>
public sealed record ControlRunConfig(
    string Environment, ResolvedTechnique Algorithm, ResolvedTechnique RewardDesign, int Seed, long Steps, string Output, string Name,
    int CheckpointEvery, int EvalEpisodes, int Threads, IReadOnlyList<KeyValuePair<string, string>> Overrides)
{
    /// <summary><c>env.step_timeout_ms</c>: the time budget of one training-environment Step or Reset; 0 = no guard.</summary>
    public int StepTimeoutMs { get; init; } = EnvironmentCallGuard.DefaultStepTimeoutMs;

    /// <summary><c>env.max_abandoned</c>: hung environment calls still running at which the run stops (exit 1).</summary>
    public int MaxAbandoned { get; init; } = EnvironmentCallGuard.DefaultMaxAbandoned;

    /// <summary>The guard of the training environments, null when <see cref="StepTimeoutMs"/> is 0.</summary>
    public EnvironmentCallGuard? EnvironmentGuard() =>
        StepTimeoutMs > 0 ? new EnvironmentCallGuard(TimeSpan.FromMilliseconds(StepTimeoutMs), MaxAbandoned) : null;

    /// <summary>The run keys and what they mean (for messages and docs).</summary>
    public static readonly IReadOnlyDictionary<string, string> RunKeys = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["run.seed"] = "seed of the environments, the networks and the action sampling (integer)",
        ["run.steps"] = "environment-step budget (1 to 1000000000; default: the algorithm's rl-baselines3-zoo budget)",
        ["run.output"] = "parent folder of the run folder (default runs)",
        ["run.name"] = "name part of the run folder (letters, digits, '-', '_', '.')",
        ["run.checkpoint_every"] = "updates between checkpoints (0 = only at the end; default 50)",
        ["run.threads"] = "LibTorch CPU threads (1 to 256; default 1, the fastest for these small networks)",
        ["eval.episodes"] = "evaluation episodes after training with the deterministic policy (0 to 10000; default 10)",
        ["env.step_timeout_ms"] = "time budget of one training-environment Step or Reset in ms; a call past it is a truncation and the hung instance is replaced (0 = no guard, calls run inline; 0 to 3600000; default 10000)",
        ["env.max_abandoned"] = "hung environment calls still running at which the run stops with exit 1 (1 to 64; default 4)",
    };

    public static ControlRunConfig Resolve(string environment, string algorithm, IReadOnlyList<KeyValuePair<string, string>> overrides)
    {
        var errors = new List<string>();
        if (!ControlEnvironments.Registry.Contains(environment))
            errors.Add($"--env '{environment}' is not a control environment; valid: {string.Join(", ", ControlEnvironments.Registry.Names)}");
        var algoDescriptor = ControlAlgorithms.Descriptors.FirstOrDefault(d => d.Name == algorithm);
        if (algoDescriptor is null)
            errors.Add($"--algo '{algorithm}' is not a control algorithm; valid: {string.Join(", ", ControlAlgorithms.Descriptors.Select(d => d.Name))}");

        var algoKeys = new Dictionary<string, string>(StringComparer.Ordinal);
        var rewardKeys = new Dictionary<string, string>(StringComparer.Ordinal);
        string design = "none";
        int seed = 0, checkpointEvery = 50, evalEpisodes = 10, threads = 1;
        int stepTimeoutMs = EnvironmentCallGuard.DefaultStepTimeoutMs, maxAbandoned = EnvironmentCallGuard.DefaultMaxAbandoned;
        long? steps = null;
        string output = "runs", name = "control";
        foreach (var (key, value) in overrides)
        {
            int dot = key.IndexOf('.', StringComparison.Ordinal);
            string section = dot < 0 ? key : key[..dot];
            string rest = dot < 0 ? "" : key[(dot + 1)..];
            switch (section)
            {
                case "env":
                    switch (key)
                    {
                        case "env.step_timeout_ms": stepTimeoutMs = Int(key, value, 0, 3_600_000, errors) ?? stepTimeoutMs; break;
                        case "env.max_abandoned": maxAbandoned = Int(key, value, 1, 64, errors) ?? maxAbandoned; break;
                        default: errors.Add($"'{key}' is not an environment key; valid: env.step_timeout_ms, env.max_abandoned"); break;
                    }
                    break;
                case "run" or "eval":
                    switch (key)
                    {
                        case "run.seed": seed = Int(key, value, int.MinValue, int.MaxValue, errors) ?? seed; break;
                        case "run.steps": steps = Long(key, value, 1, 1_000_000_000, errors) ?? steps; break;
                        case "run.output":
                            if (string.IsNullOrWhiteSpace(value)) errors.Add("'run.output' is empty; give a folder");
                            else output = value;
                            break;
                        case "run.name":
                            if (value.Length == 0 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                                errors.Add($"'run.name' = '{value}' must be letters, digits, '-', '_' or '.'");
                            else name = value;
                            break;
                        case "run.checkpoint_every": checkpointEvery = Int(key, value, 0, 1_000_000, errors) ?? checkpointEvery; break;
                        case "run.threads": threads = Int(key, value, 1, 256, errors) ?? threads; break;
                        case "eval.episodes": evalEpisodes = Int(key, value, 0, 10_000, errors) ?? evalEpisodes; break;
                        default: errors.Add($"'{key}' is not a run key; valid: {string.Join(", ", RunKeys.Keys)}"); break;
                    }
                    break;
                case "ppo" or "dqn":
                    if (section != algorithm) errors.Add($"'{key}' applies to --algo {section}; this run uses --algo {algorithm}");
                    else if (rest.Length == 0) errors.Add($"'{key}' names no parameter; write {section}.PARAMETER=VALUE");
                    else algoKeys[rest] = value;
                    break;
                case "reward":
                    if (rest == "design") design = value;
                    else if (rest.Length == 0) errors.Add("'reward' names no key; write reward.design=NAME or reward.PARAMETER=VALUE");
                    else rewardKeys[rest] = value;
                    break;
                default:
                    errors.Add($"'{key}' is not a key of `rewire control`; keys are run.*, eval.episodes, env.step_timeout_ms, env.max_abandoned, {algorithm}.* (the algorithm's parameters) and reward.design / reward.*");
                    break;
            }
        }

        ResolvedTechnique? algo = algoDescriptor is null ? null : TechniqueCatalog.Resolve(algoDescriptor, algoKeys, algorithm + ".", errors);
        var designDescriptor = RewardDesigns.Find(design);
        if (designDescriptor is null)
            errors.Add($"'reward.design' = '{design}' is not a reward design; valid: {string.Join(", ", RewardDesigns.Descriptors.Select(d => d.Name))}");
        ResolvedTechnique? designResolved = designDescriptor is null ? null : TechniqueCatalog.Resolve(designDescriptor, rewardKeys, "reward.", errors);
        if (designResolved is not null) errors.AddRange(Rewire.Classic.RewardDesign.RewardDesignCatalog.Problems(designResolved, environment));

        if (algo is not null && ControlEnvironments.Registry.Contains(environment))
        {
            bool continuous = ControlEnvironments.Spec(environment).Create() is IEnvironment<float[]>;
            if (algo.Name == "dqn" && continuous) errors.Add($"--algo dqn needs discrete actions; '{environment}' has continuous actions (use --algo ppo)");
            if (algo.Name == "ppo" && algo.Int("batch_size") > algo.Int("n_envs") * algo.Int("n_steps"))
                errors.Add($"'ppo.batch_size' = {algo.Int("batch_size")} exceeds ppo.n_envs·ppo.n_steps = {algo.Int("n_envs") * algo.Int("n_steps")}; lower it or raise n_steps");
            if (algo.Name == "dqn" && algo.Int("batch_size") > algo.Int("buffer_size"))
                errors.Add($"'dqn.batch_size' = {algo.Int("batch_size")} exceeds dqn.buffer_size = {algo.Int("buffer_size")}");
        }
        if (errors.Count > 0) throw new ConfigurationException(errors);
        return new ControlRunConfig(environment, algo!, designResolved!, seed, steps ?? ControlAlgorithms.DefaultSteps(algorithm), output, name,
            checkpointEvery, evalEpisodes, threads, overrides.ToList())
        { StepTimeoutMs = stepTimeoutMs, MaxAbandoned = maxAbandoned };
    }

    /// <summary>What config.json holds: the inputs (to resolve again on resume) and the resolved values (to read).</summary>
    public JsonObject ToJson() => new()
    {
        ["command"] = "control",
        ["env"] = Environment,
        ["algo"] = Algorithm.Name,
        ["overrides"] = new JsonArray(Overrides.Select(kv => (JsonNode)new JsonArray(kv.Key, kv.Value)).ToArray()),
        ["resolved"] = new JsonObject
        {
            ["run"] = new JsonObject { ["seed"] = Seed, ["steps"] = Steps, ["output"] = Output, ["name"] = Name, ["checkpoint_every"] = CheckpointEvery, ["threads"] = Threads },
            ["eval"] = new JsonObject { ["episodes"] = EvalEpisodes },
            ["env"] = new JsonObject { ["step_timeout_ms"] = StepTimeoutMs, ["max_abandoned"] = MaxAbandoned },
            [Algorithm.Name] = Algorithm.ToJson(),
            ["reward"] = RewardDesign.ToJson(),
        },
    };

    /// <summary>Resolves a run's config.json again (for --resume).</summary>
    public static ControlRunConfig FromJson(JsonObject config, string path)
    {
        if (config["command"]?.GetValue<string>() != "control")
            throw new ConfigurationException([$"{path} is not the configuration of a `rewire control` run"]);
        var overrides = config["overrides"]!.AsArray().Select(kv => new KeyValuePair<string, string>(kv![0]!.GetValue<string>(), kv[1]!.GetValue<string>())).ToList();
        return Resolve(config["env"]!.GetValue<string>(), config["algo"]!.GetValue<string>(), overrides);
    }

    private static int? Int(string key, string value, int min, int max, List<string> errors)
    {
        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= min && v <= max) return v;
        errors.Add($"'{key}' = '{value}' must be an integer from {min} to {max}");
        return null;
    }

    private static long? Long(string key, string value, long min, long max, List<string> errors)
    {
        if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) && v >= min && v <= max) return v;
        errors.Add($"'{key}' = '{value}' must be an integer from {min} to {max}");
        return null;
    }
}
