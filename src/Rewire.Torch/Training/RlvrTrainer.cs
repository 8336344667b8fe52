// The RLVR trainer: a supervised warm start on (imperfect) demonstrations, then group-based RL with verifiable
// rewards, then held-out evaluation. One RL step, as in the GRPO/DAPO algorithm boxes (rlvr.md T01, T03):
//
//   prompts   <- sampler.Next(B)                          (DynamicBatch: oversample and refill for DAPO)
//   rollouts  <- π_old generates G completions per prompt  (tokens, log π_old, entropy, finish reason)
//   rewards   <- verifier (failure-isolated) -> shaping
//   groups    <- drop zero-variance groups (dynamic sampling), sampler.Observe(groups)
//   Â         <- advantage estimator over groups (explicit group index)
//   for epoch, mini-batch:  L = objective(log π_θ, log π_old, Â, mask) [+ β·KL(π_θ‖π_ref)] [− c_H·H]
//                           skip non-finite L; clip ‖∇‖; AdamW step with warm-up
//   log metrics; checkpoint every N steps
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rewire.Core.Advantages;
using Rewire.Core.Configuration;
using Rewire.Core.Rewards;
using Rewire.Core.Runs;
using Rewire.Core.Sampling;
using Rewire.Core.Shaping;
using Rewire.Tasks;
using Rewire.Torch.Checkpoints;
using Rewire.Torch.Generation;
using Rewire.Torch.Models;
using Rewire.Torch.Objectives;
using Rewire.Torch.Objectives.Aggregation;
using Rewire.Torch.Objectives.Policy;
using Rewire.Torch.Runtime;
using Rewire.Torch.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;
using TokenMatrix = Rewire.Core.Stats.TokenMatrix;

namespace Rewire.Torch.Training;

/// <summary>What the trainer reports while it runs (the CLI draws progress from it; tests collect it).</summary>
public interface ITrainingObserver
{
    void Stage(string stage, string detail);
    void SftStep(int step, int total, double loss);
    void RlStep(StepMetrics metrics, int total);
    void Evaluated(string label, EvalResult result);
    void Warning(string message);
}

/// <summary>An observer that ignores everything.</summary>
public sealed class NullTrainingObserver : ITrainingObserver
{
    public static readonly NullTrainingObserver Instance = new();
    public void Stage(string stage, string detail) { }
    public void SftStep(int step, int total, double loss) { }
    public void RlStep(StepMetrics metrics, int total) { }
    public void Evaluated(string label, EvalResult result) { }
    public void Warning(string message) { }
}

/// <summary>Raised when the run must stop (too many non-finite losses in a row); the run folder keeps its last checkpoint.</summary>
public sealed class TrainingAbortedException(string message) : Exception(message);

public sealed class RlvrTrainer : IDisposable
{
    private readonly TrainOptions _o;
    private readonly RunDirectory _run;
    private readonly ITrainingObserver _observer;
    private readonly ITask _task;
    private readonly CharTokenizer _tokenizer;
    private readonly PromptTemplate _template = new();
    private readonly IReadOnlyList<Prompt> _trainPool;
    private readonly IReadOnlyList<Prompt> _testSet;
    private readonly TransformerPolicy _policy;
    private readonly AdamW _optimizer;
    private readonly IPromptSampler _sampler;
    private readonly RewardPipeline _reward;
    private readonly ShapingPipeline? _shaping;
    private readonly IAdvantageEstimator _estimator;
    private readonly ActorLoss _loss;
    private readonly GenerationOptions _generation;
    private IPolicy? _reference;

    private int _step;
    private EvalResult? _before;

    /// <summary>Tests only: when it returns true for a step, that step's losses are treated as NaN (to exercise the skip path).</summary>
    internal static Func<int, bool>? PoisonLossHook { get; set; }
    private int _consecutiveNonFinite;
    private int _totalNonFinite;
    private int _totalRewardFailures;
    private int _metricLines;
    private int _sampleLines;

