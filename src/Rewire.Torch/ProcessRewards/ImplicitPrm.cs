// PRIME's implicit PRM in `rewire train` (rl.estimator=prime): π_φ starts as a trainable copy of the warm-started policy
// (the reference π_ref, as the paper initialises it from the SFT model), and each RL step it takes one AdamW step of
// the cross-entropy of ImplicitPrmLoss on that step's rollouts labelled by the verifier's correctness. Its token rewards
// β·log π_φ/π_ref are the `process_rewards` column the PRIME advantage combines with the outcome rewards. Update timing
// "before" (the verl recipe's default): update, then score the rewards with the updated PRM; "after" (the PRIME repo's
// script): score with the PRM as it was, then update. Saved in every checkpoint (weights and AdamW moments).
// OPRL (rl.estimator=oprl, estimator.step_reward=learned) uses the same PRM with its own objective: the ratio is taken to
// π_old (the policy that sampled the step's episodes) instead of the frozen reference, and the loss is the
// trajectory-preference loss of TrajectoryPreferenceLoss on (success, failure) pairs of one start state.
using Rewire.Core.Runs;
using Rewire.Torch.Checkpoints;
using Rewire.Torch.Generation;
using Rewire.Torch.Models;
using Rewire.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;
using TokenMatrix = Rewire.Core.Stats.TokenMatrix;

namespace Rewire.Torch.ProcessRewards;

/// <summary>Settings of <see cref="ImplicitPrm"/> (the <c>estimator.*</c> parameters of <c>prime</c>).</summary>
/// <param name="Beta">β of the implicit reward (paper 0.05).</param>
/// <param name="LearningRateRatio">The PRM's learning rate as a multiple of the policy's (paper 1e-6 / 5e-7 = 2).</param>
/// <param name="MaxGradNorm">Clip bound of the PRM's gradient norm (paper 10).</param>
/// <param name="UpdateBefore">True: update, then score (verl); false: score, then update (PRIME repo).</param>
/// <param name="Objective">The PRM's training loss: PRIME's outcome cross-entropy or OPRL's trajectory preference.</param>
internal sealed record ImplicitPrmOptions(double Beta = 0.05, double LearningRateRatio = 2.0, double MaxGradNorm = 10.0, bool UpdateBefore = true,
    ImplicitPrmObjective Objective = ImplicitPrmObjective.OutcomeCrossEntropy);

/// <summary>How the implicit PRM learns from a step's rollouts.</summary>
internal enum ImplicitPrmObjective
{
    /// <summary>PRIME: cross-entropy of σ(r_φ(y)) against each rollout's correctness (<see cref="ImplicitPrmLoss"/>).</summary>
    OutcomeCrossEntropy,
    /// <summary>OPRL: DPO on (success, failure) pairs of one group (<see cref="TrajectoryPreferenceLoss"/>).</summary>
    TrajectoryPreference,
}

/// <summary>The online implicit PRM (see the file header).</summary>
internal sealed class ImplicitPrm : IDisposable
{
    /// <summary>File name of the PRM's weights in a checkpoint folder.</summary>
    public const string WeightsFile = "prm.safetensors";
    /// <summary>File name of the PRM's optimiser state in a checkpoint folder.</summary>
    public const string OptimizerFile = "prm_optimizer.safetensors";

    private readonly TransformerPolicy _model;
    private readonly AdamW _optimizer;
    private readonly int _padId;

    /// <summary>A PRM that takes ownership of <paramref name="model"/> (a trainable copy of the reference).</summary>
    public ImplicitPrm(TransformerPolicy model, ImplicitPrmOptions options, int padId)
    {
        _model = model;
        Options = options;
        _padId = padId;
        _optimizer = new AdamW(_model.Parameters(), beta2: 0.99);
    }

    /// <summary>The PRM's settings.</summary>
    public ImplicitPrmOptions Options { get; }

    /// <summary>Optimiser steps the PRM has taken.</summary>
    public long OptimizerSteps => _optimizer.Steps;

