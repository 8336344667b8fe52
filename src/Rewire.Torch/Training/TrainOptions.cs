using System.ComponentModel.DataAnnotations;
using Rewire.Core.Configuration;

namespace Rewire.Torch.Training;

// The configuration of one `rewire train` run. Every key is `section.snake_case_name` (see OptionsBinder), with the
// default given here; the embedded default run is these defaults with the default recipe (dapo) applied. Names of techniques (task, estimator,
// objective, sampler, shaping) and their parameters are resolved and validated before any work starts (TrainConfiguration).

/// <summary>Run identity and bookkeeping.</summary>
public sealed class RunOptions
{
    /// <summary>Run name, part of the run folder's name. <value>The default value is "default".</value></summary>
    public string Name { get; set; } = "default";

    /// <summary>Master seed; every random stream (data, initialisation, sampling, shuffling) derives from it.</summary>
    [Range(0, int.MaxValue)] public int Seed { get; set; } = 1;

    /// <summary>Write a checkpoint every this many RL steps (and at the end, and on Ctrl-C).</summary>
    [Range(1, 1_000_000)] public int CheckpointEvery { get; set; } = 10;

    /// <summary>Stop the run after this many consecutive non-finite losses (each is skipped and counted).</summary>
    [Range(1, 1000)] public int MaxConsecutiveNonFinite { get; set; } = 5;

    /// <summary>Rollouts per step written to samples.jsonl.</summary>
    [Range(0, 10_000)] public int SamplesPerStep { get; set; } = 4;

    /// <summary>
    /// Where the policy's tensors live: cpu, cuda, or auto (cuda when LibTorch sees a GPU, else cpu). CPU is what is
    /// tested; cuda needs the CUDA LibTorch build (-p:RewireTorchBackend=cuda) and was not tested (no GPU here).
    /// </summary>
    public string Device { get; set; } = "cpu";

    /// <summary>
    /// Also write TensorBoard event files (a scalar for every numeric metric of every RL step) into the run folder, so
    /// `tensorboard --logdir runs` shows the runs. Logging only: not part of the configuration hash.
    /// </summary>
    [NotHashed] public bool Tensorboard { get; set; }
}

/// <summary>Which task to train on and how its data is made.</summary>
public sealed class TaskOptions
{
    /// <summary>Task registry name (see `rewire list`).</summary>
    public string Name { get; set; } = "reverse";

    /// <summary>Difficulty level passed to the generator (1 = easiest); the hardest level when task.min_difficulty is set.</summary>
    [Range(1, 10)] public int Difficulty { get; set; } = 1;

    /// <summary>
    /// The easiest level of a mixed pool: prompts cycle through levels min_difficulty..difficulty (what a difficulty
    /// curriculum needs). 0: every prompt at task.difficulty.
    /// </summary>
    [Range(0, 10)] public int MinDifficulty { get; set; }

    /// <summary>Prompts in the training pool.</summary>
    [Range(1, 10_000_000)] public int TrainSize { get; set; } = 2000;

    /// <summary>Prompts in the held-out evaluation set.</summary>
    [Range(1, 1_000_000)] public int TestSize { get; set; } = 500;

    /// <summary>Share of deliberately wrong demonstrations in the supervised warm start, so RL has something to improve.</summary>
    [Range(0.0, 1.0)] public double DemoErrorRate { get; set; } = 0.5;

    /// <summary>The answer format: plain (the completion is the answer), boxed (\boxed{...}) or answer_tag (&lt;answer&gt;...&lt;/answer&gt;).</summary>
    public string Format { get; set; } = "plain";

    /// <summary>A system message for the task's chat form, replacing the task's own instruction; empty: the task's.</summary>
    public string System { get; set; } = "";

    /// <summary>The dataset task's file (task.name=dataset): JSONL or Parquet records with a prompt or messages and an answer.</summary>
    public string Path { get; set; } = "";

    /// <summary>Dataset field holding the prompt text.</summary>
    public string PromptField { get; set; } = "prompt";

