// The loss of one Direct Nash Optimization iteration ("Direct Nash Optimization: Teaching Language Models to Self-Improve
// with General Preferences", Rosset et al. 2024). Algorithm 1 fits the soft policy iteration π_{t+1} ∝ π_t·exp(r_t/η) by a
// regression of the log-ratio margin against the PREVIOUS iterate π_t onto the win-rate preference, a binary
// cross-entropy with soft targets:
//     h = [log π_θ(y_1|x) − log π_t(y_1|x)] − [log π_θ(y_2|x) − log π_t(y_2|x)]
//     L = −[q·log σ(β·h) + (1 − q)·log σ(−β·h)],   q = σ(r_t(y_1) − r_t(y_2)),
// r_t(y) the expected win rate of y against π_t and β = 1/η. The practical algorithm (DNO-Prct) trains on (best, worst)
// pairs with hard targets q = 1, which is the DPO loss with π_t as the reference; that is the default here, and
// soft targets q = σ(w_1 − w_2) from the annotated win rates are the option. The iteration loop (sampling, annotation, the
// reference refresh) is DnoTrainer.
using static TorchSharp.torch;

namespace Rewire.Torch.Preferences;

/// <summary>The DNO regression loss of one iteration (see the file header); <see cref="SetTargets"/> gives each pair's q.</summary>
public sealed class DnoObjective(double beta) : IPreferenceObjective
{
    /// <summary>The registry name.</summary>
    public const string RegistryName = "dno";

    private double[] _targets = [];

    /// <inheritdoc/>
    public string Name => RegistryName;

    /// <summary>β = 1/η, the scale of the log-ratio margin against the previous iterate.</summary>
    public double Beta { get; } = beta;

    /// <summary>Sets the target q ∈ [0, 1] of each pair of the iteration (indexed by <see cref="PreferenceBatch.PairIds"/>).</summary>
    public void SetTargets(IReadOnlyList<double> targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.Any(q => !(q >= 0 && q <= 1))) throw new ArgumentException("every DNO target must lie in [0, 1]", nameof(targets));
        _targets = [.. targets];
    }

    /// <inheritdoc/>
    public PreferenceLoss Compute(PreferenceBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var h = PreferenceMath.LogRatioMargin(batch);
        var z = Beta * h;
        var q = tensor(batch.PairIds.Select(i => i < _targets.Length ? _targets[i] : 1.0).ToArray(), dtype: z.dtype, device: z.device);
        var loss = -(q * nn.functional.logsigmoid(z) + (1 - q) * nn.functional.logsigmoid(-z)).mean();
        var metrics = PreferenceMath.Diagnostics(h, Beta * (batch.PolicyChosen - batch.ReferenceChosen), Beta * (batch.PolicyRejected - batch.ReferenceRejected));
        metrics["target_mean"] = q.mean().item<double>();
        return new PreferenceLoss(loss, metrics);
    }
}
