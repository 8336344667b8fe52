using static TorchSharp.torch;

namespace Rewire.Torch.Preferences;

/// <summary>
/// One mini-batch of preference pairs as an objective sees it, every tensor [B] (one entry per pair): the summed
/// log-probabilities of the chosen and rejected completions under the policy (with gradient) and under the frozen
/// reference (without), the completions' token counts, and the pairs' indices in the training set (for objectives that
/// keep a state per pair).
/// </summary>
public sealed record PreferenceBatch(Tensor PolicyChosen, Tensor PolicyRejected, Tensor ReferenceChosen, Tensor ReferenceRejected,
    Tensor ChosenLength, Tensor RejectedLength, IReadOnlyList<int> PairIds);

/// <summary>A loss (the mean over the batch's pairs) and its diagnostics under the objective's name.</summary>
public sealed record PreferenceLoss(Tensor Loss, IReadOnlyDictionary<string, double> Metrics);

/// <summary>An offline preference-optimisation objective over pairs (DPO, IPO, POWER, ...), selected by <c>dpo.objective</c>.</summary>
public interface IPreferenceObjective
{
    /// <summary>The registry name (kind objective).</summary>
    string Name { get; }

    /// <summary>The loss of <paramref name="batch"/>; an objective with per-pair state updates it after computing the loss.</summary>
    PreferenceLoss Compute(PreferenceBatch batch);
}

/// <summary>Shared helpers of the preference objectives.</summary>
internal static class PreferenceMath
{
    /// <summary>h = [log π(y_w) − log π_ref(y_w)] − [log π(y_l) − log π_ref(y_l)], the log-ratio margin of DPO and IPO.</summary>
    public static Tensor LogRatioMargin(PreferenceBatch b) => (b.PolicyChosen - b.ReferenceChosen) - (b.PolicyRejected - b.ReferenceRejected);

    /// <summary>The share of pairs whose margin is positive, the mean margin and the mean chosen/rejected implicit rewards.</summary>
    public static Dictionary<string, double> Diagnostics(Tensor margin, Tensor chosenReward, Tensor rejectedReward)
    {
        using var scope = NewDisposeScope();
        var m = margin.detach().to(ScalarType.Float64);
        return new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["accuracy"] = (m > 0).to(ScalarType.Float64).mean().item<double>(),
            ["margin"] = m.mean().item<double>(),
            ["chosen_reward"] = chosenReward.detach().to(ScalarType.Float64).mean().item<double>(),
            ["rejected_reward"] = rejectedReward.detach().to(ScalarType.Float64).mean().item<double>(),
        };
    }
}
