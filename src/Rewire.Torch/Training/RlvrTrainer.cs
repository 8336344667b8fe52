// The RLVR trainer's run loop: a supervised warm start on (imperfect) demonstrations, then group-based RL with
// verifiable rewards, then held-out evaluation, with checkpoints and exact resume. One RL step, as in the GRPO/DAPO
// algorithm boxes:
//
//   prompts   <- sampler.Next(B)                              (DynamicBatch: oversample and refill for DAPO)
//   rollouts  <- rollout strategy: G completions per prompt   (tokens, log π_old, entropy, finish reason)
//   rewards   <- reward stage (failure-isolated) -> shaping stage
//   groups    <- sampler's group filter, sampler.Observe(groups)
//   update    <- PolicyUpdate: Â, token shaping, epochs of mini-batch updates of objective [+ KL] [- entropy]
//   log metrics; checkpoint every N steps
//
// The techniques come from the resolved configuration (TrainConfiguration, TrainingComponents); the policy session
// (PolicySession) owns the task, tokenizer and network; PolicyUpdate owns the loss and the optimiser steps.
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rewire.Core.Configuration;
using Rewire.Core.MultiObjective;
using Rewire.Core.Rewards;
using Rewire.Core.Runs;
using Rewire.Core.Runs.TensorBoard;
using Rewire.Core.Sampling;
using Rewire.Core.Techniques;
using Rewire.Tasks;
using Rewire.Torch.Checkpoints;
using Rewire.Torch.Generation;
using Rewire.Torch.Generation.Remote;
using Rewire.Torch.Models;
using Rewire.Torch.Objectives.Policy;
using Rewire.Torch.Tokenizers;
using TorchSharp;

namespace Rewire.Torch.Training;

/// <summary>What the trainer reports while it runs (the CLI draws progress from it; tests collect it).</summary>
public interface ITrainingObserver
{
    /// <summary>A stage started (<paramref name="stage"/>: e.g. sft, rl, eval) with a detail line.</summary>
    void Stage(string stage, string detail);
    /// <summary>A supervised warm-start step finished with its loss.</summary>
    void SftStep(int step, int total, double loss);
    /// <summary>An RL step finished with its metrics (<paramref name="total"/>: the planned number of steps).</summary>
    void RlStep(StepMetrics metrics, int total);
    /// <summary>An evaluation finished (<paramref name="label"/>: e.g. before-rl, after-rl).</summary>
    void Evaluated(string label, EvalResult result);
    /// <summary>Something the user should know that does not stop the run.</summary>
    void Warning(string message);
}

/// <summary>An observer that ignores everything.</summary>
public sealed class NullTrainingObserver : ITrainingObserver
{
    /// <summary>The shared instance.</summary>
    public static readonly NullTrainingObserver Instance = new();
    /// <inheritdoc />
    public void Stage(string stage, string detail) { }
    /// <inheritdoc />
    public void SftStep(int step, int total, double loss) { }
    /// <inheritdoc />
    public void RlStep(StepMetrics metrics, int total) { }
    /// <inheritdoc />
    public void Evaluated(string label, EvalResult result) { }
    /// <inheritdoc />
    public void Warning(string message) { }
}

/// <summary>Raised when the run must stop (too many non-finite losses in a row); the run folder keeps its last checkpoint.</summary>
public sealed class TrainingAbortedException(string message) : Exception(message);

/// <summary>
/// Trains a policy with reinforcement learning from verifiable rewards: optional supervised warm start, then RL steps
/// (rollouts, rewards, shaping, advantages, policy update), evaluations before and after, metrics and checkpoints in
/// the run folder.
/// </summary>
public sealed class RlvrTrainer : IDisposable
{
    private readonly ResolvedTrainConfig _config;
    private readonly TrainOptions _o;
    private readonly RunDirectory _run;
    private readonly ITrainingObserver _observer;
    private readonly PolicySession _session;
    private readonly AdamW _optimizer;
    private readonly IPromptSampler _sampler;
    private string[]? _domains;
    private readonly RewardStage _reward;
    private readonly IReadOnlyList<ConfiguredShaper> _shapers;
    private readonly IRolloutStrategy _rollout;
    private RemoteWeightSync? _weightSync;
    private readonly PolicyUpdate _update;
    private readonly IReadOnlyList<string> _testComponents;
    private readonly bool _needsReference;
    private IPolicy? _reference;
    private Critic? _critic;
    private readonly bool _needsCritic;
    private ReferenceRewards? _referenceRewards;
    private ProcessRewards.ImplicitPrm? _prm;
    private ProcessRewards.IrcocoEvaluator? _ircoco;
    private Preferences.CooperUpdate? _cooper;
    private Rewire.Classic.Control.EnvironmentCallGuard? _environmentGuard;
    private readonly OniAnnotation? _oni;

    private int _step;
    private EvalResult? _before;
    private int _totalRewardFailures;
    private int _metricLines;
    private int _sampleLines;

    /// <summary>Tests only: when it returns true for a step, that step's losses are treated as NaN (to exercise the skip path).</summary>
    internal static Func<int, bool>? PoisonLossHook
    {
        get => PolicyUpdate.PoisonLossHook;
        set => PolicyUpdate.PoisonLossHook = value;
    }

    /// <summary>A trainer for <paramref name="options"/>, resolved against the technique catalogue.</summary>
    public RlvrTrainer(TrainOptions options, RunDirectory run, ITrainingObserver? observer = null, IReadOnlyList<IRewardFunction>? customRewards = null)
        : this(TrainConfiguration.FromOptions(options), run, observer, customRewards)
    {
    }