    /// <summary>Dataset field holding chat messages [{role, content}] (used when a record has no prompt field).</summary>
    public string MessagesField { get; set; } = "messages";

    /// <summary>Dataset field holding the reference answer.</summary>
    public string AnswerField { get; set; } = "answer";

    /// <summary>Dataset field holding a code record's Python tests.</summary>
    public string TestsField { get; set; } = "tests";

    /// <summary>Dataset field holding the domain (optional).</summary>
    public string DomainField { get; set; } = "domain";

    /// <summary>Dataset field holding the difficulty 1..10 (optional).</summary>
    public string DifficultyField { get; set; } = "difficulty";

    /// <summary>Dataset field holding the split, train or test (optional; when every record has it, it decides the split).</summary>
    public string SplitField { get; set; } = "split";

    /// <summary>The dataset's verifier: exact, numeric, math, regex or code.</summary>
    public string Verifier { get; set; } = "exact";

    /// <summary>Tolerance (relative and absolute) of the numeric and math verifiers.</summary>
    [Range(0.0, 1e6)] public double Tolerance { get; set; } = 1e-6;

    /// <summary>The regex verifier's pattern, with a capture group (named answer, or the first) around the answer.</summary>
    public string Pattern { get; set; } = "";

    /// <summary>Share of a dataset held out for testing when it has no split column.</summary>
    [Range(0.0, 0.99)] public double TestFraction { get; set; } = 0.2;

    /// <summary>Seed of a dataset's train/test shuffle (fixed, so every run seed has the same split).</summary>
    [Range(0, int.MaxValue)] public int SplitSeed { get; set; }

    /// <summary>Most distinct characters a dataset may bring to the character tokenizer.</summary>
    [Range(1, 65_536)] public int MaxAlphabet { get; set; } = 512;
}

/// <summary>The policy network (a small decoder-only transformer over characters).</summary>
public sealed class ModelOptions
{
    /// <summary>Transformer blocks of the small GPT.</summary>
    [Range(1, 64)] public int Layers { get; set; } = 2;
    /// <summary>Residual stream width of the small GPT.</summary>
    [Range(8, 4096)] public int Width { get; set; } = 128;
    /// <summary>Attention heads of the small GPT; must divide the width.</summary>
    [Range(1, 64)] public int Heads { get; set; } = 4;
    /// <summary>Context length in tokens; 0 (the default): the task's longest prompt plus rl.max_new_tokens, found when the configuration is resolved.</summary>
    [Range(0, 8192)] public int Context { get; set; }

    /// <summary>
    /// A checkpoint folder (a run's checkpoints/sft or step-N, holding model.safetensors) whose weights initialise the
    /// policy instead of a random initialisation; its model shape must equal this section's. Empty: random. With
    /// sft.steps=0 the run starts RL from exactly those weights.
    /// </summary>
    public string InitFrom { get; set; } = "";

    /// <summary>
    /// A Hugging Face causal-LM folder (config.json, tokenizer.json, safetensors weights, a chat template) to train instead
    /// of the small GPT: its tokenizer, chat template and EOS ids are used, the supervised warm start is skipped (an
    /// instruct model starts RL as it is), and model.layers/width/heads/context/init_from are refused (the folder's
    /// config.json defines the architecture). Empty (the default): the small GPT.
    /// </summary>
    public string Path { get; set; } = "";

    /// <summary>True when <see cref="Path"/> names a Hugging Face model.</summary>
    public bool IsHuggingFace => Path.Length > 0;

    /// <summary>
    /// What a model.path run that completes leaves in <c>RUN/model/</c>: <c>merged</c> (the default: a whole Hugging Face
    /// folder, adapters merged, in the source's dtype, with its tokenizer and templates, so transformers, vLLM or
    /// llama.cpp's converter load it as they load the source), <c>adapter</c> (the LoRA adapter alone in PEFT's layout;
    /// needs model.lora.rank), or <c>none</c>. `rewire export RUN` writes other forms from any checkpoint.
    /// </summary>
    public string Export { get; set; } = "merged";