    public RlvrTrainer(TrainOptions options, RunDirectory run, ITrainingObserver? observer = null)
    {
        _o = options;
        _run = run;
        _observer = observer ?? NullTrainingObserver.Instance;
        TrainingComponents.ValidateNames(options);
        TorchRuntime.EnsureLoaded();

        _task = TrainingComponents.CreateTask(options);
        _tokenizer = new CharTokenizer(_task.Alphabet);
        _trainPool = _task.GenerateMany(Split.Train, options.Run.Seed, options.Task.TrainSize, options.Task.Difficulty);
        _testSet = _task.GenerateMany(Split.Test, options.Run.Seed, options.Task.TestSize, options.Task.Difficulty);
        _policy = new TransformerPolicy(new TransformerConfig
        {
            VocabSize = _tokenizer.VocabSize,
            Layers = options.Model.Layers,
            Heads = options.Model.Heads,
            Width = options.Model.Width,
            ContextLength = options.Model.Context,
            Seed = (long)(TrainingComponents.Derive(options.Run.Seed, TrainingComponents.Streams.Init) >> 1),
        }.Validate());
        _optimizer = new AdamW(_policy.Parameters(), beta2: 0.99);
        _sampler = TrainingComponents.CreateSampler(options, _trainPool);
        _reward = TrainingComponents.CreateReward(options, _task);
        _reward.FailureObserved += f => _observer.Warning($"reward function '{f.Component}' failed on {f.RolloutId}: {f.Reason}");
        _shaping = TrainingComponents.CreateShaping(options);
        _estimator = TrainingComponents.CreateEstimator(options);
        _loss = TrainingComponents.CreateLoss(options);
        _generation = new GenerationOptions
        {
            MaxNewTokens = options.Rl.MaxNewTokens,
            Temperature = options.Rl.Temperature,
            StopTokens = [_tokenizer.EosId],
            PadId = _tokenizer.PadId,
        }.Validate(_tokenizer.VocabSize);

        TrainingPreflight.CheckContext(options, _trainPool.Concat(_testSet).Max(p => _template.Encode(p, _tokenizer).Length));
    }

    public TransformerPolicy Policy => _policy;
    public ITask Task => _task;
    public CharTokenizer Tokenizer => _tokenizer;
    public IReadOnlyList<Prompt> TestSet => _testSet;

    /// <summary>Runs (or, with <paramref name="resume"/>, continues) the whole job and writes summary.json.</summary>
    public RunSummary Run(bool resume = false, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        bool resumed = resume && TryResume();
        if (!resumed)
        {
            _run.WriteConfig(OptionsBinder.ToJson(_o));
            WarmStart(cancel);
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
        if (_o.Rl.KlMode != "none") _reference = LoadReference();

        string? stopReason = null;
        using var metrics = new JsonLinesWriter(_run.MetricsFile);
        using var samples = new JsonLinesWriter(_run.SamplesFile);
        _observer.Stage("rl", $"{_o.Rl.Steps} steps of {_o.Rl.Objective} with {_o.Rl.Estimator} advantages, {_o.Rl.Sampler} sampling");
        while (_step < _o.Rl.Steps)
        {
            if (cancel.IsCancellationRequested) { stopReason = "interrupted"; break; }
            _step++;
            var m = RlStep(samples);
            metrics.Write(m);
            _metricLines++;
            _observer.RlStep(m, _o.Rl.Steps);
            if (_consecutiveNonFinite >= _o.Run.MaxConsecutiveNonFinite)
            {
                SaveCheckpoint(StepName(_step));
                throw new TrainingAbortedException(
                    $"stopped at step {_step}: {_consecutiveNonFinite} consecutive updates had a non-finite loss or gradient " +
                    $"(run.max_consecutive_non_finite = {_o.Run.MaxConsecutiveNonFinite}). Lower rl.learning_rate or raise rl.max_grad_norm clipping; " +
                    $"the last checkpoint is in {_run.CheckpointDir}.");
            }
            if (_step % _o.Run.CheckpointEvery == 0 || _step == _o.Rl.Steps) SaveCheckpoint(StepName(_step));
        }
        if (stopReason is not null) SaveCheckpoint(StepName(_step));

        var after = EvaluateNow("after RL");
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
            Task = _o.Task.Name,
            Objective = _o.Rl.Objective,
            Estimator = _o.Rl.Estimator,
            Sampler = _o.Rl.Sampler,
            NonFiniteSkipped = _totalNonFinite,
            RewardFailures = _totalRewardFailures,
            Completed = stopReason is null,
            StopReason = stopReason,
        };
        _run.WriteSummary(summary);
        return summary;
    }