    /// <param name="customRewards">Reward functions given in code, added to the task's verifier as terms of weight 1
    /// (reward.weights.NAME changes it); failure-isolated and counted like every reward term.</param>
    /// <param name="config">The resolved and validated configuration.</param>
    /// <param name="run">The run folder metrics, samples and checkpoints go to.</param>
    /// <param name="observer">Receives progress; none when null.</param>
    public RlvrTrainer(ResolvedTrainConfig config, RunDirectory run, ITrainingObserver? observer = null, IReadOnlyList<IRewardFunction>? customRewards = null)
    {
        _config = config;
        _o = config.Options;
        _run = run;
        _observer = observer ?? NullTrainingObserver.Instance;
        _session = PolicySession.Create(_o, config.Registries);
        _optimizer = new AdamW(_session.Policy.Parameters(), beta2: 0.99);
        _sampler = TrainingComponents.CreateSampler(config, _session.TrainPool);
        if (ProcessRewards.PrimeSettings.Active(config)) _sampler = ProcessRewards.PrimeSettings.Filter(config, _sampler);
        _reward = TrainingComponents.CreateReward(config, _session.Task, customRewards);
        if (_reward.RewardModel is { IsPending: false }) StartCooper();
        _reward.Pipeline.FailureObserved += f => _observer.Warning($"reward function '{f.Component}' failed on {f.RolloutId}: {f.Reason}");
        _shapers = TrainingComponents.CreateShapers(config);
        // reward.shaping=oni on episodes: the label table of the event messages and its annotator (checkpointed).
        if (OniSettings.Active(config)) _oni = OniSettings.Create(_o);
        _rollout = TrainingComponents.CreateRollout(config);
        _update = new PolicyUpdate(_session.Policy, _optimizer, TrainingComponents.CreateUpdate(config, _session.Tokenizer.PadId, _reward));
        _testComponents = TrainingColumns.TestComponents(_session.Task, _o);
        _needsCritic = config.Techniques().Any(t => t.Descriptor.Requires.Contains(BatchColumns.Values));
        _update.CriticLearningRate = _o.Critic.LearningRate;
        _needsReference = _o.Rl.KlMode != "none" || ProcessRewards.PrimeSettings.Active(config) || config.Techniques().Any(t =>
            t.Descriptor.Requires.Contains(BatchColumns.RefLogProbs) || t.Descriptor.Requires.Contains(BatchColumns.ReferenceRewards));
    }

    /// <summary>The resolved configuration of the run.</summary>
    public ResolvedTrainConfig Config => _config;
    /// <summary>Task, data, tokenizer, policy and generation settings.</summary>
    public PolicySession Session => _session;
    /// <summary>The small GPT being trained; throws for a Hugging Face session (use <see cref="Session"/>).</summary>
    public TransformerPolicy Policy => _session.Network;
    /// <summary>The task being trained on.</summary>
    public ITask Task => _session.Task;
    /// <summary>The policy's tokenizer.</summary>
    public ITokenizer Tokenizer => _session.Tokenizer;
    /// <summary>The held-out evaluation prompts.</summary>
    public IReadOnlyList<Prompt> TestSet => _session.TestSet;

    /// <summary>The training pool the sampler draws from.</summary>
    public IReadOnlyList<Prompt> TrainPool => _session.TrainPool;

