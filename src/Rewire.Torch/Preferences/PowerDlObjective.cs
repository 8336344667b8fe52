// POWER-DL ("Sail into the Headwind: Alignment via Robust Rewards and Dynamic Labels against Reward Hacking", 2024): POWER
// with Dynamic Labels against the second type of reward hacking (good choices that look bad). Each pair keeps a soft label
// l ∈ [0, 1], starting at 1, and the loss becomes the cross-entropy against it,
//     L = −[l·log σ(Δ) + (1 − l)·log σ(−Δ)] + η·(−(1/|y_w|)·log π_θ(y_w|x)),
// after each step the labels of the step's pairs move towards the model's own preference, l ← (1 − γ)·l + γ·sg[σ(Δ)], so
// pairs the model persistently disagrees with lose their gradient (dL/dΔ = σ(Δ) − l is 0 at the stationary label).
// RECONSTRUCTED like POWER: γ = 0.1 is a guess; γ = 0 is POWER.
using static TorchSharp.torch;

namespace Rewire.Torch.Preferences;

/// <summary>POWER with dynamic labels (see the file header); the labels are per pair of the training set.</summary>
public sealed class PowerDlObjective(double beta, double margin, double eta, double gamma, int pairs) : PowerObjective(beta, margin, eta)
{
    /// <summary>The registry name.</summary>
    public new const string RegistryName = "power_dl";

    private readonly double[] _labels = Enumerable.Repeat(1.0, pairs).ToArray();

    /// <inheritdoc/>
    public override string Name => RegistryName;

    /// <summary>γ, the step size of the label update.</summary>
    public double Gamma { get; } = gamma;

    /// <summary>The current label of every training pair.</summary>
    public IReadOnlyList<double> Labels => _labels;

    /// <inheritdoc/>
    public override PreferenceLoss Compute(PreferenceBatch batch)
    {
        var (delta, chosen, rejected) = Margins(batch);
        var l = tensor(batch.PairIds.Select(i => _labels[i]).ToArray(), dtype: delta.dtype, device: delta.device);
        var loss = -(l * nn.functional.logsigmoid(delta) + (1 - l) * nn.functional.logsigmoid(-delta)).mean() + Robust(chosen);
        var metrics = PreferenceMath.Diagnostics(delta, Beta * chosen, Beta * rejected);
        metrics["label_mean"] = l.mean().item<double>();
        using (no_grad())
        {
            var p = sigmoid(delta.detach()).to(ScalarType.Float64).cpu().data<double>().ToArray();
            for (int k = 0; k < batch.PairIds.Count; k++)
            {
                int i = batch.PairIds[k];
                _labels[i] = (1 - Gamma) * _labels[i] + Gamma * p[k];
            }
        }
        return new PreferenceLoss(loss, metrics);
    }
}
