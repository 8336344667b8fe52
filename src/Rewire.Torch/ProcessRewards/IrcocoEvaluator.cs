// IRCoCo's code-completion evaluator in `rewire train` (rl.estimator=ircoco), from "IRCoCo: Immediate Rewards-Guided
// Deep Reinforcement Learning for Code Completion" (Li et al., SANER 2024). The evaluator E(x, y_<j) scores the code a
// prefix of j completion tokens stands for; the immediate reward of token t is the change it causes:
//   r_t = E(x, y_≤t) − E(x, y_<t)          (telescoping: Σ_t r_t = E(x, y) − E(x, ∅))
// E is a value-head copy of the warm-started GPT (ValueModel: the trunk's hidden state after the prompt and the first j
// response tokens, a linear head). It is trained by mean squared error to predict the paper's metric (IrcocoMetrics: edit
// similarity or BLEU) of the prefix's code against the task's reference completion:
//   L_E = Σ_i Σ_{j=0..n_i} (E(x_i, y_i,<j) − M(decode(y_i,<j), ref_i))² / Σ_i (n_i + 1)
// RECONSTRUCTED: the paper trains its evaluator on completions sampled from the fine-tuned model before RL; here it takes
// estimator.evaluator_warmup AdamW steps on the first RL step's rollouts (samples of the warm-started model), then
// estimator.evaluator_updates steps on each step's rollouts (samples of the current policy), always before those
// rollouts' immediate rewards are scored; every prefix of a rollout is a training example labelled with that prefix's
// own metric. Saved in every checkpoint (weights and AdamW moments).
using Rewire.Core.Runs;
using Rewire.Torch.Checkpoints;
using Rewire.Torch.Models;
using Rewire.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;
using TokenMatrix = Rewire.Core.Stats.TokenMatrix;

namespace Rewire.Torch.ProcessRewards;

/// <summary>Settings of <see cref="IrcocoEvaluator"/> (the <c>estimator.*</c> parameters of <c>ircoco</c>).</summary>
/// <param name="Metric">What the evaluator learns to predict.</param>
/// <param name="LearningRateRatio">The evaluator's learning rate as a multiple of the policy's.</param>
/// <param name="MaxGradNorm">Clip bound of the evaluator's gradient norm.</param>
/// <param name="Updates">Evaluator gradient steps per RL step.</param>
/// <param name="Warmup">Extra gradient steps on the first RL step's rollouts (while the evaluator has taken no step).</param>
/// <param name="Delayed">The ablation without immediate rewards: no evaluator step, the completion's metric on its last token.</param>
internal sealed record IrcocoOptions(IrcocoMetric Metric = IrcocoMetric.EditSimilarity, double LearningRateRatio = 1.0, double MaxGradNorm = 1.0, int Updates = 1, int Warmup = 0,
    bool Delayed = false);

/// <summary>IRCoCo's evaluator and immediate rewards (see the file header).</summary>
internal sealed class IrcocoEvaluator : IDisposable
{
    /// <summary>File name of the evaluator's weights in a checkpoint folder.</summary>
    public const string WeightsFile = "ircoco_evaluator.safetensors";
    /// <summary>File name of the evaluator's optimiser state in a checkpoint folder.</summary>
    public const string OptimizerFile = "ircoco_evaluator_optimizer.safetensors";

    private readonly ValueModel _model;
    private readonly AdamW _optimizer;
    private readonly int _padId;
    private readonly Func<IEnumerable<int>, string> _decode;

    /// <summary>An evaluator whose trunk copies <paramref name="warmStart"/>'s weights (its head starts at 0); <paramref name="decode"/> turns response tokens into code text.</summary>
    public IrcocoEvaluator(TransformerPolicy warmStart, IrcocoOptions options, int padId, Func<IEnumerable<int>, string> decode)
    {
        _model = new ValueModel(warmStart);
        _optimizer = new AdamW(_model.parameters(), beta2: 0.99);
        Options = options;
        _padId = padId;
        _decode = decode;
    }

    /// <summary>The evaluator's settings.</summary>
    public IrcocoOptions Options { get; }

    /// <summary>Optimiser steps the evaluator has taken.</summary>
    public long OptimizerSteps => _optimizer.Steps;

    /// <summary>The evaluator's training targets for one rollout: M(decode(y_&lt;j), reference) for j = 0..n (n + 1 prefixes, the empty one first).</summary>
    public static double[] Targets(IReadOnlyList<int> response, string reference, Func<IEnumerable<int>, string> decode, IrcocoMetric metric)
    {
        var targets = new double[response.Count + 1];
        for (int j = 0; j <= response.Count; j++) targets[j] = IrcocoMetrics.Score(metric, decode(response.Take(j)), reference);
        return targets;
    }

    /// <summary>r_t = E_{t+1} − E_t for t = 0..n−1 from the scores E_0..E_n of a rollout's n + 1 prefixes.</summary>
    public static double[] ImmediateRewards(ReadOnlySpan<double> scores)
    {
        if (scores.Length == 0) throw new ArgumentException("a rollout has at least its empty prefix to score", nameof(scores));
        var r = new double[scores.Length - 1];
        for (int t = 0; t < r.Length; t++) r[t] = scores[t + 1] - scores[t];
        return r;
    }