    /// <summary>Runs (or, with <paramref name="resume"/>, continues) the whole job and writes summary.json.</summary>
    public RunSummary Run(bool resume = false, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        if (TrainingComponents.DatasetOf(_session.Task) is { } dataset) _observer.Stage("data", dataset.Summary);
        // reward.model=inline: the reward model is trained first and saved in the run folder; a resumed run loads it from there.
        if (!PrepareInlineRewardModel(cancel))
        {
            var stopped = InterruptedRun.DuringWarmStart(_o, clock.Elapsed);
            _run.WriteSummary(stopped);
            return stopped;
        }
        bool resumed = resume && TryResume();
        if (!resumed)
        {
            _run.WriteConfig(OptionsBinder.ToJson(_o));
            // A Hugging Face model (an instruct model) starts RL as it is: the task's demonstrations are written for the
            // small GPT's character-level prompts, not the chat form, so there is no warm start and sft.* is not used.
            if (_o.Model.IsHuggingFace) _observer.Stage("sft", $"skipped: the model of {_o.Model.Path} starts RL as it is");
            else WarmStart(cancel);
            if (cancel.IsCancellationRequested)
            {
                // Interrupted during the warm start: no checkpoint of a partial warm start; the stop is recorded.
                var stopped = InterruptedRun.DuringWarmStart(_o, clock.Elapsed);
                _run.WriteSummary(stopped);
                return stopped;
            }
            _before = EvaluateNow("before RL");
            SaveCheckpoint(TrainingCheckpoint.SftFolder);
        }
        if (_needsReference) LoadReference();
        // OPRL's implicit PRM starts as a trainable copy of the warm-started policy, as the paper initialises it from the
        // base model (a resumed run has loaded it already); its ratio is to π_old, so it needs no frozen reference.
        if (ProcessRewards.OprlSettings.LearnedActive(_config)) _update.StepPrm = _prm ??= NewPrm();
        // IRCoCo's evaluator starts as a value-head copy of the warm-started policy (a resumed run has loaded it already).
        if (ProcessRewards.IrcocoSettings.Active(_config)) _update.Ircoco = _ircoco ??= NewIrcoco();
        // The critic starts from the warm-started policy (a resumed run has loaded it from the checkpoint already).
        if (_needsCritic && _critic is null) _critic = new Critic(_session.Network, _o.Critic, _session.Tokenizer.PadId);
        _update.Critic = _critic;
        if (_reward.NeedsReference && !resumed) _reward.Initialise(InitialObjectiveScores());
        // rl.rollout=remote: the server gets the policy the first step starts from (the warm start, or the resumed step).
        if (_rollout is RemoteRollout remote)
        {
            string folder = remote.Options.WeightsDirectory.Length > 0 ? remote.Options.WeightsDirectory : Path.Combine(_run.Path, "rollout-weights");
            Directory.CreateDirectory(folder);
            _weightSync = new RemoteWeightSync(remote, _session, folder);
            _observer.Stage("rollout", $"remote rollouts from {remote.Options.Endpoint}; weights of each step go through {folder}");
            PushWeightsOrStop();
        }

        string? stopReason = null;
        using var metrics = new JsonLinesWriter(_run.MetricsFile);
        using var samples = new JsonLinesWriter(_run.SamplesFile);
        using var tensorboard = _o.Run.Tensorboard ? TensorBoardWriter.Create(_run.Path) : null;
        _observer.Stage("rl", $"{_o.Rl.Steps} steps of {_o.Rl.Objective} with {_o.Rl.Estimator} advantages, {_o.Rl.Sampler} sampling ({_o.Rl.Recipe} recipe)");
        while (_step < _o.Rl.Steps)
        {
            if (cancel.IsCancellationRequested) { stopReason = "interrupted"; break; }
            _step++;
            StepMetrics m;
            var before = _weightSync is null && !EpisodeSettings.Multiturn(_o) ? default : SnapshotState();
            try { m = RlStep(samples); }
            catch (RemoteRolloutException e)
            {
                // No update was made: put back what the partial step's rounds changed, keep the last completed step.
                RestoreState(before);
                _step--;
                SaveCheckpoint(StepName(_step));
                throw new TrainingAbortedException(
                    $"stopped before step {_step + 1}: the rollout server failed after its retries ({e.Message}). The run folder keeps a checkpoint of step {_step} " +
                    $"in {_run.CheckpointDir}; start the server again and continue with `rewire train --resume {_run.Path}`.");
            }
            catch (Rewire.Classic.Control.EnvironmentHangException e)
            {
                // No update was made: as above, the run stops at the last completed step, resumable.
                RestoreState(before);
                _step--;
                SaveCheckpoint(StepName(_step));
                throw new TrainingAbortedException($"stopped before step {_step + 1}: {e.Message} The run folder keeps a checkpoint of step {_step}; continue with `rewire train --resume {_run.Path}`.");
            }
            metrics.Write(m);
            _metricLines++;
            // The same numbers as the metrics line, one scalar each (run.tensorboard).
            tensorboard?.WriteScalars(m.Step, TensorBoardWriter.NumericFields(JsonSerializer.SerializeToNode(m, RunDirectory.JsonOptions)!.AsObject()));
            _observer.RlStep(m, _o.Rl.Steps);
            if (_update.ConsecutiveNonFinite >= _o.Run.MaxConsecutiveNonFinite)
            {
                SaveCheckpoint(StepName(_step));
                throw new TrainingAbortedException(
                    $"stopped at step {_step}: {_update.ConsecutiveNonFinite} consecutive updates had a non-finite loss or gradient " +
                    $"(run.max_consecutive_non_finite = {_o.Run.MaxConsecutiveNonFinite}). Lower rl.learning_rate or raise rl.max_grad_norm clipping; " +
                    $"the last checkpoint is in {_run.CheckpointDir}.");
            }
            if (_step % _o.Run.CheckpointEvery == 0 || _step == _o.Rl.Steps) SaveCheckpoint(StepName(_step));
            if (_weightSync is not null && _step < _o.Rl.Steps) PushWeightsOrStop();
        }
        if (stopReason is not null) SaveCheckpoint(StepName(_step));

        var after = EvaluateNow("after RL");
        string? exported = stopReason is null ? _session.ExportFinal(_run.Path) : null;
        if (exported is not null) _observer.Stage("export", $"wrote {exported} (model.export={_o.Model.Export})");
        var summary = new RunSummary
        {
            Steps = _step,
            Seconds = clock.Elapsed.TotalSeconds,
            AccuracyBeforeRl = _before!.Accuracy,
            AccuracyAfterRl = after.Accuracy,
            GreedyAccuracyBeforeRl = _before.GreedyAccuracy,
            GreedyAccuracyAfterRl = after.GreedyAccuracy,
            PassAtKAfterRl = after.PassAtK,
            K = after.K,
            MeanLengthAfterRl = after.MeanLength,
            Seed = _o.Run.Seed,
            ConfigHash = OptionsBinder.Hash(_o),
            Task = _o.Rl.Environment.Length > 0 ? _o.Rl.Environment : _o.Task.Name,
            Recipe = _o.Rl.Recipe,
            Objective = _o.Rl.Objective,
            Estimator = _o.Rl.Estimator,
            Sampler = _o.Rl.Sampler,
            NonFiniteSkipped = _update.TotalNonFinite,
            RewardFailures = _totalRewardFailures,
            Completed = stopReason is null,
            StopReason = stopReason,
            ExportedModel = exported,
        };
        _run.WriteSummary(summary);
        return summary;
    }

    /// <summary>A rollout collector over this trainer's policy, rewards and shaping (one per training step).</summary>
    public RolloutCollector NewCollector()
    {
        var shaping = _shapers.Count == 0 ? null
            : new ShapingStage(_shapers, _reward, _session.Tokenizer, _session.Task.MaxDifficulty, _testComponents, _referenceRewards);
        bool greedyBaseline = _config.Techniques().Any(t => t.Descriptor.Requires.Contains(BatchColumns.BaselineRewards));
        return new RolloutCollector(_session.Policy, _session.Tokenizer, _session.Template, _rollout, _reward, shaping, _session.Generation, _o.Rl.GroupSize, greedyBaseline);
    }

