// The critic of PPO with GAE: a value model trained by the clipped value loss of "Proximal Policy Optimization
// Algorithms" as verl implements it (ClippedValueLoss, cliprange_value 0.5), on the returns R = Â + V_old that GAE
// produces, one mini-batch beside each policy mini-batch. It provides the `values` column that GAE reads, and is saved
// in every checkpoint (weights and AdamW moments) so a resumed run continues exactly.
using Rewire.Core.Runs;
using Rewire.Torch.Checkpoints;
using Rewire.Torch.Models;
using Rewire.Torch.Objectives.Value;
using TorchSharp;
using static TorchSharp.torch;
using TokenMatrix = Rewire.Core.Stats.TokenMatrix;

namespace Rewire.Torch.Training;

/// <summary>A value model, its optimiser and its loss.</summary>
public sealed class Critic : IDisposable
{
    /// <summary>File name of the critic's weights in a checkpoint folder.</summary>
    public const string WeightsFile = "critic.safetensors";
    /// <summary>File name of the critic's optimiser state in a checkpoint folder.</summary>
    public const string OptimizerFile = "critic_optimizer.safetensors";

    private readonly ValueModel _model;
    private readonly AdamW _optimizer;
    private readonly ClippedValueLoss _loss;
    private readonly CriticOptions _options;
    private readonly int _padId;

    /// <summary>A critic initialised from <paramref name="policy"/>'s current weights.</summary>
    public Critic(TransformerPolicy policy, CriticOptions options, int padId)
    {
        _model = new ValueModel(policy);
        _optimizer = new AdamW(_model.parameters(), beta2: 0.99);
        _loss = new ClippedValueLoss(options.ValueClip);
        _options = options;
        _padId = padId;
    }

    /// <summary>V_old [B, L] of the rows, without gradient, as plain numbers.</summary>
    public TokenMatrix Values(IReadOnlyList<RolloutRecord> rows, int width)
    {
        using var scope = NewDisposeScope();
        var v = _model.Values(rows.Select(r => (IReadOnlyList<int>)r.PromptTokens).ToArray(), rows.Select(r => (IReadOnlyList<int>)r.ResponseTokens).ToArray(), _padId, false)
            .to(ScalarType.Float64).cpu();
        int cols = (int)v.shape[1];
        var flat = v.data<double>().ToArray();
        var m = new TokenMatrix(rows.Count, width);
        for (int i = 0; i < rows.Count; i++)
            for (int t = 0; t < Math.Min(width, cols); t++) m[i, t] = flat[i * cols + t];
        return m;
    }

    /// <summary>One optimiser step of the clipped value loss on rows <paramref name="idx"/>; returns vf_loss and vf_clipfrac (null when not finite).</summary>
    public Dictionary<string, double>? Update(IReadOnlyList<RolloutRecord> rows, int[] idx, TokenMatrix returns, TokenMatrix oldValues, TokenMatrix mask, double learningRate)
    {
        using var scope = NewDisposeScope();
        var vpreds = _model.Values(idx.Select(i => (IReadOnlyList<int>)rows[i].PromptTokens).ToArray(), idx.Select(i => (IReadOnlyList<int>)rows[i].ResponseTokens).ToArray(), _padId, true)
            .to(ScalarType.Float64);
        int n = idx.Length, width = (int)vpreds.shape[1];
        Tensor Slice(TokenMatrix m)
        {
            var data = new double[n * width];
            for (int r = 0; r < n; r++) m.Row(idx[r])[..Math.Min(m.Cols, width)].CopyTo(data.AsSpan(r * width, Math.Min(m.Cols, width)));
            return tensor(data, [n, width], device: vpreds.device);
        }
        var (loss, clipFraction) = _loss.Compute(vpreds, Slice(returns), Slice(oldValues), Slice(mask));
        double value = loss.item<double>();
        _optimizer.ZeroGrad();
        if (!double.IsFinite(value)) return null;
        loss.backward();
        double norm = _optimizer.ClipGradNorm(_options.MaxGradNorm);
        if (!double.IsFinite(norm)) { _optimizer.ZeroGrad(); return null; }
        _optimizer.Step(learningRate);
        return new Dictionary<string, double>(StringComparer.Ordinal) { ["critic/vf_loss"] = value, ["critic/vf_clipfrac"] = clipFraction, ["critic/grad_norm"] = norm };
    }

    /// <summary>Writes the critic's weights and optimiser moments into a checkpoint folder being built.</summary>
    public void Save(string dir) => LearnerCheckpoint.Save(dir, _model, _optimizer, WeightsFile, OptimizerFile);

    /// <summary>Restores weights and moments saved by <see cref="Save"/>; a missing or mismatched file is named.</summary>
    public void Load(string dir, long optimizerSteps) =>
        LearnerCheckpoint.Load(dir, _model, _optimizer, WeightsFile, OptimizerFile, optimizerSteps, "critic");

    /// <summary>Optimiser steps the critic has taken.</summary>
    public long OptimizerSteps => _optimizer.Steps;

    /// <inheritdoc />
    public void Dispose()
    {
        _optimizer.Dispose();
        _model.Dispose();
    }
}