    /// <summary>model.lora.*: low-rank adapters on a Hugging Face model (rank 0: full fine-tuning).</summary>
    public LoraSettings Lora { get; set; } = new();

    /// <summary>True when LoRA adapters are configured.</summary>
    public bool UsesLora => Lora.Rank > 0;
}

/// <summary>
/// LoRA (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models") on a model.path model: the base weights
/// are frozen, the optimiser updates the adapters only, and the KL reference is the same network with its adapters off.
/// </summary>
public sealed class LoraSettings
{
    /// <summary>r, the adapters' rank; 0 (the default): no adapters, every weight trains.</summary>
    [Range(0, 4096)] public int Rank { get; set; }

    /// <summary>α; the adapter's product B·A is scaled by α/r.</summary>
    [Range(0.0, 1e6)] public double Alpha { get; set; } = 16;

    /// <summary>Dropout on the adapter's input, in [0, 1).</summary>
    [Range(0.0, 0.99)] public double Dropout { get; set; }

    /// <summary>Hugging Face names of the linear layers that get adapters (every decoder layer's).</summary>
    public IReadOnlyList<string> TargetModules { get; set; } = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

    /// <summary>These settings as the model's LoRA options.</summary>
    public Rewire.HuggingFace.Lora.LoraOptions ToOptions() => new(Rank, Alpha, Dropout, TargetModules);
}

/// <summary>The supervised warm start on the task's (imperfect) demonstrations.</summary>
public sealed class SftOptions
{
    /// <summary>Supervised warm-start steps before RL; 0 skips the warm start.</summary>
    [Range(0, 1_000_000)] public int Steps { get; set; } = 300;
    /// <summary>Demonstrations per warm-start step.</summary>
    [Range(1, 65_536)] public int BatchSize { get; set; } = 64;
    /// <summary>Learning rate of the warm start.</summary>
    [Range(1e-7, 1.0)] public double LearningRate { get; set; } = 3e-3;
}

/// <summary>
/// The RL stage: rollouts, rewards, advantages, objective and updates. The techniques (recipe, estimator, objective,
/// sampler, rollout, KL) are chosen here by name; their parameters live in the sections named after their kind
/// (objective.*, estimator.*, sampler.*, rollout.*). A recipe sets a paper's whole combination; explicit keys override it.
/// </summary>
public sealed class RlOptions : IValidatableOptions
{
    /// <summary>RL steps to run.</summary>
    [Range(0, 1_000_000)] public int Steps { get; set; } = 30;

    /// <summary>Prompts per step (after dynamic-sampling filtering).</summary>
    [Range(1, 65_536)] public int PromptsPerStep { get; set; } = 32;

    /// <summary>G, rollouts per prompt.</summary>
    [Range(1, 1024)] public int GroupSize { get; set; } = 8;

    /// <summary>Passes over each step's rollouts.</summary>
    [Range(1, 100)] public int Epochs { get; set; } = 1;

    /// <summary>Rollouts per gradient update (mini-batch); the step's rollouts are split into mini-batches.</summary>
    [Range(1, 1_000_000)] public int MiniBatchSize { get; set; } = 128;

    /// <summary>
    /// Rollouts per forward/backward pass inside a mini-batch (gradient accumulation); 0 (the default): the whole
    /// mini-batch at once. The loss is normalised by the mini-batch's token (or sequence) count, not the micro-batch's,
    /// so the accumulated gradient equals the one-pass gradient; only memory changes.
    /// </summary>
    [Range(0, 1_000_000)] public int MicroBatchSize { get; set; }