    /// <summary>The training pool the sampler draws from.</summary>
    public IReadOnlyList<Prompt> TrainPool => _trainPool;

    /// <summary>A rollout collector over this trainer's policy, verifier and shaping (one per training step).</summary>
    public RolloutCollector NewCollector() => new(_policy, _tokenizer, _template, _reward, _shaping, _generation, _o.Rl.GroupSize);

    /// <summary>One RL update on the kept groups of <paramref name="batch"/>, whose rollouts <paramref name="collector"/> made; returns the loss diagnostics.</summary>
    public IReadOnlyDictionary<string, double> TrainOn(CollectedBatch batch, RolloutCollector collector)
    {
        _step++;
        var (rows, groupIds) = Flatten(batch, collector);
        return rows.Count == 0 ? new Dictionary<string, double>() : Update(rows, groupIds, batch.Groups.Count);
    }

    /// <summary>The kept groups' rollouts, one row each, with dense group ids (group membership is explicit, never positional).</summary>
    private static (List<RolloutRecord> Rows, List<int> GroupIds) Flatten(CollectedBatch batch, RolloutCollector collector)
    {
        var rows = new List<RolloutRecord>();
        var groupIds = new List<int>();
        for (int g = 0; g < batch.Groups.Count; g++)
            foreach (var r in collector.RolloutsOf(batch.Groups[g])) { rows.Add(r); groupIds.Add(g); }
        return (rows, groupIds);
    }

    /// <summary>Runs the supervised warm start (the first stage of <see cref="Run"/>).</summary>
    public void WarmStart(CancellationToken cancel = default)
    {
        var rng = new Random((int)(TrainingComponents.Derive(_o.Run.Seed, TrainingComponents.Streams.Demonstrations) & 0x7fffffff));
        var demos = _trainPool.Select(p =>
        {
            var (prompt, response) = _template.EncodeDemonstration(p, _task.Demonstrate(p, _o.Task.DemoErrorRate, rng), _tokenizer);
            return new Demonstration(prompt, response);
        }).ToArray();
        _observer.Stage("sft", $"{_o.Sft.Steps} steps on {demos.Length} demonstrations (error rate {_o.Task.DemoErrorRate:0.##})");
        using var sftOptimizer = new AdamW(_policy.Parameters(), beta2: 0.99);
        SftTrainer.Train(_policy, sftOptimizer, demos, _o.Sft.Steps, _o.Sft.BatchSize, _o.Sft.LearningRate, _tokenizer.PadId,
            TrainingComponents.Derive(_o.Run.Seed, TrainingComponents.Streams.Sft), (s, loss) => _observer.SftStep(s + 1, _o.Sft.Steps, loss), cancel);
    }

    public EvalResult EvaluateNow(string label)
    {
        var r = Evaluator.Evaluate(_policy, _tokenizer, _template, _task.Verifier, _testSet, _generation, _o.Eval.Samples, _o.Eval.PassK,
            (long)(TrainingComponents.Derive(_o.Run.Seed, TrainingComponents.Streams.Eval) >> 1));
        _observer.Evaluated(label, r);
        return r;
    }

