// A policy ready to use on a task: the task and its data, the tokenizer and prompt template, the policy network, and the
// generation settings. The trainer trains one; `rewire eval` and `rewire sample` open one on a run's checkpoint without
// building a trainer. The policy and tokenizer are used through IPolicy/ITokenizer; only checkpoints need the concrete
// network (its weights file).
using Rewire.Core.Configuration;
using Rewire.Core.Rewards;
using Rewire.Core.Runs;
using Rewire.Tasks;
using Rewire.Torch.Checkpoints;
using Rewire.Torch.Generation;
using Rewire.Torch.Models;
using Rewire.Torch.Models.HuggingFace;
using Rewire.Torch.Runtime;
using Rewire.Torch.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Training;

/// <summary>Task, data, tokenizer, policy and generation settings of one run.</summary>
public sealed class PolicySession : IDisposable
{
    private readonly TransformerPolicy? _network;
    private readonly HfModel? _hf;
    private readonly IPolicy _policy;
    private Func<Prompt, string?, int[]>? _withFeedback;

    private PolicySession(TrainOptions o, ITask task, ITokenizer tokenizer, PromptTemplate template, IPolicy policy,
        IReadOnlyList<int> stopTokens, TransformerPolicy? network, HfModel? hf)
    {
        Options = o;
        Task = task;
        Tokenizer = tokenizer;
        Template = template;
        _policy = policy;
        _network = network;
        _hf = hf;
        TrainPool = Prompts(task, o, Split.Train);
        TestSet = Prompts(task, o, Split.Test);
        Generation = new GenerationOptions
        {
            MaxNewTokens = o.Rl.MaxNewTokens,
            Temperature = o.Rl.Temperature,
            StopTokens = stopTokens,
            PadId = tokenizer.PadId,
        }.Validate(policy.VocabSize);
    }

    /// <summary>
    /// The session of <paramref name="o"/>: the task's character tokenizer and a freshly initialised GPT of the configured
    /// size, or (model.path) the Hugging Face model of that folder with its tokenizer, chat template and EOS ids. Checks
    /// that prompts plus the generation budget fit the context before anything is allocated.
    /// </summary>
    /// <param name="o">The run's options.</param>
    /// <param name="registries">The tasks and environments <c>task.name</c> and <c>rl.environment</c> pick from; null for the built-in ones.</param>
    public static PolicySession Create(TrainOptions o, TrainingRegistries? registries = null)
    {
        CheckFits(o, registries);
        TorchRuntime.EnsureLoaded();
        if (o.Model.IsHuggingFace) return CreateHuggingFace(o, registries);
        var task = TrainingComponents.CreateTask(o, registries);
        var tokenizer = new CharTokenizer(task.Alphabet);
        var network = new TransformerPolicy(new TransformerConfig
        {
            VocabSize = tokenizer.VocabSize,
            Layers = o.Model.Layers,
            Heads = o.Model.Heads,
            Width = o.Model.Width,
            ContextLength = o.Model.Context,
            Seed = (long)(TrainingComponents.Derive(o.Run.Seed, TrainingComponents.Streams.Init) >> 1),
        }.Validate());
        if (o.Model.InitFrom.Length > 0)
        {
            try
            {
                PolicyCheckpoint.LoadWeights(network.Model, Path.Combine(o.Model.InitFrom, PolicyCheckpoint.WeightsFile));
            }
            catch
            {
                network.Dispose();
                throw;
            }
        }
        if (o.Run.Device == "cuda" || (o.Run.Device == "auto" && torch.cuda.is_available()))
            network.Model.to(DeviceType.CUDA); // untested here: no GPU on the machines this project runs on
        return new PolicySession(o, task, tokenizer, new PromptTemplate(), network, [tokenizer.EosId], network, null);
    }