    /// <summary>
    /// rl.environment: a collector of episodes over this trainer's policy and shaping (one per training step); the
    /// environment's calls are failure-isolated by env.step_timeout_ms.
    /// </summary>
    public EpisodeCollector NewEpisodeCollector()
    {
        var shaping = _shapers.Count == 0 ? null
            : new ShapingStage(_shapers, _reward, _session.Tokenizer, _session.Task.MaxDifficulty, _testComponents, _referenceRewards) { Oni = _oni };
        var runner = new EpisodeRunner(_session.Policy, _session.Tokenizer, _session.Template, (Rewire.Tasks.Environments.EnvironmentTask)_session.Task,
            _session.Generation, _o.Env, _environmentGuard ??= _o.Env.Guard(), _session.Episodes);
        return new EpisodeCollector(runner, _session.Tokenizer, shaping, _o.Rl.GroupSize, _o.Reward.FailureValue)
        {
            EstimatorReadsStepRewards = _config.Estimator.Descriptor.Requires.Contains(BatchColumns.StepRewards),
            // rl.rollout=agent_rlvr: all-fail groups are re-rolled with the environment's hint (Agent-RLVR's guidance).
            Guidance = _config.Rollout.Name == "agent_rlvr"
                ? new AgentGuidance(_session.Policy, runner, _config.Rollout.Bool("keep_failures"))
                : null,
        };
    }

    /// <summary>rl.rollout=mobile_r1: the Mobile-R1 stage of RL step <paramref name="step"/> (2: action-level, 3: task-level); null otherwise.</summary>
    private int? MobileR1Stage(int step) => MobileR1Stages.Active(_config) ? MobileR1Stages.StageOf(step, MobileR1Stages.ActionSteps(_config)) : null;

    /// <summary>
    /// Mobile-R1's action-level stage: a collector of single next-turn actions at random states of the environment's expert
    /// trajectories (one per step); the prefixes are drawn from the techniques' stream of this step, so a resumed run draws the same.
    /// </summary>
    internal ActionLevelCollector NewActionLevelCollector()
    {
        var environment = (Rewire.Tasks.Environments.EnvironmentTask)_session.Task;
        ulong seed = TrainingComponents.Derive(_o.Run.Seed, TrainingComponents.Streams.Techniques) + (ulong)_step * 0x9E3779B97F4A7C15UL;
        var settings = new ActionLevelSettings(_o.Rl.GroupSize, _o.Reward.FailureValue, _config.Rollout.Double("format_weight"),
            _config.Rollout.Double("action_weight"), _session.HuggingFace?.Network.ContextLength ?? _o.Model.Context);
        var format = _session.Episodes ?? new CharacterEpisodeFormat(_session.Template, _session.Tokenizer, _o.Env.MaxObservationTokens);
        return new ActionLevelCollector(_session.Policy, _session.Tokenizer, format, environment, _session.Generation,
            _environmentGuard ??= _o.Env.Guard(), settings, new Random(unchecked((int)(seed ^ (seed >> 32)))));
    }

    /// <summary>One RL update on the kept groups of <paramref name="batch"/>, whose rollouts <paramref name="collector"/> made; returns the loss diagnostics.</summary>
    public IReadOnlyDictionary<string, double> TrainOn(CollectedBatch batch, IRolloutCollector collector)
    {
        _step++;
        var (rows, groupOf, labels) = Flatten(batch, collector);
        return rows.Count == 0 ? new Dictionary<string, double>() : _update.Run(rows, groupOf, labels, _step, LearningRate());
    }

    /// <summary>The kept groups' rollouts, one row each, with each row's group and the groups' prompt ids.</summary>
    private static (List<RolloutRecord> Rows, int[] GroupOf, string[] Labels) Flatten(CollectedBatch batch, IRolloutCollector collector)
    {
        var rows = new List<RolloutRecord>();
        var groupOf = new List<int>();
        for (int g = 0; g < batch.Groups.Count; g++)
            foreach (var r in collector.RolloutsOf(batch.Groups[g])) { rows.Add(r); groupOf.Add(g); }
        return (rows, groupOf.ToArray(), batch.Groups.Select(g => g.Prompt.Id).ToArray());
    }

    /// <summary>Runs the supervised warm start (the first stage of <see cref="Run"/>).</summary>
    public void WarmStart(CancellationToken cancel = default)
    {
        var rng = new Random((int)(TrainingComponents.Derive(_o.Run.Seed, TrainingComponents.Streams.Demonstrations) & 0x7fffffff));
        var demos = _session.TrainPool.Select(p =>
        {
            // An environment's warm start: its scripted expert's episodes, trained on the actions only.
            if (_session.Task is Rewire.Tasks.Environments.EnvironmentTask env)
            {
                // env.demo_hint_share: some scripted episodes start from the guided prompt (the plan hint in front), so the policy learns to read hints.
                var start = _o.Env.DemoHintShare > 0 && rng.NextDouble() < _o.Env.DemoHintShare
                    ? Rewire.Tasks.Environments.EnvironmentGuidance.Guided(p, Rewire.Tasks.Environments.EnvironmentGuidance.Plan(env, p)) : p;
                return EpisodeDemonstrations.For(env, start, _session.Template, _session.Tokenizer, _o.Env, _o.Task.DemoErrorRate, rng);
            }
            var (prompt, response) = _session.Template.EncodeDemonstration(p, _session.Task.Demonstrate(p, _o.Task.DemoErrorRate, rng), _session.Tokenizer);
            return new Demonstration(prompt, response);
        }).ToArray();
        _observer.Stage("sft", $"{_o.Sft.Steps} steps on {demos.Length} demonstrations (error rate {_o.Task.DemoErrorRate:0.##})");
        using var sftOptimizer = new AdamW(_session.Policy.Parameters(), beta2: 0.99);
        SftTrainer.Train(_session.Policy, sftOptimizer, demos, _o.Sft.Steps, _o.Sft.BatchSize, _o.Sft.LearningRate, _session.Tokenizer.PadId,
            TrainingComponents.Derive(_o.Run.Seed, TrainingComponents.Streams.Sft), (s, loss) => _observer.SftStep(s + 1, _o.Sft.Steps, loss), cancel);
    }

