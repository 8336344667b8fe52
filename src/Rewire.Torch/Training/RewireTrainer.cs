// The public entry point for training from code: the options of `rewire train` (key=value overrides or a JSON file),
// reward functions given as delegates (TRL's reward_funcs), the program's own tasks, shapers and samplers with their
// descriptors, progress as events, and the run's summary. A thin builder over RlvrTrainer: the same resolution, checks,
// run folder and training loop as the command.
using Rewire.Core.Configuration;
using Rewire.Core.Rewards;
using Rewire.Core.Runs;
using Rewire.Core.Sampling;
using Rewire.Core.Shaping;
using Rewire.Core.Techniques;
using Rewire.Tasks;
using Rewire.Tasks.Environments;

namespace Rewire.Torch.Training;

/// <summary>
/// Trains a policy from code with everything <c>rewire train</c> offers, plus your own components:
/// <code>
/// var result = new RewireTrainer()
///     .Configure("task.name=reverse", "rl.steps=20")
///     .AddReward("short", r => r.Completion.Length &lt; 12 ? 1.0 : 0.0)
///     .Train("runs");
/// </code>
/// Configuration keys are those of <c>rewire train</c> (<c>rewire train --dry-run</c> lists them); later keys win.
/// Reward functions added here are registered and listed in <c>reward.functions</c>: terms of weight 1 next to the task's
/// verifier (<c>reward.weights.NAME=w</c> changes it), failure-isolated and counted like the built-in ones. A bad configuration throws
/// <see cref="ConfigurationException"/> before any run folder exists.
/// </summary>
public sealed class RewireTrainer
{
    private readonly List<KeyValuePair<string, string>> _keys = [];
    private readonly List<string> _rewards = [];
    private readonly List<ITrainingObserver> _observers = [];

    /// <summary>The registries this trainer's runs build their components from; add your own techniques here or with the <c>Add</c> methods.</summary>
    public TrainingRegistries Registries { get; } = TrainingRegistries.CreateDefault();

    /// <summary>Raised when a stage starts (warm start, evaluation, RL, ...), with a one-line detail.</summary>
    public event Action<string, string>? StageStarted;

    /// <summary>Raised after each supervised warm-start step: step, total steps, loss.</summary>
    public event Action<int, int, double>? WarmStartStep;

    /// <summary>Raised after each RL step with the step's metrics (the line written to metrics.jsonl).</summary>
    public event Action<StepMetrics>? StepCompleted;

    /// <summary>Raised after each held-out evaluation ("before RL", "after RL", periodic ones), with its label.</summary>
    public event Action<string, EvalResult>? Evaluated;

    /// <summary>Raised for each warning, including each failure of a reward function (which the run survives).</summary>
    public event Action<string>? Warning;

    /// <summary>Adds configuration overrides written as <c>key=value</c>, exactly as on the <c>rewire train</c> command line (<c>seed=N</c> and <c>name=X</c> included).</summary>
    /// <exception cref="ConfigurationException">An argument is not of the form key=value.</exception>
    public RewireTrainer Configure(params string[] overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        foreach (var (key, value) in OptionsBinder.ParseOverrides(overrides)) Set(key, value);
        return this;
    }

    /// <summary>Sets one configuration key (for example <c>rl.steps</c>, <c>task.name</c>, <c>objective.clip_high</c>).</summary>
    public RewireTrainer Set(string key, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(value);
        _keys.Add(new(key switch { "seed" => "run.seed", "name" => "run.name", _ => key }, value));
        return this;
    }