    private StepMetrics RlStep(JsonLinesWriter samples)
    {
        var collector = NewCollector();
        using var generator = new Generator(TrainingComponents.Derive(_o.Run.Seed, TrainingComponents.Streams.Generation) + (ulong)_step);
        var batch = DynamicBatch.Collect(_sampler, _o.Rl.PromptsPerStep, prompts => collector.Collect(prompts, generator));
        _totalRewardFailures += collector.RewardFailures;

        // Flatten the kept groups: one row per rollout, explicit dense group ids.
        var (rows, groupIds) = Flatten(batch, collector);

        var update = Stopwatch.StartNew();
        var updateMetrics = rows.Count == 0 ? new Dictionary<string, double>() : Update(rows, groupIds, batch.Groups.Count);
        update.Stop();

        foreach (var r in rows.Take(_o.Run.SamplesPerStep))
        {
            samples.Write(new SampleRecord(_step, r.Prompt.Id, r.Prompt.Text, r.Completion, r.Reward.Total, r.ShapedReward, r.Reward.Correct,
                r.Reward.Components, r.Reward.FailureReason, r.Finish.ToString().ToLowerInvariant()));
            _sampleLines++;
        }

        var stats = batch.Statistics;
        var rewards = rows.Select(r => r.ShapedReward).ToArray();
        double mean = rewards.Length == 0 ? 0 : rewards.Average();
        double seconds = collector.GenerateTime.TotalSeconds + collector.ScoreTime.TotalSeconds + update.Elapsed.TotalSeconds;
        double Metric(string k) => updateMetrics.TryGetValue(k, out double v) ? v : 0;
        long tokens = rows.Sum(r => (long)r.ResponseTokens.Length);
        double entropyTokens = rows.Sum(r => (double)r.Entropies.Length);
        return new StepMetrics
        {
            Step = _step,
            RewardMean = mean,
            RewardStd = rewards.Length == 0 ? 0 : Math.Sqrt(rewards.Sum(x => (x - mean) * (x - mean)) / rewards.Length),
            Accuracy = rows.Count == 0 ? 0 : rows.Count(r => r.Correct) / (double)rows.Count,
            ResponseLengthMean = rows.Count == 0 ? 0 : rows.Average(r => r.ResponseTokens.Length),
            ResponseLengthMax = rows.Count == 0 ? 0 : rows.Max(r => r.ResponseTokens.Length),
            PgLoss = Metric("pg_loss"),
            PgClipfrac = Metric(PolicyMetricNames.ClipFraction),
            ClipfracLow = Metric(PolicyMetricNames.ClipFractionLow),
            ClipfracHigh = Metric(PolicyMetricNames.ClipFractionHigh),
            PpoKl = Metric(PolicyMetricNames.ApproxKl),
            Kl = Metric("kl"),
            Entropy = entropyTokens == 0 ? 0 : rows.Sum(r => r.Entropies.Sum(e => (double)e)) / entropyTokens,
            GradNorm = Metric("grad_norm"),
            LearningRate = LearningRate(),
            ZeroVarianceShare = stats.GeneratedGroups == 0 ? 0 : stats.ZeroVarianceGroups / (double)stats.GeneratedGroups,
            GroupsGenerated = stats.GeneratedGroups,
            GroupsFiltered = stats.DroppedGroups,
            GroupsTrained = batch.Groups.Count,
            SamplingRounds = stats.Rounds,
            RewardFailures = collector.RewardFailures,
            NonFiniteSkipped = (int)Metric("non_finite_skipped"),
            SecondsGenerate = collector.GenerateTime.TotalSeconds,
            SecondsScore = collector.ScoreTime.TotalSeconds,
            SecondsUpdate = update.Elapsed.TotalSeconds,
            TokensPerSecond = seconds > 0 ? collector.GeneratedTokens / seconds : 0,
        };
    }