    /// <summary>
    /// One step of the PRM on <paramref name="rows"/> (labels: each row's correctness) and the process rewards [B, L]
    /// of the rows, in the configured order; <paramref name="policyLearningRate"/> is this step's policy learning rate.
    /// Metrics: prm/loss, prm/accuracy and prm/pairwise_accuracy (of the PRM before its update, as the recipe logs them),
    /// prm/grad_norm, prm/process_reward_mean.
    /// </summary>
    public (TokenMatrix ProcessRewards, Dictionary<string, double> Metrics) Step(IReadOnlyList<RolloutRecord> rows, int[] groupOf,
        TokenMatrix refLogProbs, TokenMatrix mask, double policyLearningRate)
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        TokenMatrix process;
        if (Options.UpdateBefore)
        {
            Update(rows, groupOf, refLogProbs, mask, policyLearningRate * Options.LearningRateRatio, metrics);
            process = ProcessRewards(rows, refLogProbs, mask);
        }
        else
        {
            process = ProcessRewards(rows, refLogProbs, mask);
            Update(rows, groupOf, refLogProbs, mask, policyLearningRate * Options.LearningRateRatio, metrics);
        }
        double sum = 0, count = 0;
        for (int k = 0; k < mask.Data.Length; k++) if (mask.Data[k] > 0) { sum += process.Data[k]; count++; }
        metrics["prm/process_reward_mean"] = count == 0 ? 0 : sum / count;
        return (process, metrics);
    }

    /// <summary>β·(log π_φ − log π_ref) at the valid tokens of <paramref name="rows"/>, without gradient (OPRL: π_old in place of π_ref).</summary>
    public TokenMatrix ProcessRewards(IReadOnlyList<RolloutRecord> rows, TokenMatrix refLogProbs, TokenMatrix mask)
    {
        using var scope = NewDisposeScope();
        var logPhi = Score(rows, withGradient: false);
        var (refT, maskT) = (Slice(refLogProbs, logPhi), Slice(mask, logPhi));
        var q = ImplicitPrmLoss.TokenRewards(logPhi, refT, maskT, Options.Beta).cpu();
        int cols = (int)q.shape[1];
        var flat = q.data<double>().ToArray();
        var m = new TokenMatrix(rows.Count, mask.Cols);
        for (int i = 0; i < rows.Count; i++)
            for (int t = 0; t < Math.Min(cols, mask.Cols); t++) m[i, t] = flat[i * cols + t];
        return m;
    }

    private void Update(IReadOnlyList<RolloutRecord> rows, int[] groupOf, TokenMatrix refLogProbs, TokenMatrix mask, double learningRate, Dictionary<string, double> metrics)
    {
        using var scope = NewDisposeScope();
        _optimizer.ZeroGrad();
        var logPhi = Score(rows, withGradient: true);
        Tensor loss, rewards;
        if (Options.Objective == ImplicitPrmObjective.TrajectoryPreference)
        {
            var (chosen, rejected) = TrajectoryPreferenceLoss.Pairs(groupOf, rows.Select(r => r.Correct).ToArray());
            metrics["prm/pairs"] = chosen.Length;
            if (chosen.Length == 0) return;   // no group has both a success and a failure: no pair, no update
            (loss, rewards) = TrajectoryPreferenceLoss.Compute(logPhi, Slice(refLogProbs, logPhi), Slice(mask, logPhi), chosen, rejected, Options.Beta);
        }
        else
        {
            var labels = tensor(rows.Select(r => r.Correct ? 1.0 : 0.0).ToArray(), device: logPhi.device);
            (loss, rewards) = ImplicitPrmLoss.Compute(logPhi, Slice(refLogProbs, logPhi), Slice(mask, logPhi), labels, Options.Beta);
        }
        double value = loss.item<double>();
        var (absolute, pairwise) = ImplicitPrmLoss.Accuracy(rewards.detach().cpu().data<double>().ToArray(), rows.Select(r => r.Correct).ToArray(), groupOf);
        metrics["prm/accuracy"] = absolute;
        if (double.IsFinite(pairwise)) metrics["prm/pairwise_accuracy"] = pairwise;
        if (!double.IsFinite(value)) { metrics["prm/non_finite_skipped"] = 1; return; }
        metrics["prm/loss"] = value;
        loss.backward();
        double norm = _optimizer.ClipGradNorm(Options.MaxGradNorm);
        if (!double.IsFinite(norm)) { _optimizer.ZeroGrad(); metrics["prm/non_finite_skipped"] = 1; return; }
        _optimizer.Step(learningRate);
        metrics["prm/grad_norm"] = norm;
    }

    /// <summary>log π_φ of the rows' responses [B, W] in float64.</summary>
    private Tensor Score(IReadOnlyList<RolloutRecord> rows, bool withGradient) =>
        _model.Score(rows.Select(r => (IReadOnlyList<int>)r.PromptTokens).ToArray(), rows.Select(r => (IReadOnlyList<int>)r.ResponseTokens).ToArray(),
            new ScoreOptions(WithGradient: withGradient, PadId: _padId)).LogProbs.to(ScalarType.Float64);

    /// <summary>The first W columns of <paramref name="m"/> as a tensor shaped like <paramref name="like"/>.</summary>
    private static Tensor Slice(TokenMatrix m, Tensor like)
    {
        int n = (int)like.shape[0], width = (int)like.shape[1];
        var data = new double[n * width];
        for (int r = 0; r < n; r++) m.Row(r)[..Math.Min(m.Cols, width)].CopyTo(data.AsSpan(r * width, Math.Min(m.Cols, width)));
        return tensor(data, [n, width], device: like.device);
    }

    /// <summary>Writes the PRM's weights and optimiser moments into a checkpoint folder being built.</summary>
    public void Save(string dir) => LearnerCheckpoint.Save(dir, _model.Model, _optimizer, WeightsFile, OptimizerFile);

    /// <summary>Restores weights and moments saved by <see cref="Save"/>; a missing or mismatched file is named.</summary>
    public void Load(string dir, long optimizerSteps) =>
        LearnerCheckpoint.Load(dir, _model.Model, _optimizer, WeightsFile, OptimizerFile, optimizerSteps, "implicit PRM");

    /// <inheritdoc />
    public void Dispose()
    {
        _optimizer.Dispose();
        _model.Dispose();
    }
}