    /// <summary>Peak learning rate of the policy (after warm-up).</summary>
    [Range(1e-8, 1.0)] public double LearningRate { get; set; } = 1e-3;
    /// <summary>Clip bound of the global gradient norm; 0 disables clipping.</summary>
    [Range(0.0, 1e6)] public double MaxGradNorm { get; set; } = 1.0;
    /// <summary>Steps of linear learning-rate warm-up.</summary>
    [Range(0, 1_000_000)] public int WarmupSteps { get; set; } = 5;
    /// <summary>Maximum tokens generated per response.</summary>
    [Range(1, 4096)] public int MaxNewTokens { get; set; } = 10;
    /// <summary>Sampling temperature of the rollouts.</summary>
    [Range(1e-3, 10.0)] public double Temperature { get; set; } = 1.0;

    /// <summary>A paper's combination of techniques (`rewire list --json`, kind recipe); explicit keys override it.</summary>
    public string Recipe { get; set; } = "dapo";

    /// <summary>Advantage estimator registry name.</summary>
    public string Estimator { get; set; } = "grpo";

    /// <summary>Policy objective registry name.</summary>
    public string Objective { get; set; } = "dapo";

    /// <summary>Prompt sampler registry name.</summary>
    public string Sampler { get; set; } = "dapo";

    /// <summary>Rollout strategy: sampling (G independent samples) or latr (lookahead tree rollouts).</summary>
    public string Rollout { get; set; } = "sampling";

    /// <summary>
    /// A multi-turn text environment (guess, search, maze; see `rewire list`): a rollout becomes an episode of up to
    /// env.max_turns turns, and the task is the environment's start states. Empty: single-turn completions of task.name.
    /// </summary>
    public string Environment { get; set; } = "";

    /// <summary>Token-level advantage shapers applied after the estimator, in order.</summary>
    public IReadOnlyList<string> AdvantageShaping { get; set; } = [];

    /// <summary>KL to the frozen reference: none, loss (a term in the loss) or reward (folded into token rewards).</summary>
    public string KlMode { get; set; } = "none";
    /// <summary>Per-token KL estimator (verl's names: kl, abs, mse, low_var_kl, full, and "+" forms).</summary>
    public string KlEstimator { get; set; } = "low_var_kl";
    /// <summary>β, the weight of the KL term (in the loss or the reward, per <see cref="KlMode"/>).</summary>
    [Range(0.0, 100.0)] public double KlCoef { get; set; } = 0.0;
    /// <summary>c_H, the weight of the entropy bonus in the loss.</summary>
    [Range(0.0, 100.0)] public double EntropyCoef { get; set; } = 0.0;

    /// <inheritdoc />
    public void Validate(string prefix, ICollection<string> errors)
    {
        if (KlMode is not ("none" or "loss" or "reward"))
            errors.Add($"'{prefix}kl_mode' = '{KlMode}' is not allowed; allowed: none, loss, reward");
        if (KlMode == "none" && KlCoef != 0)
            errors.Add($"'{prefix}kl_coef' = {KlCoef} has no effect with '{prefix}kl_mode' = none; set kl_mode=loss or kl_mode=reward, or kl_coef=0");
        if (KlMode != "none" && KlCoef == 0)
            errors.Add($"'{prefix}kl_mode' = {KlMode} needs '{prefix}kl_coef' > 0");
    }
}

/// <summary>
/// The critic, built only when a technique reads critic values (GAE, and the ppo recipe): a copy of the warm-started
/// policy's trunk with a zero-initialised value head, trained by the clipped value loss beside each policy mini-batch.
/// </summary>
public sealed class CriticOptions
{
    /// <summary>The critic's learning rate (constant; verl's critic uses its own optimiser too).</summary>
    [Range(1e-8, 1.0)] public double LearningRate { get; set; } = 1e-3;

    /// <summary>cliprange_value of the clipped value loss (verl's default 0.5).</summary>
    [Range(0.0, 1e6)] public double ValueClip { get; set; } = 0.5;

    /// <summary>Clip bound of the critic's gradient norm; 0 disables clipping.</summary>
    [Range(0.0, 1e6)] public double MaxGradNorm { get; set; } = 1.0;
}