    private double LearningRate() =>
        _o.Rl.LearningRate * (_o.Rl.WarmupSteps == 0 ? 1.0 : Math.Min(1.0, _step / (double)_o.Rl.WarmupSteps));

    /// <summary>Advantages, then epochs of mini-batch updates. Returns the mean of each loss diagnostic over the updates.</summary>
    private Dictionary<string, double> Update(List<RolloutRecord> rows, List<int> groupIds, int groupCount)
    {
        int b = rows.Count;
        int l = rows.Max(r => r.ResponseTokens.Length);
        var tokenRewards = new TokenMatrix(b, l);
        var mask = new TokenMatrix(b, l);
        var old = new TokenMatrix(b, l);
        for (int i = 0; i < b; i++)
        {
            var r = rows[i];
            int n = r.ResponseTokens.Length;
            if (n > 0) tokenRewards[i, n - 1] = r.ShapedReward;
            for (int t = 0; t < n; t++) { mask[i, t] = r.LossWeight; old[i, t] = r.OldLogProbs[t]; }
        }
        TokenMatrix? refLogProbs = _reference is null ? null : ScoreReference(rows, l);
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
        if (refLogProbs is not null)
        {
            double kl = 0, count = 0;
            for (int k = 0; k < mask.Data.Length; k++) if (mask.Data[k] > 0) { kl += old.Data[k] - refLogProbs.Data[k]; count++; }
            sums["kl"] = count == 0 ? 0 : kl / count;
            if (_o.Rl.KlMode == "reward") tokenRewards = Rewire.Core.Kl.KlInReward.Apply(tokenRewards, old, refLogProbs, _o.Rl.KlCoef);
        }
        var index = Rewire.Core.Stats.GroupIndex.FromIds(groupIds.ToArray(), groupCount);
        var advantages = _estimator.Compute(new AdvantageInput(tokenRewards, mask) { Index = index }).Advantages;

        var rng = new Xoshiro256StarStar(TrainingComponents.Derive(_o.Run.Seed, TrainingComponents.Streams.Shuffle) + (ulong)_step);
        var order = Enumerable.Range(0, b).ToArray();
        var totals = new Dictionary<string, double>(StringComparer.Ordinal);
        int updates = 0, skipped = 0;
        for (int epoch = 0; epoch < _o.Rl.Epochs; epoch++)
        {
            for (int i = order.Length - 1; i > 0; i--) { int j = rng.NextInt(i + 1); (order[i], order[j]) = (order[j], order[i]); }
            for (int start = 0; start < b; start += _o.Rl.MiniBatchSize)
            {
                var idx = order.AsSpan(start, Math.Min(_o.Rl.MiniBatchSize, b - start)).ToArray();
                var result = MiniBatchUpdate(rows, idx, advantages, mask, refLogProbs);
                if (result is null) { skipped++; _consecutiveNonFinite++; _totalNonFinite++; continue; }
                _consecutiveNonFinite = 0;
                updates++;
                foreach (var (k, v) in result) totals[k] = totals.GetValueOrDefault(k) + v;
            }
        }
        var means = totals.ToDictionary(kv => kv.Key, kv => kv.Value / Math.Max(1, updates), StringComparer.Ordinal);
        foreach (var (k, v) in sums) means[k] = v;
        means["non_finite_skipped"] = skipped;
        return means;
    }

