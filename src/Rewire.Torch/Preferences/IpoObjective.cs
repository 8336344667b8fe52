// IPO ("A General Theoretical Paradigm to Understand Learning from Human Preferences", Azar et al. 2023): a squared
// loss that regresses the log-ratio margin to a finite target instead of pushing it to infinity,
//     h = log[π_θ(y_w|x)·π_ref(y_l|x) / (π_θ(y_l|x)·π_ref(y_w|x))],   L = (h − 1/(2τ))²,
// τ the regularisation towards the reference (0.1, as TRL's default for the IPO loss). Its optimum is h = 1/(2τ).
using static TorchSharp.torch;

namespace Rewire.Torch.Preferences;

/// <summary>The IPO loss (see the file header).</summary>
public sealed class IpoObjective(double tau) : IPreferenceObjective
{
    /// <summary>The registry name.</summary>
    public const string RegistryName = "ipo";

    /// <inheritdoc/>
    public string Name => RegistryName;

    /// <summary>τ; the target margin is 1/(2τ).</summary>
    public double Tau { get; } = tau;

    /// <inheritdoc/>
    public PreferenceLoss Compute(PreferenceBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var h = PreferenceMath.LogRatioMargin(batch);
        var loss = (h - 1 / (2 * Tau)).square().mean();
        var metrics = PreferenceMath.Diagnostics(h, batch.PolicyChosen - batch.ReferenceChosen, batch.PolicyRejected - batch.ReferenceRejected);
        return new PreferenceLoss(loss, metrics);
    }
}