    /// <summary>Adds the keys of a JSON configuration file (the format of <c>rewire train --config</c>); keys set later win.</summary>
    public RewireTrainer ConfigureFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _keys.AddRange(OptionsBinder.FlattenJson(BoundedFile.ReadAllText(path, "configuration file"), path));
        return this;
    }

    /// <summary>Adds a reward term: each completion (with its prompt, answer and metadata) in, one score out.</summary>
    /// <param name="name">The term's name: its column in the metrics and samples, its key in <c>reward.weights</c>.</param>
    /// <param name="score">Must be thread-safe and depend only on its input; a throw, a non-finite score or a timeout is counted and scored as <c>reward.failure_value</c>.</param>
    public RewireTrainer AddReward(string name, Func<Rollout, double> score) => AddReward(DelegateReward.Scalar(name, score));

    /// <summary>Adds a reward term whose delegate returns the whole result (total, named components, correctness).</summary>
    public RewireTrainer AddReward(string name, Func<Rollout, RewardResult> score) => AddReward(new DelegateReward(name, score));

    /// <summary>
    /// Adds a reward term implemented as a class. It is registered in <see cref="Registries"/> under its name and listed in
    /// <c>reward.functions</c>, so <c>reward.weights.NAME</c> applies to it like to a built-in reward function; a name
    /// already taken (a built-in reward function's, another added reward's) fails.
    /// </summary>
    public RewireTrainer AddReward(IRewardFunction reward)
    {
        ArgumentNullException.ThrowIfNull(reward);
        if (_rewards.Contains(reward.Name, StringComparer.OrdinalIgnoreCase))
            throw new ArgumentException($"a reward named '{reward.Name}' is already added; give each reward its own name", nameof(reward));
        Registries.AddRewardFunction(TechniqueResolution.Undescribed(TechniqueKinds.Reward, reward.Name), _ => reward);
        _rewards.Add(reward.Name);
        return this;
    }

    /// <summary>Adds your own task (selected with <c>task.name=</c> its name); see <see cref="TrainingRegistries.AddTask"/>.</summary>
    public RewireTrainer AddTask(TechniqueDescriptor descriptor, Func<ITask> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Registries.AddTask(descriptor, _ => factory());
        return this;
    }

    /// <summary>
    /// Adds your own multi-turn text environment (selected with <c>rl.environment=</c> its name); see
    /// <see cref="TrainingRegistries.AddEnvironment"/>.
    /// </summary>
    public RewireTrainer AddEnvironment(TechniqueDescriptor descriptor, Func<ITextEnvironment> factory)
    {
        Registries.AddEnvironment(descriptor, factory);
        return this;
    }

    /// <summary>Adds a reward shaper (listed in <c>reward.shaping</c>); see <see cref="TrainingRegistries.AddShaper"/>.</summary>
    public RewireTrainer AddShaper(TechniqueDescriptor descriptor, Func<ResolvedTechnique, TechniqueContext, IRewardShaper> factory)
    {
        Registries.AddShaper(descriptor, factory);
        return this;
    }

    /// <summary>Adds a prompt sampler (selected with <c>rl.sampler=</c>); see <see cref="TrainingRegistries.AddSampler"/>.</summary>
    public RewireTrainer AddSampler(TechniqueDescriptor descriptor, SamplerFactory factory)
    {
        Registries.AddSampler(descriptor, factory);
        return this;
    }

    /// <summary>Adds an observer that receives every progress report (in addition to the events).</summary>
    public RewireTrainer AddObserver(ITrainingObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        _observers.Add(observer);
        return this;
    }

    /// <summary>
    /// The configuration as it would run: every key resolved against the registries' catalogue and checked like
    /// <c>rewire train</c> checks it. Throws <see cref="ConfigurationException"/> listing every problem.
    /// </summary>
    public ResolvedTrainConfig Resolve()
    {
        var keys = new List<KeyValuePair<string, string>>(_keys);
        if (_rewards.Count > 0)
        {
            // The rewards added in code join the reward functions the keys list.
            string listed = keys.LastOrDefault(kv => kv.Key == "reward.functions").Value ?? "";
            var names = listed.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Concat(_rewards).Distinct(StringComparer.Ordinal);
            keys.Add(new("reward.functions", string.Join(",", names)));
        }
        var config = TrainConfiguration.Resolve(keys, registries: Registries);
        TrainingPreflight.Check(config);
        return config;
    }

    /// <summary>
    /// Resolves and checks the configuration, creates a run folder under <paramref name="outputDirectory"/> (as
    /// <c>rewire train -o</c> does), trains, evaluates and writes summary.json. Cancelling stops at the next step
    /// boundary after a checkpoint; the result then says the run did not complete.
    /// </summary>
    /// <exception cref="ConfigurationException">The configuration is refused (nothing was created).</exception>
    /// <exception cref="TrainingAbortedException">The run had to stop (too many non-finite losses in a row).</exception>
    public TrainingResult Train(string outputDirectory = "runs", CancellationToken cancel = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        var config = Resolve();
        var o = config.Options;
        var run = RunDirectory.Create(outputDirectory, $"{o.Run.Name}-{(o.Rl.Environment.Length > 0 ? o.Rl.Environment : o.Task.Name)}-{o.Rl.Objective}-s{o.Run.Seed}", DateTimeOffset.UtcNow, OptionsBinder.ToJson(o));
        using var runLock = run.Lock("RewireTrainer (new run)");
        using var trainer = new RlvrTrainer(config, run, new EventObserver(this));
        var summary = trainer.Run(false, cancel);
        return new TrainingResult(summary, run.Path);
    }

    /// <summary>Forwards the trainer's reports to the events and the added observers.</summary>
    private sealed class EventObserver(RewireTrainer owner) : ITrainingObserver
    {
        public void Stage(string stage, string detail)
        {
            owner.StageStarted?.Invoke(stage, detail);
            foreach (var o in owner._observers) o.Stage(stage, detail);
        }

        public void SftStep(int step, int total, double loss)
        {
            owner.WarmStartStep?.Invoke(step, total, loss);
            foreach (var o in owner._observers) o.SftStep(step, total, loss);
        }

        public void RlStep(StepMetrics metrics, int total)
        {
            owner.StepCompleted?.Invoke(metrics);
            foreach (var o in owner._observers) o.RlStep(metrics, total);
        }

        public void Evaluated(string label, EvalResult result)
        {
            owner.Evaluated?.Invoke(label, result);
            foreach (var o in owner._observers) o.Evaluated(label, result);
        }

        public void Warning(string message)
        {
            owner.Warning?.Invoke(message);
            foreach (var o in owner._observers) o.Warning(message);
        }
    }
}

/// <summary>What a <see cref="RewireTrainer"/> run produced.</summary>
/// <param name="Summary">The run's summary (the content of its summary.json): accuracy before and after RL, reward failures, ...</param>
/// <param name="RunFolder">The run folder (config.json, metrics.jsonl, samples.jsonl, checkpoints); <c>rewire report</c> reads it.</param>
public sealed record TrainingResult(RunSummary Summary, string RunFolder);