    /// <summary>One optimiser step on the rows <paramref name="idx"/>; null when the loss or gradient was not finite (skipped).</summary>
    private Dictionary<string, double>? MiniBatchUpdate(List<RolloutRecord> rows, int[] idx, TokenMatrix advantages, TokenMatrix mask, TokenMatrix? refLogProbs)
    {
        using var scope = NewDisposeScope();
        int n = idx.Length;
        int l = idx.Max(i => rows[i].ResponseTokens.Length);
        var prompts = idx.Select(i => (IReadOnlyList<int>)rows[i].PromptTokens).ToArray();
        var responses = idx.Select(i => (IReadOnlyList<int>)rows[i].ResponseTokens).ToArray();
        bool needEntropy = _o.Rl.EntropyCoef != 0;
        using var scored = _policy.Score(prompts, responses, new ScoreOptions(WithGradient: true, WithEntropy: needEntropy, PadId: _tokenizer.PadId));
        Tensor Slice(TokenMatrix m)
        {
            var data = new double[n * l];
            for (int r = 0; r < n; r++) m.Row(idx[r])[..l].CopyTo(data.AsSpan(r * l, l));
            return tensor(data, [n, l]);
        }
        var oldT = tensor(idx.SelectMany(i => Pad(rows[i].OldLogProbs, l)).ToArray(), [n, l]).to(ScalarType.Float64);
        var entT = tensor(idx.SelectMany(i => Pad(rows[i].Entropies, l)).ToArray(), [n, l]).to(ScalarType.Float64);
        // The objectives compute in float64 (exact diagnostics); the cast keeps the autograd graph to the float32 model.
        var input = new PolicyLossInput(scored.LogProbs.to(ScalarType.Float64), oldT, Slice(advantages), Slice(mask))
        {
            RefLogProb = refLogProbs is null ? null : Slice(refLogProbs),
            Entropy = entT,
        };
        var result = _loss.Compute(input, needEntropy ? scored.Entropies!.to(ScalarType.Float64) : null);
        double lossValue = PoisonLossHook?.Invoke(_step) == true ? double.NaN : result.Loss.item<double>();
        if (!double.IsFinite(lossValue)) { _optimizer.ZeroGrad(); return null; }
        _optimizer.ZeroGrad();
        result.Loss.backward();
        double gradNorm = _optimizer.ClipGradNorm(_o.Rl.MaxGradNorm);
        if (!double.IsFinite(gradNorm)) { _optimizer.ZeroGrad(); return null; }
        _optimizer.Step(LearningRate());
        var metrics = new Dictionary<string, double>(result.Metrics, StringComparer.Ordinal) { ["grad_norm"] = gradNorm };
        return metrics;
    }

    private static IEnumerable<float> Pad(float[] values, int length)
    {
        for (int t = 0; t < length; t++) yield return t < values.Length ? values[t] : 0f;
    }

    private TokenMatrix ScoreReference(List<RolloutRecord> rows, int l)
    {
        using var scope = NewDisposeScope();
        using var scored = _reference!.Score(rows.Select(r => (IReadOnlyList<int>)r.PromptTokens).ToArray(),
            rows.Select(r => (IReadOnlyList<int>)r.ResponseTokens).ToArray(), new ScoreOptions(MiniBatchSize: 256, PadId: _tokenizer.PadId));
        var values = scored.LogProbs.to(ScalarType.Float64).cpu();
        var flat = values.data<double>().ToArray();
        int cols = (int)values.shape[1];
        var m = new TokenMatrix(rows.Count, l);
        for (int i = 0; i < rows.Count; i++)
            for (int t = 0; t < Math.Min(l, cols); t++) m[i, t] = flat[i * cols + t];
        return m;
    }

    private static string StepName(int step) => $"step-{step:D6}";

    private void SaveCheckpoint(string name)
    {
        var state = new JsonObject
        {
            ["step"] = _step,
            ["optimizer_steps"] = _optimizer.Steps,
            ["sampler"] = _sampler.SaveState(),
            ["accuracy_before"] = JsonSerializer.SerializeToNode(_before),
            ["consecutive_non_finite"] = _consecutiveNonFinite,
            ["total_non_finite"] = _totalNonFinite,
            ["total_reward_failures"] = _totalRewardFailures,
            ["metric_lines"] = _metricLines,
            ["sample_lines"] = _sampleLines,
            ["config_hash"] = OptionsBinder.Hash(_o),
        };
        TrainingCheckpoint.Save(_run.CheckpointDir, name, _policy, _optimizer, state);
    }

