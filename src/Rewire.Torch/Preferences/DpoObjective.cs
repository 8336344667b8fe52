// DPO ("Direct Preference Optimization: Your Language Model is Secretly a Reward Model", Rafailov et al. 2023):
//     h = [log π_θ(y_w|x) − log π_ref(y_w|x)] − [log π_θ(y_l|x) − log π_ref(y_l|x)]
//     L = −(1 − ε)·log σ(β·h) − ε·log σ(−β·h)
// with β = 0.1 (the paper's setting for most experiments) and the conservative label smoothing ε of cDPO (0: plain DPO).
// The implicit rewards β·(log π_θ − log π_ref) of each side are reported.
using static TorchSharp.torch;

namespace Rewire.Torch.Preferences;

/// <summary>The DPO loss (see the file header).</summary>
public sealed class DpoObjective(double beta, double labelSmoothing) : IPreferenceObjective
{
    /// <summary>The registry name.</summary>
    public const string RegistryName = "dpo";

    /// <inheritdoc/>
    public string Name => RegistryName;

    /// <summary>β, the strength of the KL constraint to the reference.</summary>
    public double Beta { get; } = beta;

    /// <summary>ε, the assumed probability that a label is flipped.</summary>
    public double LabelSmoothing { get; } = labelSmoothing;

    /// <inheritdoc/>
    public PreferenceLoss Compute(PreferenceBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var h = PreferenceMath.LogRatioMargin(batch);
        var z = Beta * h;
        var loss = (-(1 - LabelSmoothing) * nn.functional.logsigmoid(z) - LabelSmoothing * nn.functional.logsigmoid(-z)).mean();
        var metrics = PreferenceMath.Diagnostics(h, Beta * (batch.PolicyChosen - batch.ReferenceChosen), Beta * (batch.PolicyRejected - batch.ReferenceRejected));
        return new PreferenceLoss(loss, metrics);
    }
}