/// <summary>Rewards: the task's verifier plus optional shaping.</summary>
public sealed class RewardOptions
{
    /// <summary>Weights of the verifier's named components in the total (empty: the verifier's own total).</summary>
    public Dictionary<string, double> Weights { get; set; } = [];

    /// <summary>Shaping transforms applied in order, by registry name (parameters: shaping.NAME.PARAM).</summary>
    public IReadOnlyList<string> Shaping { get; set; } = [];

    /// <summary>Reward functions added to the task's verifier, by registry name (parameters: reward_function.NAME.PARAM; weights: reward.weights.NAME).</summary>
    public IReadOnlyList<string> Functions { get; set; } = [];

    /// <summary>Dynamic weighting of the reward components (none, or a reward_weighting technique; parameters: reward_weighting.PARAM).</summary>
    public string Weighting { get; set; } = "none";

    /// <summary>Reward used when a reward function throws, returns a non-finite value or runs out of time.</summary>
    public double FailureValue { get; set; } = 0.0;

    /// <summary>Time budget per reward call, in milliseconds.</summary>
    [Range(1, 3_600_000)] public int TimeoutMs { get; set; } = 2000;

    /// <summary>
    /// Time budget per call of the learned reward model or judge (reward.model, reward.judge), in milliseconds. Their
    /// calls are batched network forward passes, not a verifier's quick check, so they get their own, longer budget:
    /// under load a 2-second budget would turn ordinary slow batches into counted failures (and runs that differ by
    /// machine load). Not hashed, so runs made before this key existed still resume.
    /// </summary>
    [NotHashed, Range(1, 3_600_000)] public int ModelTimeoutMs { get; set; } = 120_000;

    /// <summary>
    /// The folder of a `rewire train stage=rm` run whose reward model scores every rollout as the component
    /// <c>reward_model</c> (weight reward.weights.reward_model, default 1), or <c>inline</c>: a Bradley–Terry reward model
    /// trained at the start of the run from prefs.*, rm.* and reward_model.* exactly as stage=rm trains it, and saved in
    /// the run's reward_model/ folder (a resumed run loads it from there); empty (the default): none. Not hashed, so runs
    /// made before this key existed still resume (--resume takes no overrides, so a run keeps its own value).
    /// </summary>
    [NotHashed] public string Model { get; set; } = "";

    /// <summary>
    /// What happens to the reward model of <see cref="Model"/> during RL: none (the default: it stays frozen) or cooper
    /// (Cooper: after each policy step it is trained on verified-correct rollouts against verified-wrong rewrites of them).
    /// Not hashed, like <see cref="Model"/>.
    /// </summary>
    [NotHashed] public string ModelUpdate { get; set; } = "none";

    /// <summary>The learning rate of Cooper's reward-model updates (the paper's 1e-5).</summary>
    [NotHashed, Range(1e-9, 1.0)] public double ModelLearningRate { get; set; } = 1e-5;

    /// <summary>
    /// The reward model's reward is σ(r) instead of its score r (Cooper's reward: the sigmoid of the reward model's
    /// logit, in (0, 1)). True by default when <see cref="ModelUpdate"/> is cooper (the paper's reward), false
    /// otherwise, when keys are resolved by <c>TrainConfiguration.Resolve</c> (<c>rewire train</c>); an explicit key always
    /// wins, and options built in code count every key as explicit. Not hashed, like <see cref="Model"/>.
    /// </summary>
    [NotHashed] public bool ModelSigmoid { get; set; }

    /// <summary>
    /// A pairwise judge that rewards rollouts by BRPO (Writing-Zero): the folder of a `rewire train stage=rm
    /// rm.model=genrm` run, or <c>oracle</c> (the task's true utility as the judge); the component is <c>brpo</c> (weight
    /// reward.weights.brpo, default 1). Empty (the default): none. Not hashed, like reward.model.
    /// </summary>
    [NotHashed] public string Judge { get; set; } = "";