    /// <summary>
    /// Evaluates the current policy on the test set, reports it to the observer under <paramref name="label"/> and
    /// returns it.
    /// </summary>
    public EvalResult EvaluateNow(string label)
    {
        var r = _session.Evaluate();
        _observer.Evaluated(label, r);
        return r;
    }

    private StepMetrics RlStep(JsonLinesWriter samples)
    {
        // Single-turn completions, or (rl.environment) episodes: the step below is the same algorithm either way.
        // rl.rollout=mobile_r1: the steps of its action-level stage collect single actions at expert states instead.
        int? stage = MobileR1Stage(_step);
        IRolloutCollector collector = stage == MobileR1Stages.ActionStage ? NewActionLevelCollector()
            : EpisodeSettings.Multiturn(_o) ? NewEpisodeCollector() : NewCollector();
        using var generator = new torch.Generator(TrainingComponents.Derive(_o.Run.Seed, TrainingComponents.Streams.Generation) + (ulong)_step);
        var batch = DynamicBatch.Collect(_sampler, _o.Rl.PromptsPerStep, prompts => collector.Collect(prompts, generator));
        _totalRewardFailures += collector.RewardFailures;

        var (rows, groupOf, labels) = Flatten(batch, collector);
        var update = Stopwatch.StartNew();
        var updateMetrics = rows.Count == 0 ? new Dictionary<string, double>() : _update.Run(rows, groupOf, labels, _step, LearningRate());
        update.Stop();
        ObserveWeighting(rows);
        // Cooper: the reward model learns from this step's rollouts before it scores the next step's.
        var cooper = _cooper is not null && rows.Count > 0 ? _cooper.Step(rows, _step) : null;
        // ONI: the messages queued in this step are annotated before the next step looks them up.
        _oni?.AnnotateQueue();

        foreach (var r in rows.Take(_o.Run.SamplesPerStep))
        {
            samples.Write(PolicySession.ToSample(_step, r));
            _sampleLines++;
        }
        var techniques = TechniqueMetrics(collector, updateMetrics);
        foreach (var (k, v) in cooper ?? []) techniques[k] = v;
        // The proxy feature the inline reward model's labeller favoured (prefs.proxy): how often the policy writes it.
        if (_o.Reward.Model == Preferences.InlineRewardModel.Value && Rewire.Tasks.Preferences.ProxyFeature.Parse(_o.Prefs.Proxy) is { } proxy && rows.Count > 0)
            techniques["reward_model/proxy_share"] = rows.Average(r => proxy.Measure(r.Completion));
        if (collector is EpisodeCollector episodes)
            foreach (var (k, v) in episodes.AgentMetrics()) techniques[k] = v;
        if (_oni is not null)
            foreach (var (k, v) in _oni.StepMetrics()) techniques[$"oni/{k}"] = v;
        if (stage is { } s) techniques["mobile_r1/stage"] = s;
        if (collector is ActionLevelCollector actions)
            foreach (var (k, v) in actions.StageMetrics()) techniques[k] = v;
        // Policy versions between the trainer's π_old and the weights the server sampled with (0: synchronous push).
        if (_weightSync is not null) techniques["rollout/staleness"] = _step - 1 - _weightSync.Version;
        AddDomainShares(techniques, batch);
        AddCriteria(techniques, rows);
        return StepMetrics.From(_step, rows, batch, collector, updateMetrics, update.Elapsed, LearningRate(), techniques);
    }

    /// <summary>
    /// When the training pool spans several domains: the share of the step's trained groups from each domain
    /// (sampler/domain_share/NAME, what the sampler chose and the filter kept) and their accuracy (sampler/domain_accuracy/NAME,
    /// absent for a domain with no trained group this step). Domain-aware samplers (DADS, RECAP, curricula) are judged by these.
    /// </summary>
    private void AddDomainShares(Dictionary<string, double> m, CollectedBatch batch)
    {
        _domains ??= _sampler.Pool.Select(p => p.Domain).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (_domains.Length < 2) return;
        int groups = batch.Groups.Count;
        foreach (var d in _domains)
        {
            var mine = batch.Groups.Where(g => g.Prompt.Domain == d).ToList();
            m[$"sampler/domain_share/{d}"] = groups == 0 ? 0 : mine.Count / (double)groups;
            int rollouts = mine.Sum(g => g.Size);
            if (rollouts > 0) m[$"sampler/domain_accuracy/{d}"] = mine.Sum(g => g.CorrectCount) / (double)rollouts;
        }
    }