    private bool TryResume()
    {
        string? latest = _run.ResumeCheckpoint();
        if (latest is null) return false;
        var state = TrainingCheckpoint.ReadState(latest);
        string hash = TrainingCheckpoint.Get<string>(state, "config_hash");
        if (hash != OptionsBinder.Hash(_o))
            throw new CheckpointException($"the checkpoint {latest} was written with configuration {hash}, but the run's configuration is now {OptionsBinder.Hash(_o)}; resume with the run's own config.json");
        PolicyCheckpoint.LoadWeights(_policy.Model, Path.Combine(latest, PolicyCheckpoint.WeightsFile));
        TrainingCheckpoint.LoadOptimizer(latest, _optimizer);
        _optimizer.Steps = TrainingCheckpoint.Get<long>(state, "optimizer_steps");
        TrainingCheckpoint.RestoreSampler(state, _sampler);
        _step = TrainingCheckpoint.Get<int>(state, "step");
        _before = TrainingCheckpoint.Get<EvalResult>(state, "accuracy_before");
        _consecutiveNonFinite = TrainingCheckpoint.Get<int>(state, "consecutive_non_finite");
        _totalNonFinite = TrainingCheckpoint.Get<int>(state, "total_non_finite");
        _totalRewardFailures = TrainingCheckpoint.Get<int>(state, "total_reward_failures");
        _metricLines = TrainingCheckpoint.Get<int>(state, "metric_lines");
        _sampleLines = TrainingCheckpoint.Get<int>(state, "sample_lines");
        JsonLinesWriter.TruncateToLines(_run.MetricsFile, _metricLines);
        JsonLinesWriter.TruncateToLines(_run.SamplesFile, _sampleLines);
        _observer.Stage("resume", $"continuing from {Path.GetFileName(latest)} (step {_step} of {_o.Rl.Steps})");
        return true;
    }

    /// <summary>Loads the newest checkpoint's weights (for `rewire eval` and `rewire sample`); returns its folder.</summary>
    public string LoadLatestWeights()
    {
        string latest = TrainingCheckpoint.Latest(_run.CheckpointDir)
                        ?? throw new CheckpointException($"{_run.Path} has no checkpoint yet; train first (rewire train) or wait for the first checkpoint");
        PolicyCheckpoint.LoadWeights(_policy.Model, Path.Combine(latest, PolicyCheckpoint.WeightsFile));
        return latest;
    }

    /// <summary>Samples completions of held-out prompts with their reward breakdown.</summary>
    public IReadOnlyList<SampleRecord> Sample(int count, long seed)
    {
        var prompts = _testSet.Take(count).ToArray();
        var encoded = prompts.Select(p => (IReadOnlyList<int>)_template.Encode(p, _tokenizer)).ToArray();
        using var g = new Generator((ulong)seed);
        var seqs = _policy.Generate(encoded, _generation, g);
        return prompts.Select((p, i) =>
        {
            string text = _tokenizer.Decode(seqs[i].Tokens);
            var r = _reward.Score(new Rollout(p, text, seqs[i].Tokens.Length, seqs[i].Finish, p.Id));
            return new SampleRecord(_step, p.Id, p.Text, text, r.Total, r.Total, r.Correct, r.Components, r.FailureReason, seqs[i].Finish.ToString().ToLowerInvariant());
        }).ToArray();
    }

    private IPolicy LoadReference()
    {
        string sft = Path.Combine(_run.CheckpointDir, TrainingCheckpoint.SftFolder);
        using var loaded = PolicyCheckpoint.Load(sft);
        return loaded.CloneFrozen();
    }

    public void Dispose()
    {
        _reference?.Dispose();
        _optimizer.Dispose();
        _policy.Dispose();
    }
}