    /// <summary>
    /// Who labels the event messages of ONI (reward.shaping=oni): rules (the default: offline keyword rules per
    /// environment, standing in for the language model) or chat (an OpenAI-compatible chat endpoint at
    /// <see cref="AnnotatorUrl"/>; bearer token from REWIRE_ANNOTATOR_API_KEY). Not hashed, so runs made before this key
    /// existed still resume (--resume takes no overrides, so a run keeps its own value).
    /// </summary>
    [NotHashed] public string Annotator { get; set; } = "rules";

    /// <summary>Base URL of the annotator's chat endpoint, e.g. http://localhost:8000/v1 (reward.annotator=chat). Not hashed, like <see cref="Annotator"/>.</summary>
    [NotHashed] public string AnnotatorUrl { get; set; } = "";

    /// <summary>Model name sent to the annotator's chat endpoint (reward.annotator=chat). Not hashed, like <see cref="Annotator"/>.</summary>
    [NotHashed] public string AnnotatorModel { get; set; } = "";

    /// <summary>
    /// Seconds per annotator call; a call past it (or one that fails) is counted and its message stays queued, never
    /// fatal. Not hashed, like <see cref="Annotator"/>.
    /// </summary>
    [NotHashed, Range(0.001, 3600.0)] public double AnnotatorTimeout { get; set; } = 30;
}

/// <summary>Held-out evaluation.</summary>
public sealed class EvalOptions
{
    /// <summary>Samples per prompt for accuracy (mean correctness at the rollout temperature) and pass@k.</summary>
    [Range(1, 1024)] public int Samples { get; set; } = 4;
    /// <summary>The k of pass@k (at most <see cref="Samples"/>).</summary>
    [Range(1, 1024)] public int PassK { get; set; } = 4;
}

/// <summary>The whole configuration of a training run.</summary>
public sealed class TrainOptions : IValidatableOptions
{
    /// <summary>The configuration schema: 2 since technique parameters moved to their own sections (1: rl.clip_low etc.).</summary>
    public int SchemaVersion { get; set; } = TrainConfiguration.SchemaVersion;

    /// <summary>Run identity and bookkeeping (<c>run.*</c>).</summary>
    public RunOptions Run { get; set; } = new();
    /// <summary>The task and its data (<c>task.*</c>).</summary>
    public TaskOptions Task { get; set; } = new();
    /// <summary>The model (<c>model.*</c>).</summary>
    public ModelOptions Model { get; set; } = new();
    /// <summary>The supervised warm start (<c>sft.*</c>).</summary>
    public SftOptions Sft { get; set; } = new();
    /// <summary>The RL settings (<c>rl.*</c>).</summary>
    public RlOptions Rl { get; set; } = new();
    /// <summary>Rewards and shaping (<c>reward.*</c>).</summary>
    public RewardOptions Reward { get; set; } = new();
    /// <summary>The critic of value-based estimators (<c>critic.*</c>).</summary>
    public CriticOptions Critic { get; set; } = new();
    /// <summary>Evaluation (<c>eval.*</c>).</summary>
    public EvalOptions Eval { get; set; } = new();

    /// <summary>env.*: how the episodes of rl.environment run.</summary>
    public EnvOptions Env { get; set; } = new();

    /// <summary>objective.PARAM: parameters of rl.objective (defaults: the objective's paper).</summary>
    public Dictionary<string, string> Objective { get; set; } = new(StringComparer.Ordinal);

    /// <summary>estimator.PARAM: parameters of rl.estimator.</summary>
    public Dictionary<string, string> Estimator { get; set; } = new(StringComparer.Ordinal);

    /// <summary>sampler.PARAM: parameters of rl.sampler.</summary>
    public Dictionary<string, string> Sampler { get; set; } = new(StringComparer.Ordinal);

    /// <summary>rollout.PARAM: parameters of rl.rollout.</summary>
    public Dictionary<string, string> Rollout { get; set; } = new(StringComparer.Ordinal);

    /// <summary>shaping.NAME.PARAM: parameters of each shaper in reward.shaping.</summary>
    public Dictionary<string, string> Shaping { get; set; } = new(StringComparer.Ordinal);