    /// <summary>
    /// The mean over the step's trained rollouts of every criterion a reward term reports (a rubric's per-criterion
    /// judgements, a judge's verdict counts: the pipeline's TERM/criterion components), as reward/TERM/criterion.
    /// </summary>
    private static void AddCriteria(Dictionary<string, double> m, List<RolloutRecord> rows)
    {
        if (rows.Count == 0) return;
        var sums = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var r in rows)
            foreach (var (k, v) in r.Reward.Components)
                if (k.Contains('/')) sums[k] = sums.GetValueOrDefault(k) + v;
        foreach (var (k, v) in sums) m[$"reward/{k}"] = v / rows.Count;
    }

    /// <summary>What each technique did in this step, under its kind: shaping/NAME/changed_fraction, rollout/..., actor/..., reward_weighting/...</summary>
    private Dictionary<string, double> TechniqueMetrics(IRolloutCollector collector, IReadOnlyDictionary<string, double> update)
    {
        var m = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var s in _shapers)
        {
            var (changed, total) = collector.ShapingCounts.GetValueOrDefault(s.Name);
            m[$"shaping/{s.Name}/changed_fraction"] = total == 0 ? 0 : changed / (double)total;
        }
        foreach (var (k, v) in collector.RolloutMetrics) m[$"rollout/{k}"] = v;
        foreach (var (k, v) in update)
            m[k.Contains('/') ? k : $"actor/{k}"] = v;
        if (_reward.Weighting is { } w)
            for (int i = 0; i < w.Objectives.Count; i++) m[$"reward_weighting/{w.Objectives[i]}"] = w.Weights[i];
        return m;
    }

    /// <summary>Hypervolume-guided weighting learns from the step's mean objective values (its validation feedback).</summary>
    private void ObserveWeighting(List<RolloutRecord> rows)
    {
        if (_reward.Weighting is not IValidationFeedback feedback || rows.Count == 0) return;
        var means = new double[_reward.Objectives.Count];
        foreach (var r in rows)
        {
            var v = _reward.ObjectiveValues(r.Reward);
            for (int k = 0; k < means.Length; k++) means[k] += v[k] / rows.Count;
        }
        feedback.ObserveValidation(_step, means);
    }

    /// <summary>
    /// The policy's mean score per reward objective on the held-out prompts before RL (one sample each at the rollout
    /// temperature): the "initial model's validation scores" that hypervolume-guided weighting measures gains against.
    /// </summary>
    private double[] InitialObjectiveScores()
    {
        var prompts = _session.TestSet;
        var encoded = prompts.Select(p => (IReadOnlyList<int>)_session.Template.Encode(p, _session.Tokenizer)).ToArray();
        using var g = new torch.Generator(TrainingComponents.Derive(_o.Run.Seed, TrainingComponents.Streams.Eval) + 1);
        var seqs = _session.Policy.Generate(encoded, _session.Generation, g);
        var means = new double[_reward.Objectives.Count];
        for (int i = 0; i < prompts.Count; i++)
        {
            string text = _session.Tokenizer.Decode(seqs[i].Tokens.Where(t => t != _session.Tokenizer.EosId));
            var values = _reward.ObjectiveValues(_reward.Pipeline.Score(new Rollout(prompts[i], text, seqs[i].Tokens.Length, seqs[i].Finish, prompts[i].Id)));
            for (int k = 0; k < means.Length; k++) means[k] += values[k] / prompts.Count;
        }
        _observer.Stage("reward_weighting", $"reference point (initial scores): {string.Join(", ", _reward.Objectives.Select((o, k) => $"{o}={means[k]:0.###}"))}");
        return means;
    }

    /// <summary>Pushes the policy to the rollout server as version <see cref="_step"/>; a server that fails after its
    /// retries stops the run with a checkpoint of this step.</summary>
    private void PushWeightsOrStop()
    {
        try { _weightSync!.Push(_step); }
        catch (RemoteRolloutException e)
        {
            SaveCheckpoint(StepName(_step));
            throw new TrainingAbortedException(
                $"stopped at step {_step}: the weights could not be pushed to the rollout server ({e.Message}). The run folder keeps a checkpoint of step {_step} " +
                $"in {_run.CheckpointDir}; start the server again and continue with `rewire train --resume {_run.Path}`.");
        }
    }

    /// <summary>The sampler's and the stateful techniques' states, to undo a step that failed part-way.</summary>
    private (JsonObject Sampler, List<(IStatefulTechnique Technique, JsonObject State)> Techniques) SnapshotState() =>
        (_sampler.SaveState(), StatefulTechniques().Select(t => (t.Technique, t.Technique.SaveState())).ToList());

    private void RestoreState((JsonObject Sampler, List<(IStatefulTechnique Technique, JsonObject State)> Techniques) saved)
    {
        _sampler.RestoreState(saved.Sampler);
        foreach (var (t, state) in saved.Techniques) t.RestoreState(state);
    }

    private double LearningRate() =>
        _o.Rl.LearningRate * (_o.Rl.WarmupSteps == 0 ? 1.0 : Math.Min(1.0, _step / (double)_o.Rl.WarmupSteps));

    private static string StepName(int step) => $"step-{step:D6}";

    /// <summary>Every technique that carries state across steps, under a stable name.</summary>
    private IEnumerable<(string Name, IStatefulTechnique Technique)> StatefulTechniques()
    {
        if (_update.Settings.Estimator is IStatefulTechnique e) yield return ("estimator", e);
        foreach (var s in _shapers) if (s.Shaper is IStatefulTechnique st) yield return ($"shaping/{s.Name}", st);
        for (int i = 0; i < _update.Settings.AdvantageShapers.Count; i++)
            if (_update.Settings.AdvantageShapers[i] is IStatefulTechnique a) yield return ($"advantage_shaping/{i}", a);
        if (_reward.Weighting is IStatefulTechnique w) yield return ("reward_weighting", w);
        if (_oni is not null) yield return ("oni_annotation", _oni);
    }

    private void SaveCheckpoint(string name)
    {
        var techniques = new JsonObject();
        foreach (var (key, t) in StatefulTechniques()) techniques[key] = t.SaveState();
        var state = new JsonObject
        {
            ["schema_version"] = TrainConfiguration.SchemaVersion,
            ["step"] = _step,
            ["optimizer_steps"] = _optimizer.Steps,
            ["sampler"] = _sampler.SaveState(),
            ["techniques"] = techniques,
            ["reward_reference"] = _reward.Reference is null ? null : new JsonArray(_reward.Reference.Select(v => (JsonNode)v).ToArray()),
            ["accuracy_before"] = JsonSerializer.SerializeToNode(_before),
            ["consecutive_non_finite"] = _update.ConsecutiveNonFinite,
            ["total_non_finite"] = _update.TotalNonFinite,
            ["total_reward_failures"] = _totalRewardFailures,
            ["metric_lines"] = _metricLines,
            ["sample_lines"] = _sampleLines,
            ["config_hash"] = OptionsBinder.Hash(_o),
        };
        // rl.rollout=mobile_r1: the stage of the last completed step (0: none yet), checked on resume.
        if (MobileR1Stages.Active(_config)) state["mobile_r1_stage"] = _step == 0 ? 0 : MobileR1Stage(_step);
        state["critic_optimizer_steps"] = _critic?.OptimizerSteps;
        state["prm_optimizer_steps"] = _prm?.OptimizerSteps;
        state["ircoco_optimizer_steps"] = _ircoco?.OptimizerSteps;
        state["cooper_optimizer_steps"] = _cooper?.OptimizerSteps;
        Action<string>? extra = _critic is null && _prm is null && _cooper is null && _ircoco is null ? null
            : dir => { _critic?.Save(dir); _prm?.Save(dir); _cooper?.Save(dir); _ircoco?.Save(dir); };
        TrainingCheckpoint.Save(_run.CheckpointDir, name, _session.SaveModel, _optimizer, state, extra);
    }

    /// <summary>Cooper's co-training of the reward model, when reward.model_update=cooper.</summary>
    private void StartCooper()
    {
        if (_o.Reward.ModelUpdate == "cooper" && _reward.RewardModel is { } rewardModel)
            _cooper = new Preferences.CooperUpdate(rewardModel, _session.Task, _o.Reward.ModelLearningRate, _o.Run.Seed, _o.Rl.Steps);
    }

    /// <summary>
    /// Gives the pending reward model of reward.model=inline its weights: trained now and saved in the run's reward_model/
    /// folder, or loaded from there when an earlier start of the run saved it. False when interrupted while training it.
    /// </summary>
    private bool PrepareInlineRewardModel(CancellationToken cancel)
    {
        if (_reward.RewardModel is not { IsPending: true } pending) return true;
        if (!Preferences.InlineRewardModel.Saved(_run.Path))
        {
            var plan = _config.InlineRewardModel ?? throw new InvalidOperationException("reward.model=inline has no checked plan; resolve the configuration with TrainConfiguration");
            if (!Preferences.InlineRewardModel.Train(plan, _run, _observer, cancel)) return false;
        }
        else _observer.Stage("rm", $"reward model of reward.model=inline found in {Path.Combine(_run.Path, Preferences.RewardModel.Folder)}");
        // Loaded from its saved weights in both cases, so a resumed run scores with exactly the same model.
        pending.Attach(Preferences.RewardModel.Load(_run.Path));
        StartCooper();
        return true;
    }

    /// <summary>Resumes from the newest checkpoint; a file of it that cannot be understood is named in a <see cref="CheckpointException"/>.</summary>
    private bool TryResume()
    {
        try
        {
            return TryResumeFromLatest();
        }
        catch (Exception e) when (e is JsonException or NullReferenceException or KeyNotFoundException or InvalidOperationException or InvalidCastException or FormatException or ArgumentException)
        {
            string folder = Path.Combine(_run.CheckpointDir, File.Exists(Path.Combine(_run.CheckpointDir, TrainingCheckpoint.LatestFile))
                ? File.ReadAllText(Path.Combine(_run.CheckpointDir, TrainingCheckpoint.LatestFile)).Trim() : "");
            string what = e is ArgumentException ? $"checkpoint {folder}" : Path.Combine(folder, TrainingCheckpoint.StateFile);
            string detail = e is NullReferenceException ? "an entry it needs is missing or null" : e.Message;
            throw new CheckpointException($"{what} is corrupt ({detail}); restore it from a copy, or remove that checkpoint and write the name of an earlier one into {Path.Combine(_run.CheckpointDir, TrainingCheckpoint.LatestFile)}", e);
        }
    }

    private bool TryResumeFromLatest()
    {
        string? latest = _run.ResumeCheckpoint();
        if (latest is null) return false;
        var state = TrainingCheckpoint.ReadState(latest);
        string hash = TrainingCheckpoint.Get<string>(state, "config_hash");
        if (hash != OptionsBinder.Hash(_o))
            throw new CheckpointException($"the checkpoint {latest} was written with configuration {hash}, but the run's configuration is now {OptionsBinder.Hash(_o)}; resume with the run's own config.json");
        _session.LoadWeights(latest);
        if (_needsCritic && File.Exists(Path.Combine(latest, Critic.WeightsFile)))
        {
            _critic = new Critic(_session.Network, _o.Critic, _session.Tokenizer.PadId);
            _critic.Load(latest, state.Get<long>("critic_optimizer_steps"));
        }
        if (ProcessRewards.PrimeSettings.Active(_config) || ProcessRewards.OprlSettings.LearnedActive(_config))
        {
            _prm = NewPrm();
            _prm.Load(latest, state.Get<long>("prm_optimizer_steps"));
        }
        if (ProcessRewards.IrcocoSettings.Active(_config))
        {
            _ircoco = NewIrcoco();
            _ircoco.Load(latest, state.Get<long>("ircoco_optimizer_steps"));
        }
        _cooper?.Load(latest, state.Get<long>("cooper_optimizer_steps"));
        TrainingCheckpoint.LoadOptimizer(latest, _optimizer);
        _optimizer.Steps = TrainingCheckpoint.Get<long>(state, "optimizer_steps");
        TrainingCheckpoint.RestoreSampler(state, _sampler);
        if (_reward.NeedsReference)
        {
            var saved = state.Node("reward_reference") as JsonArray
                ?? throw new CheckpointException($"the checkpoint {latest} has no reward_reference for the hypervolume weighting; start a new run");
            _reward.Initialise(saved.Select(v => v!.GetValue<double>()).ToArray());
        }
        var techniques = state.Node("techniques") as JsonObject;
        foreach (var (key, t) in StatefulTechniques())
        {
            if (techniques?[key] is not JsonObject saved)
                throw new CheckpointException($"the checkpoint {latest} has no saved state for the stateful technique '{key}'; it was written by an older rewire: start a new run");
            t.RestoreState(saved);
        }
        _step = TrainingCheckpoint.Get<int>(state, "step");
        if (MobileR1Stages.Active(_config))
        {
            int saved = TrainingCheckpoint.Get<int>(state, "mobile_r1_stage");
            int expected = _step == 0 ? 0 : MobileR1Stage(_step)!.Value;
            if (saved != expected)
                throw new CheckpointException($"the checkpoint {latest} was written in Mobile-R1 stage {saved} at step {_step}, but rollout.action_steps = {MobileR1Stages.ActionSteps(_config)} puts that step in stage {expected}; resume with the run's own config.json");
        }
        _before = TrainingCheckpoint.Get<EvalResult>(state, "accuracy_before");
        _update.ConsecutiveNonFinite = TrainingCheckpoint.Get<int>(state, "consecutive_non_finite");
        _update.TotalNonFinite = TrainingCheckpoint.Get<int>(state, "total_non_finite");
        _totalRewardFailures = TrainingCheckpoint.Get<int>(state, "total_reward_failures");
        _metricLines = TrainingCheckpoint.Get<int>(state, "metric_lines");
        _sampleLines = TrainingCheckpoint.Get<int>(state, "sample_lines");
        JsonLinesWriter.TruncateToLines(_run.MetricsFile, _metricLines);
        JsonLinesWriter.TruncateToLines(_run.SamplesFile, _sampleLines);
        _observer.Stage("resume", $"continuing from {Path.GetFileName(latest)} (step {_step} of {_o.Rl.Steps})");
        return true;
    }

    /// <summary>The frozen warm-start policy: KL's reference and the source of PAR/LSC's reference rewards.</summary>
    private void LoadReference()
    {
        string sft = Path.Combine(_run.CheckpointDir, TrainingCheckpoint.SftFolder);
        _reference = _session.LoadFrozen(sft);
        _update.Reference = _o.Rl.KlMode != "none" || ProcessRewards.PrimeSettings.Active(_config) || _config.Techniques().Any(t => t.Descriptor.Requires.Contains(BatchColumns.RefLogProbs)) ? _reference : null;
        // PRIME's implicit PRM starts as a trainable copy of the reference (a resumed run has loaded it already).
        if (ProcessRewards.PrimeSettings.Active(_config)) _update.Prm = _prm ??= NewPrm();
        if (_config.Techniques().Any(t => t.Descriptor.Requires.Contains(BatchColumns.ReferenceRewards)))
        {
            int m = _config.Shapers.Where(s => s.Values.ContainsKey("max_references")).Select(s => s.Int("max_references")).DefaultIfEmpty(10).Max();
            _referenceRewards = new ReferenceRewards(_reference, _session.Tokenizer, _session.Template, _reward, _session.Generation, m, _o.Run.Seed);
        }
    }

    /// <summary>An implicit PRM (PRIME's, or OPRL's learned step reward) initialised from the warm-start checkpoint.</summary>
    private ProcessRewards.ImplicitPrm NewPrm() => new(Checkpoints.PolicyCheckpoint.Load(Path.Combine(_run.CheckpointDir, TrainingCheckpoint.SftFolder)),
        ProcessRewards.OprlSettings.LearnedActive(_config) ? ProcessRewards.OprlSettings.Prm(_config) : ProcessRewards.PrimeSettings.Prm(_config), _session.Tokenizer.PadId);

    /// <summary>IRCoCo's evaluator, its trunk copied from the warm-start checkpoint.</summary>
    private ProcessRewards.IrcocoEvaluator NewIrcoco()
    {
        var warm = Checkpoints.PolicyCheckpoint.Load(Path.Combine(_run.CheckpointDir, TrainingCheckpoint.SftFolder));
        try { return new ProcessRewards.IrcocoEvaluator(warm, ProcessRewards.IrcocoSettings.Options(_config), _session.Tokenizer.PadId, _session.Tokenizer.Decode); }
        finally { warm.Dispose(); }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _prm?.Dispose();
        _oni?.Dispose();
        _ircoco?.Dispose();
        _cooper?.Dispose();
        _critic?.Dispose();
        _reference?.Dispose();
        (_rollout as IDisposable)?.Dispose();
        _optimizer.Dispose();
        _session.Dispose();
    }
}