    /// <summary>
    /// Trains the evaluator on <paramref name="rows"/> (each prefix labelled with its metric against the prompt's reference),
    /// then scores the rows' immediate rewards [B, <paramref name="width"/>]. Metrics: ircoco/evaluator_loss (MSE before this
    /// step's first update), ircoco/evaluator_grad_norm, ircoco/metric_mean (the completions' metric),
    /// ircoco/immediate_reward_mean (over response tokens), ircoco/evaluator_abs_error (|E(x, y) − M(y)| after the update).
    /// </summary>
    public (TokenMatrix ImmediateRewards, Dictionary<string, double> Metrics) Step(IReadOnlyList<RolloutRecord> rows, int width, double policyLearningRate)
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        var targets = rows.Select(r => Targets(r.ResponseTokens, r.Prompt.Answer
            ?? throw new InvalidOperationException($"prompt {r.Prompt.Id} of task {r.Prompt.Task} has no reference completion; IRCoCo's evaluator needs one to label its training examples"),
            _decode, Options.Metric)).ToArray();
        metrics["ircoco/metric_mean"] = targets.Average(t => t[^1]);
        if (Options.Delayed) return (DelayedRewards(rows, targets, width), metrics);
        int updates = Options.Updates + (_optimizer.Steps == 0 ? Options.Warmup : 0);
        for (int u = 0; u < updates; u++)
        {
            var (loss, norm) = Update(rows, targets, policyLearningRate * Options.LearningRateRatio);
            if (u == 0 && double.IsFinite(loss)) metrics["ircoco/evaluator_loss"] = loss;
            if (double.IsFinite(norm)) metrics["ircoco/evaluator_grad_norm"] = norm;
            else { metrics["ircoco/non_finite_skipped"] = 1; break; }
        }
        var scores = Scores(rows, withGradient: false);
        var immediate = new TokenMatrix(rows.Count, width);
        double sum = 0, error = 0;
        int count = 0;
        for (int i = 0; i < rows.Count; i++)
        {
            int n = rows[i].ResponseTokens.Length;
            var r = ImmediateRewards(scores[i].AsSpan(0, n + 1));
            for (int t = 0; t < Math.Min(n, width); t++) { immediate[i, t] = r[t]; sum += r[t]; count++; }
            error += Math.Abs(scores[i][n] - targets[i][n]);
        }
        metrics["ircoco/immediate_reward_mean"] = count == 0 ? 0 : sum / count;
        metrics["ircoco/evaluator_abs_error"] = error / Math.Max(1, rows.Count);
        return (immediate, metrics);
    }

    /// <summary>The delayed-reward ablation (estimator.reward=delayed): each completion's metric M(y, ref) on its last token, 0 elsewhere.</summary>
    public static TokenMatrix DelayedRewards(IReadOnlyList<RolloutRecord> rows, double[][] targets, int width)
    {
        var rewards = new TokenMatrix(rows.Count, width);
        for (int i = 0; i < rows.Count; i++)
        {
            int n = rows[i].ResponseTokens.Length;
            if (n > 0 && n <= width) rewards[i, n - 1] = targets[i][n];
        }
        return rewards;
    }

    /// <summary>One AdamW step of the prefix MSE; returns the loss before the step and the gradient norm (NaN when skipped).</summary>
    private (double Loss, double Norm) Update(IReadOnlyList<RolloutRecord> rows, double[][] targets, double learningRate)
    {
        using var scope = NewDisposeScope();
        _optimizer.ZeroGrad();
        var predictions = Predict(rows, withGradient: true);
        int b = rows.Count, w = (int)predictions.shape[1];
        var target = new double[b * w];
        var mask = new double[b * w];
        for (int i = 0; i < b; i++)
            for (int j = 0; j < targets[i].Length && j < w; j++) { target[i * w + j] = targets[i][j]; mask[i * w + j] = 1; }
        var targetT = tensor(target, [b, w], device: predictions.device);
        var maskT = tensor(mask, [b, w], device: predictions.device);
        var loss = (predictions - targetT).square().mul(maskT).sum() / maskT.sum();
        double value = loss.item<double>();
        if (!double.IsFinite(value)) return (value, double.NaN);
        loss.backward();
        double norm = _optimizer.ClipGradNorm(Options.MaxGradNorm);
        if (!double.IsFinite(norm)) { _optimizer.ZeroGrad(); return (value, norm); }
        _optimizer.Step(learningRate);
        return (value, norm);
    }

    /// <summary>E_0..E_n of every row's prefixes, without gradient.</summary>
    private double[][] Scores(IReadOnlyList<RolloutRecord> rows, bool withGradient)
    {
        using var scope = NewDisposeScope();
        var e = Predict(rows, withGradient).cpu();
        int w = (int)e.shape[1];
        var flat = e.data<double>().ToArray();
        return rows.Select((r, i) => flat.AsSpan(i * w, r.ResponseTokens.Length + 1).ToArray()).ToArray();
    }

    /// <summary>[B, n_max + 1] scores of the prefixes of lengths 0..n_i (float64): the value head read at the positions before each response token and after the last.</summary>
    private Tensor Predict(IReadOnlyList<RolloutRecord> rows, bool withGradient) =>
        // One padding token appended to each response makes the value model read the state after the last real token
        // too; the appended token itself is never fed to the trunk.
        _model.Values(rows.Select(r => (IReadOnlyList<int>)r.PromptTokens).ToArray(), rows.Select(r => (IReadOnlyList<int>)[.. r.ResponseTokens, _padId]).ToArray(),
            _padId, withGradient).to(ScalarType.Float64);

    /// <summary>Writes the evaluator's weights and optimiser moments into a checkpoint folder being built.</summary>
    public void Save(string dir) => LearnerCheckpoint.Save(dir, _model, _optimizer, WeightsFile, OptimizerFile);

    /// <summary>Restores weights and moments saved by <see cref="Save"/>; a missing or mismatched file is named.</summary>
    public void Load(string dir, long optimizerSteps) =>
        LearnerCheckpoint.Load(dir, _model, _optimizer, WeightsFile, OptimizerFile, optimizerSteps, "IRCoCo evaluator");

    /// <inheritdoc />
    public void Dispose()
    {
        _optimizer.Dispose();
        _model.Dispose();
    }
}