    /// <summary>advantage_shaping.NAME.PARAM: parameters of each shaper in rl.advantage_shaping.</summary>
    public Dictionary<string, string> AdvantageShaping { get; set; } = new(StringComparer.Ordinal);

    /// <summary>reward_weighting.PARAM: parameters of reward.weighting.</summary>
    public Dictionary<string, string> RewardWeighting { get; set; } = new(StringComparer.Ordinal);

    /// <summary>reward_function.NAME.PARAM: parameters of each function in reward.functions.</summary>
    public Dictionary<string, string> RewardFunction { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// prefs.*: the preference data of the reward model that <c>reward.model=inline</c> trains at the start of the run
    /// (the keys of <c>stage=rm</c>). Not hashed, like reward.model, so runs made before these keys existed still resume.
    /// </summary>
    [NotHashed] public Preferences.PreferenceDataOptions Prefs { get; set; } = new();

    /// <summary>rm.*: the optimisation of the reward model that <c>reward.model=inline</c> trains (the keys of <c>stage=rm</c>). Not hashed.</summary>
    [NotHashed] public Preferences.RewardModelStageOptions Rm { get; set; } = new();

    /// <summary>reward_model.PARAM: parameters of that reward model (bradley_terry: margin). Not hashed.</summary>
    [NotHashed] public Dictionary<string, string> RewardModel { get; set; } = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public void Validate(string prefix, ICollection<string> errors)
    {
        if (Run.Device is not ("cpu" or "cuda" or "auto"))
            errors.Add($"'run.device' = '{Run.Device}' is not allowed; allowed: cpu, cuda, auto");
        if (Task.MinDifficulty > Task.Difficulty)
            errors.Add($"'task.min_difficulty' = {Task.MinDifficulty} is above 'task.difficulty' = {Task.Difficulty}; the pool spans min_difficulty..difficulty");
        if (Model.Export is not ("merged" or "adapter" or "none"))
            errors.Add($"'model.export' = '{Model.Export}' is not allowed; allowed: merged, adapter, none");
        else if (Model.Export != "merged" && !Model.IsHuggingFace)
            errors.Add($"'model.export' = '{Model.Export}' needs 'model.path': only a Hugging Face model's run exports a model folder; drop model.export");
        else if (Model.Export == "adapter" && !Model.UsesLora)
            errors.Add("'model.export' = 'adapter' needs LoRA adapters (model.lora.rank=8, for example); a full fine-tune exports with model.export=merged");
        if (Model.IsHuggingFace)
        {
            var gpt = new ModelOptions();
            void Refuse(string key, bool changed)
            {
                if (changed) errors.Add($"'model.{key}' is a setting of the small GPT that rewire builds; with 'model.path' = '{Model.Path}' the architecture comes from that folder's config.json: remove model.{key}");
            }
            Refuse("layers", Model.Layers != gpt.Layers);
            Refuse("width", Model.Width != gpt.Width);
            Refuse("heads", Model.Heads != gpt.Heads);
            Refuse("context", Model.Context != gpt.Context);
            Refuse("init_from", Model.InitFrom != gpt.InitFrom);
            if (Model.UsesLora)
                foreach (var problem in Model.Lora.ToOptions().Problems())
                    errors.Add($"'model.lora.*': {problem}");
        }
        else if (Model.UsesLora)
            errors.Add($"'model.lora.rank' = {Model.Lora.Rank} needs 'model.path': adapters are for a Hugging Face model; drop model.lora.* or give model.path=DIR");
        else if (Model.Width % Model.Heads != 0)
            errors.Add($"'model.width' = {Model.Width} must be a multiple of 'model.heads' = {Model.Heads}");
        if (Eval.PassK > Eval.Samples)
            errors.Add($"'eval.pass_k' = {Eval.PassK} exceeds 'eval.samples' = {Eval.Samples}; pass@k needs at least k samples");
    }
}