    /// <summary>model.path: the folder's network (all weights trainable), its tokenizer and the task's chat prompts.</summary>
    private static PolicySession CreateHuggingFace(TrainOptions o, TrainingRegistries? registries)
    {
        var task = TrainingComponents.CreateTask(o, registries);
        var text = HfTextSide.Load(o.Model.Path);
        HfModel model;
        try { model = HfModel.Load(o.Model.Path); }
        catch (Rewire.HuggingFace.HuggingFaceInputException e) { throw new ConfigurationException([$"'model.path': {e.Message}"]); }
        try
        {
            // Adapters drawn from the run's init stream; the base weights freeze and HfPolicy.Parameters() is the adapters.
            if (o.Model.UsesLora)
                model.Network.ApplyLora(o.Model.Lora.ToOptions(), (long)(TrainingComponents.Derive(o.Run.Seed, TrainingComponents.Streams.Init) >> 1));
            if (o.Run.Device == "cuda" || (o.Run.Device == "auto" && torch.cuda.is_available()))
                model.Network.to(DeviceType.CUDA); // untested here: no GPU on the machines this project runs on
            return new PolicySession(o, task, text.Tokenizer, text.PromptsOf(task), new HfPolicy(model.Network), text.EosIds, null, model)
            {
                // rl.environment: episodes in the model's chat template.
                Episodes = task is Rewire.Tasks.Environments.EnvironmentTask ? new ChatEpisodeFormat(text, o.Env.MaxObservationTokens) : null,
                _withFeedback = (prompt, feedback) => text.Encode(task, prompt, feedback),
            };
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The run's prompts of a split: task.train_size or task.test_size of them, at task.difficulty, or cycling through
    /// the levels task.min_difficulty..task.difficulty when a mixed pool is configured.
    /// </summary>
    public static IReadOnlyList<Prompt> Prompts(ITask task, TrainOptions o, Split split)
    {
        int count = split == Split.Train ? o.Task.TrainSize : o.Task.TestSize;
        // A file holds what it holds: its split's records in file order, at most task.train_size / task.test_size of them.
        if (TrainingComponents.DatasetOf(task) is { } dataset) return dataset.Prompts(split).Take(count).ToArray();
        int low = o.Task.MinDifficulty == 0 ? o.Task.Difficulty : o.Task.MinDifficulty, levels = o.Task.Difficulty - low + 1;
        return levels == 1 ? task.GenerateMany(split, o.Run.Seed, count, o.Task.Difficulty)
            : Enumerable.Range(0, count).Select(i => task.Generate(split, o.Run.Seed, i, low + i % levels)).ToArray();
    }

    /// <summary>
    /// Refuses a configuration whose longest prompt plus rl.max_new_tokens does not fit model.context, and a
    /// model.init_from without weights. Plain C# (the tokenizer needs no native code), so the check runs before a run
    /// folder exists.
    /// </summary>
    /// <param name="o">The run's options.</param>
    /// <param name="registries">The tasks and environments <c>task.name</c> and <c>rl.environment</c> pick from; null for the built-in ones.</param>
    public static void CheckFits(TrainOptions o, TrainingRegistries? registries = null)
    {
        if (o.Model.IsHuggingFace) { CheckFitsHuggingFace(o, registries); return; }
        if (o.Model.InitFrom.Length > 0) CheckInitFrom(o, registries);
        var task = TrainingComponents.CreateTask(o, registries);
        var template = new PromptTemplate();
        var tokenizer = new CharTokenizer(task.Alphabet);
        var longest = Prompts(task, o, Split.Train).Concat(Prompts(task, o, Split.Test))
            .Select(p => (Prompt: p, Length: template.Encode(p, tokenizer).Length)).MaxBy(x => x.Length);
        TrainingPreflight.CheckContext(o, longest.Length, TrainingComponents.DatasetOf(task) is null ? null : longest.Prompt.Meta("source"));
        if (TrainingComponents.DatasetOf(task) is not null) CheckAnswersFit(o, task, tokenizer);
    }

    /// <summary>model.path: every prompt, rendered with the chat template and encoded, plus rl.max_new_tokens must fit the model's context.</summary>
    private static void CheckFitsHuggingFace(TrainOptions o, TrainingRegistries? registries)
    {
        var text = HfTextSide.Load(o.Model.Path);
        var task = TrainingComponents.CreateTask(o, registries);
        var template = text.PromptsOf(task);
        if (task is Rewire.Tasks.Environments.EnvironmentTask environment && EpisodeSettings.Multiturn(o))
        {
            CheckEpisodesFitHuggingFace(o, text, environment);
            return;
        }
        var longest = Prompts(task, o, Split.Train).Concat(Prompts(task, o, Split.Test))
            .Select(p => (Prompt: p, Length: template.Encode(p, text.Tokenizer).Length)).MaxBy(x => x.Length);
        int need = longest.Length + o.Rl.MaxNewTokens;
        if (need > text.ContextLength)
        {
            string where = TrainingComponents.DatasetOf(task) is null ? "" : $" (the longest is the record at {longest.Prompt.Meta("source")})";
            throw new ConfigurationException([$"the chat prompts of '{o.Model.Path}' are up to {longest.Length} tokens; with 'rl.max_new_tokens' = {o.Rl.MaxNewTokens} they need {need}, more than the model's context of {text.ContextLength} (max_position_embeddings): lower rl.max_new_tokens{where}"]);
        }
        if (TrainingComponents.DatasetOf(task) is not null) CheckAnswersFit(o, task, text.Tokenizer);
        if (HfTrainingMemory.For(text.Config, o, need).Refusal(o.Model.Path, ModelMemoryEstimate.AvailableBytes()) is { } refusal)
            throw new ConfigurationException([refusal]);
    }

    /// <summary>
    /// model.path with rl.environment: the chat template passes <see cref="ChatEpisodeFormat.Check"/> (end-of-turn token,
    /// prefix stability), and the longest rendered start (guided starts too, under rl.rollout=agent_rlvr) plus env.max_turns turns of rl.max_new_tokens with observations of
    /// env.max_observation_tokens and the template's tokens between them fit the model's context.
    /// </summary>
    private static void CheckEpisodesFitHuggingFace(TrainOptions o, HfTextSide text, Rewire.Tasks.Environments.EnvironmentTask task)
    {
        var starts = Prompts(task, o, Split.Train).Concat(Prompts(task, o, Split.Test)).ToArray();
        int overhead = ChatEpisodeFormat.Check(text, task, starts[0], o.Env.MaxObservationTokens);
        var format = new ChatEpisodeFormat(text, o.Env.MaxObservationTokens);
        // Agent-RLVR re-rolls all-fail groups from guided starts, whose first user message carries the plan hint as well.
        if (EpisodeSettings.Guided(o))
            starts = [.. starts, .. starts.Select(p => Rewire.Tasks.Environments.EnvironmentGuidance.Guided(p, Rewire.Tasks.Environments.EnvironmentGuidance.Plan(task, p)))];
        int longest = starts.Max(p => format.Start(p, task.Create()).PromptTokens.Length);
        int need = longest + o.Env.MaxTurns * o.Rl.MaxNewTokens + (o.Env.MaxTurns - 1) * (o.Env.MaxObservationTokens + overhead);
        if (need > text.ContextLength)
            throw new ConfigurationException([$"episodes in the chat template of '{o.Model.Path}' need up to {need} tokens (a rendered start of {longest}, env.max_turns = {o.Env.MaxTurns} turns of 'rl.max_new_tokens' = {o.Rl.MaxNewTokens}, and between turns an observation of up to env.max_observation_tokens = {o.Env.MaxObservationTokens} plus {overhead} template tokens), more than the model's context of {text.ContextLength} (max_position_embeddings): lower env.max_turns, rl.max_new_tokens or env.max_observation_tokens"]);
        if (HfTrainingMemory.For(text.Config, o, need).Refusal(o.Model.Path, ModelMemoryEstimate.AvailableBytes()) is { } refusal)
            throw new ConfigurationException([refusal]);
    }

    /// <summary>
    /// A file's answers (in the task's format, with the end token) must fit rl.max_new_tokens: the policy could never write
    /// a longer one, and its demonstration would overflow the context in the warm start. The longest is named.
    /// </summary>
    private static void CheckAnswersFit(TrainOptions o, ITask task, ITokenizer tokenizer)
    {
        var longest = Prompts(task, o, Split.Train).Concat(Prompts(task, o, Split.Test))
            .Select(p => (Prompt: p, Length: tokenizer.Encode(task.Demonstrate(p, 0, new Random(0))).Length + 1)).MaxBy(x => x.Length);
        if (longest.Length > o.Rl.MaxNewTokens)
            throw new ConfigurationException([$"'rl.max_new_tokens' = {o.Rl.MaxNewTokens} is too short for the dataset's answers: the record at {longest.Prompt.Meta("source")} has an answer of {longest.Length} tokens with its end token (in task.format={o.Task.Format}); set rl.max_new_tokens={longest.Length} or more"]);
    }

    /// <summary>model.init_from must hold weights of exactly the configured model (vocabulary of the task, width, layers, heads).</summary>
    private static void CheckInitFrom(TrainOptions o, TrainingRegistries? registries)
    {
        string dir = o.Model.InitFrom, weights = Path.Combine(dir, PolicyCheckpoint.WeightsFile), config = Path.Combine(dir, PolicyCheckpoint.ConfigFile);
        if (!File.Exists(weights) || !File.Exists(config))
            throw new ConfigurationException([$"'model.init_from' = '{dir}' holds no {PolicyCheckpoint.WeightsFile} with its {PolicyCheckpoint.ConfigFile}; give a checkpoint folder such as runs/<run>/checkpoints/sft"]);
        TransformerConfig saved;
        try { saved = TransformerConfig.FromJson(File.ReadAllText(config)); }
        catch (ArgumentException e) { throw new ConfigurationException([$"'model.init_from': {config} is not a model configuration: {e.Message}"]); }
        int vocab = new CharTokenizer(TrainingComponents.CreateTask(o, registries).Alphabet).VocabSize;
        var mismatches = new List<string>();
        if (saved.VocabSize != vocab) mismatches.Add($"vocabulary {saved.VocabSize} (the {o.Task.Name} task's tokenizer has {vocab}: the checkpoint is of another task)");
        if (saved.Width != o.Model.Width) mismatches.Add($"model.width {saved.Width}, not {o.Model.Width}");
        if (saved.Layers != o.Model.Layers) mismatches.Add($"model.layers {saved.Layers}, not {o.Model.Layers}");
        if (saved.Heads != o.Model.Heads) mismatches.Add($"model.heads {saved.Heads}, not {o.Model.Heads}");
        if (mismatches.Count > 0)
            throw new ConfigurationException([$"'model.init_from' = '{dir}' does not fit this run's model: it has {string.Join("; ", mismatches)}"]);
    }

    /// <summary>The run's options.</summary>
    public TrainOptions Options { get; }

    /// <summary>How an episode's context grows: null for the small GPT's character layout, the chat template's form for a Hugging Face model.</summary>
    public IEpisodeFormat? Episodes { get; private init; }
    /// <summary>The task prompts and verifier come from.</summary>
    public ITask Task { get; }
    /// <summary>The tokenizer of the policy.</summary>
    public ITokenizer Tokenizer { get; }
    /// <summary>How a prompt becomes token ids.</summary>
    public PromptTemplate Template { get; }
    /// <summary>The policy being trained.</summary>
    public IPolicy Policy => _policy;
    /// <summary>The training prompts.</summary>
    public IReadOnlyList<Prompt> TrainPool { get; }
    /// <summary>The held-out evaluation prompts.</summary>
    public IReadOnlyList<Prompt> TestSet { get; }
    /// <summary>The generation settings of the rollouts.</summary>
    public GenerationOptions Generation { get; }

    /// <summary>The concrete small GPT, for checkpoints and the critic; a Hugging Face session has none.</summary>
    public TransformerPolicy Network => _network
        ?? throw new InvalidOperationException($"this session trains the Hugging Face model of '{Options.Model.Path}', not the small GPT");

    /// <summary>The Hugging Face model (model.path), or null for the small GPT.</summary>
    public HfModel? HuggingFace => _hf;

    /// <summary>
    /// Writes the policy's weights into a checkpoint folder being built: the small GPT's model.safetensors + config.json,
    /// or a Hugging Face run's <c>hf/</c> folder (<see cref="HfRunCheckpoint"/>: the PEFT adapter under LoRA, else every
    /// weight in float32, and the source folder's path), which `rewire export` reads.
    /// </summary>
    public void SaveModel(string directory)
    {
        if (_network is not null) PolicyCheckpoint.Save(_network, directory);
        else HfRunCheckpoint.Write(_hf!.Network, directory, Options.Model.Path);
    }

    /// <summary>The folder of a run that holds the final model of a model.path run (model.export).</summary>
    public const string ExportFolder = "model";

    /// <summary>
    /// At the end of a completed model.path run, writes the trained model to <c>RUN/model/</c> as model.export says
    /// (<see cref="HfExporter"/>: atomic, the folder is complete or absent); a folder from an earlier attempt of the same run
    /// is replaced. Returns the folder, or null for the small GPT and model.export=none.
    /// </summary>
    public string? ExportFinal(string runDirectory)
    {
        if (_hf is null || Options.Model.Export == "none") return null;
        string target = Path.Combine(runDirectory, ExportFolder);
        if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
        HfExporter.Export(_hf, target, new HfExportOptions(AdapterOnly: Options.Model.Export == "adapter"));
        return target;
    }

    /// <summary>Loads a checkpoint folder's weights into the policy (a Hugging Face run's adapter, or its full weights).</summary>
    public void LoadWeights(string checkpointDir)
    {
        if (_network is not null)
        {
            PolicyCheckpoint.LoadWeights(_network.Model, Path.Combine(checkpointDir, PolicyCheckpoint.WeightsFile));
            return;
        }
        string hfDir = Path.Combine(checkpointDir, HfRunCheckpoint.FolderName);
        if (!Directory.Exists(hfDir))
            throw new CheckpointException($"{checkpointDir} holds no {HfRunCheckpoint.FolderName}/ folder; it is not a checkpoint of a model.path run");
        bool adapter = HfRunCheckpoint.HoldsAdapter(hfDir);
        if (adapter != Options.Model.UsesLora)
            throw new CheckpointException($"{hfDir} holds {(adapter ? "a LoRA adapter" : "full weights")}, but the run's configuration {(Options.Model.UsesLora ? "uses" : "does not use")} LoRA");
        try
        {
            if (adapter) HfAdapterWeights.Load(_hf!.Network, hfDir);
            else
            {
                using var checkpoint = Rewire.HuggingFace.Safetensors.SafetensorsCheckpoint.Open(hfDir);
                HfCheckpointLoader.Load(_hf!.Network, checkpoint);
            }
        }
        catch (Rewire.HuggingFace.HuggingFaceInputException e)
        {
            throw new CheckpointException($"{hfDir}: {e.Message}", e);
        }
    }

    /// <summary>
    /// The frozen KL reference with a checkpoint folder's weights: the small GPT's copy; under LoRA the policy's own
    /// network with adapters switched off (no second copy); a fully fine-tuned Hugging Face model's frozen copy.
    /// </summary>
    public IPolicy LoadFrozen(string checkpointDir)
    {
        if (_network is not null)
        {
            using var loaded = PolicyCheckpoint.Load(checkpointDir);
            return loaded.CloneFrozen();
        }
        if (Options.Model.UsesLora) return new AdapterFreeReference((HfPolicy)_policy);
        using var start = HfRunCheckpoint.Load(Path.Combine(checkpointDir, HfRunCheckpoint.FolderName));
        using var policy = new HfPolicy(start.Network);
        return policy.CloneFrozen();
    }

    /// <summary>Held-out evaluation with the task's verifier (an environment: the success rate of episodes).</summary>
    public EvalResult Evaluate() => Task is Rewire.Tasks.Environments.EnvironmentTask env
        ? EpisodeEvaluator.Evaluate(Policy, Tokenizer, Template, env, Options.Env, TestSet, Generation, Options.Eval.Samples, Options.Eval.PassK,
            (long)(TrainingComponents.Derive(Options.Run.Seed, TrainingComponents.Streams.Eval) >> 1), Episodes)
        : Evaluator.Evaluate(Policy, Tokenizer, Template, Task.Verifier, TestSet, Generation, Options.Eval.Samples, Options.Eval.PassK,
            (long)(TrainingComponents.Derive(Options.Run.Seed, TrainingComponents.Streams.Eval) >> 1));

    /// <summary>
    /// Verifier-guided best-of-N on the held-out prompts: <paramref name="maxN"/> candidates per prompt at the run's
    /// sampling settings, the one <paramref name="selector"/> scores highest graded by the task's verifier (see <see cref="BestOfNEvaluator"/>).
    /// </summary>
    public IReadOnlyList<BestOfNPoint> BestOfN(IRewardFunction selector, int maxN) =>
        BestOfNEvaluator.Evaluate(Policy, Tokenizer, Template, Task.Verifier, selector, TestSet, Generation, maxN,
            (long)(TrainingComponents.Derive(Options.Run.Seed, TrainingComponents.Streams.Eval) >> 1));

    /// <summary>
    /// Whether the policy can read Iterative Agent Decoding's feedback: a Hugging Face chat model, whose prompts are chat
    /// messages; the small character-level GPT cannot (its prompts are the task's format in the task's alphabet).
    /// </summary>
    public bool ReadsFeedback => _withFeedback is not null;

    /// <summary>
    /// Iterative Agent Decoding on the held-out prompts (<see cref="IadEvaluator"/>): <paramref name="rounds"/> rounds of
    /// <paramref name="n"/> candidates at the run's sampling settings, feedback appended to each prompt's last user
    /// message, the answer the best of all by <paramref name="selector"/>, graded by the task's verifier.
    /// </summary>
    /// <param name="selector">Scores the candidates (the run's reward, or a reward model).</param>
    /// <param name="n">Candidates per round.</param>
    /// <param name="rounds">Rounds T.</param>
    /// <param name="mode">What rounds after the first read.</param>
    /// <param name="cancellationToken">Checked before each round.</param>
    public IadEvaluation IterativeDecoding(IRewardFunction selector, int n, int rounds, Rewire.Core.Decoding.IadFeedbackMode mode, CancellationToken cancellationToken = default) =>
        IadEvaluator.Evaluate(Policy, Tokenizer,
            _withFeedback ?? throw new InvalidOperationException("the small character-level GPT cannot read feedback; Iterative Agent Decoding needs a Hugging Face chat model (model.path)"),
            Task.Verifier, selector, TestSet, Generation, n, rounds, mode, _hf!.Network.ContextLength,
            (long)(TrainingComponents.Derive(Options.Run.Seed, TrainingComponents.Streams.Eval) >> 1), cancellationToken);

    /// <summary>Completions of the first <paramref name="count"/> held-out prompts with their reward breakdown.</summary>
    public IReadOnlyList<SampleRecord> Sample(int count, long seed, IRewardFunction reward, int step)
    {
        var prompts = TestSet.Take(count).ToArray();
        if (Task is Rewire.Tasks.Environments.EnvironmentTask env) return SampleEpisodes(env, prompts, seed, step);
        var encoded = prompts.Select(p => (IReadOnlyList<int>)Template.Encode(p, Tokenizer)).ToArray();
        using var g = new torch.Generator((ulong)seed);
        var seqs = Policy.Generate(encoded, Generation, g);
        return prompts.Select((p, i) =>
        {
            string text = Tokenizer.Decode(seqs[i].Tokens.Where(t => t != Tokenizer.EosId));
            var r = reward.Score(new Rollout(p, text, seqs[i].Tokens.Length, seqs[i].Finish, p.Id));
            return new SampleRecord(step, p.Id, p.Text, text, r.Total, r.Total, r.Correct, r.Components, r.FailureReason, seqs[i].Finish.ToString().ToLowerInvariant());
        }).ToArray();
    }

    /// <summary>One whole episode from each of <paramref name="prompts"/>: its turns, observations and rewards.</summary>
    private SampleRecord[] SampleEpisodes(Rewire.Tasks.Environments.EnvironmentTask env, IReadOnlyList<Prompt> prompts, long seed, int step)
    {
        var runner = new EpisodeRunner(Policy, Tokenizer, Template, env, Generation, Options.Env, Options.Env.Guard(), Episodes);
        using var g = new torch.Generator((ulong)seed);
        return runner.Run(prompts, 1, g).Select(e => EpisodeCollector.Record(e, accumulate: true, Tokenizer.EosId, Options.Reward.FailureValue))
            .Select(r => ToSample(step, r)).ToArray();
    }

    /// <summary>A rollout as a samples.jsonl record (an episode with its turns).</summary>
    public static SampleRecord ToSample(int step, RolloutRecord r) =>
        new(step, r.Prompt.Id, r.Prompt.Text, r.Completion, r.Reward.Total, r.ShapedReward, r.Reward.Correct, r.Reward.Components,
            r.Reward.FailureReason, r.Finish.ToString().ToLowerInvariant(), r.Episode?.Turns);

    /// <inheritdoc />
    public void Dispose()
    {
        _network?.Dispose();
        _hf?.Dispose();
    }
}
