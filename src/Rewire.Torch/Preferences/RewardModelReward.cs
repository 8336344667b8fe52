// A trained reward model (`rewire train stage=rm`) as a reward component of RL (`reward.model=RUN`): each rollout's
// completion is scored r(x, y) by the model, in batches of 64 under one lock (a TorchSharp module is used by one thread
// at a time), without gradient. It runs behind the reward pipeline's failure isolation like any batch verifier: a batch
// that throws or runs out of time is counted and replaced by reward.failure_value. The model must have been trained on
// the run's task (its tokenizer's alphabet must be the task's).
using Rewire.Core.Configuration;
using Rewire.Core.Rewards;
using Rewire.Tasks;
using Rewire.Torch.Tokenizers;
using static TorchSharp.torch;

namespace Rewire.Torch.Preferences;

/// <summary>A reward model as an <see cref="IBatchRewardFunction"/> (see the file header).</summary>
public sealed class RewardModelReward : IBatchRewardFunction, IDisposable
{
    /// <summary>The component's name in the reward breakdown.</summary>
    public const string ComponentName = "reward_model";

    private RewardModel? _model;
    private readonly CharTokenizer _tokenizer;
    private readonly PromptTemplate _template = new();
    private readonly Lock _gate = new();
    private bool _disposed;

    private RewardModelReward(RewardModel? model, string alphabet)
    {
        _model = model;
        _tokenizer = new CharTokenizer(alphabet, UnknownCharHandling.Throw);
    }

    /// <summary>
    /// The component of reward.model=inline before its reward model exists: the trainer trains (or, resuming, finds) it
    /// at the start of the run and hands it over with <see cref="Attach"/>; scoring before that is a counted failure.
    /// </summary>
    internal static RewardModelReward Pending(ITask task) => new(null, task.Alphabet);

    /// <summary>True until <see cref="Attach"/> has given the reward model.</summary>
    internal bool IsPending => _model is null;

    /// <summary>Gives a pending component its reward model (loaded from the run folder it was saved in).</summary>
    internal void Attach(RewardModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (_model is not null) throw new InvalidOperationException("this reward model component already has its reward model");
        if (model.Alphabet != _tokenizer.Alphabet) throw new ArgumentException($"the reward model reads the characters of the {model.Task} task, not this task's", nameof(model));
        _model = model;
    }

    /// <inheritdoc/>
    public string Name => ComponentName;

    /// <summary>The reward model (Cooper co-trains it under <see cref="Gate"/>).</summary>
    internal RewardModel Model => _model ?? throw new InvalidOperationException("the reward model of reward.model=inline has not been trained yet");
    /// <summary>When true the reward is σ(r) (reward.model_sigmoid, Cooper's reward), else the score r.</summary>
    internal bool Sigmoid { get; set; }

    /// <summary>The lock every use of <see cref="Model"/> holds.</summary>
    internal Lock Gate => _gate;
    /// <summary>The model's tokenizer.</summary>
    internal CharTokenizer Tokenizer => _tokenizer;
    /// <summary>The prompt template the model reads prompts in.</summary>
    internal PromptTemplate Template => _template;

    /// <summary>
    /// A problem of <paramref name="run"/> as the reward model of <paramref name="task"/> (no native code: the marker file
    /// only), naming the file; null when it is one.
    /// </summary>
    public static string? Problem(string run, ITask task)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(task);
        string dir = Path.GetFileName(Path.TrimEndingDirectorySeparator(run)) == RewardModel.Folder ? run : Path.Combine(run, RewardModel.Folder);
        string marker = Path.Combine(dir, RewardModel.MarkerFile);
        string Not(string file, string why) => $"'reward.model' = '{run}' is not a reward model: {file} {why}; give the folder of a `rewire train stage=rm` run";
        if (!File.Exists(marker)) return Not(marker, "does not exist");
        System.Text.Json.Nodes.JsonNode? facts;
        try { facts = System.Text.Json.Nodes.JsonNode.Parse(BoundedFile.ReadAllText(marker, "a reward model's marker")); }
        catch (System.Text.Json.JsonException) { return Not(marker, "is not JSON"); }
        if (facts is not System.Text.Json.Nodes.JsonObject o || o["kind"]?.ToString() != "reward_model") return Not(marker, "does not say kind \"reward_model\"");
        foreach (string file in new[] { RewardModel.WeightsFile, Checkpoints.PolicyCheckpoint.ConfigFile })
            if (!File.Exists(Path.Combine(dir, file))) return Not(Path.Combine(dir, file), "does not exist");
        if (o["alphabet"]?.ToString() != task.Alphabet)
            return $"'reward.model' = '{run}': {marker} is a reward model of the {o["task"]} task, whose characters differ from the {task.Name} task's; train a reward model on {task.Name}";
        return null;
    }

    /// <summary>Loads the reward model of <paramref name="run"/> for <paramref name="task"/>; a folder that is not one is a <see cref="ConfigurationException"/> naming the file.</summary>
    public static RewardModelReward Load(string run, ITask task)
    {
        if (Problem(run, task) is { } problem) throw new ConfigurationException([problem]);
        var model = RewardModel.Load(run);
        return new RewardModelReward(model, model.Alphabet);
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<RewardResult>> ScoreAsync(IReadOnlyList<Rollout> rollouts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rollouts);
        var results = new RewardResult[rollouts.Count];
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var model = Model;
            for (int at = 0; at < rollouts.Count; at += 64)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int n = Math.Min(64, rollouts.Count - at);
                var prompts = new IReadOnlyList<int>[n];
                var responses = new IReadOnlyList<int>[n];
                for (int i = 0; i < n; i++)
                {
                    var r = rollouts[at + i];
                    prompts[i] = _template.Encode(r.Prompt, _tokenizer);
                    responses[i] = [.. _tokenizer.Encode(r.Completion), _tokenizer.EosId];
                }
                using var scope = NewDisposeScope();
                var scores = model.Score(prompts, responses, _tokenizer.PadId, withGradient: false).to(ScalarType.Float64).cpu().data<double>().ToArray();
                for (int i = 0; i < n; i++)
                {
                    double value = Sigmoid ? 1.0 / (1.0 + Math.Exp(-scores[i])) : scores[i];
                    results[at + i] = new RewardResult { Total = value, Components = new Dictionary<string, double> { [ComponentName] = value } };
                }
            }
        }
        return ValueTask.FromResult<IReadOnlyList<RewardResult>>(results);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        // Under the gate: a batch the reward pipeline stopped waiting for (reward.timeout_ms) may still be scoring on
        // its thread; the model is freed only after that batch has finished, and later calls fail (counted) instead of
        // reading freed native memory.
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _model?.Dispose();
        }
    }
}
