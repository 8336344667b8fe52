// POWER ("Sail into the Headwind: Alignment via Robust Rewards and Dynamic Labels against Reward Hacking", 2024): robust
// reward maximisation with Guiaşu's weighted entropy, whose implicit reward weights each response by 1/|y| (a
// length-normalised implicit reward, no reference model), with a pessimism term on the chosen response:
//     Δ = β·[(1/|y_w|)·log π_θ(y_w|x) − (1/|y_l|)·log π_θ(y_l|x)]
//     L = −log σ(Δ − γ_margin) + η·(−(1/|y_w|)·log π_θ(y_w|x))
// RECONSTRUCTED: the paper's equations were not readable; this is the loss form its description implies (weighted entropy
// with w(y) = 1/|y|, robust term η ≥ 0). β = 2 (the range 2–10 of length-normalised objectives), γ_margin = 0 and η = 1
// are not published, stated as such in the descriptor; η > 0 because the pessimism term is what makes the reward robust
// (with η = 0 the reference-free margin alone lowered the true utility here, even on data better than the policy). With
// dynamic labels this becomes POWER-DL (PowerDlObjective).
using static TorchSharp.torch;

namespace Rewire.Torch.Preferences;

/// <summary>The POWER loss (see the file header); <see cref="PowerDlObjective"/> adds dynamic labels.</summary>
public class PowerObjective(double beta, double margin, double eta) : IPreferenceObjective
{
    /// <summary>The registry name.</summary>
    public const string RegistryName = "power";

    /// <inheritdoc/>
    public virtual string Name => RegistryName;

    /// <summary>β, the scale of the length-normalised margin.</summary>
    public double Beta { get; } = beta;

    /// <summary>γ_margin, subtracted from Δ.</summary>
    public double Margin { get; } = margin;

    /// <summary>η, the weight of the pessimism (robust) term.</summary>
    public double Eta { get; } = eta;

    /// <summary>Δ − γ_margin [B] and the length-normalised log-probs of the chosen and rejected sides.</summary>
    protected (Tensor Delta, Tensor Chosen, Tensor Rejected) Margins(PreferenceBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var chosen = batch.PolicyChosen / batch.ChosenLength;
        var rejected = batch.PolicyRejected / batch.RejectedLength;
        return (Beta * (chosen - rejected) - Margin, chosen, rejected);
    }

    /// <summary>The pessimism term η·mean(−(1/|y_w|)·log π_θ(y_w|x)).</summary>
    protected Tensor Robust(Tensor chosen) => Eta * (-chosen).mean();

    /// <inheritdoc/>
    public virtual PreferenceLoss Compute(PreferenceBatch batch)
    {
        var (delta, chosen, rejected) = Margins(batch);
        var loss = -nn.functional.logsigmoid(delta).mean() + Robust(chosen);
        return new PreferenceLoss(loss, PreferenceMath.Diagnostics(delta, Beta * chosen, Beta * rejected));
    }
}
