// The loss aggregation modes as techniques: each is chosen by an objective's `objective.loss_agg_mode` (every clipped
// objective has its paper's mode as default). Dr. GRPO's constant divisor is the objective's `loss_scale_factor`.
using Rewire.Core.Techniques;

namespace Rewire.Torch.Objectives.Aggregation;

/// <summary>Descriptors of the four aggregation modes.</summary>
public static class AggregationDescriptors
{
    private static TechniqueDescriptor D(string name, string summary, string paper, string objective) => new()
    {
        Kind = TechniqueKinds.LossAggregation,
        Name = name,
        Summary = summary,
        Paper = paper,
        Spec = "rlvr T00",
        Requires = [BatchColumns.ResponseMask],
        Example = ["train", $"rl.objective={objective}", $"objective.loss_agg_mode={name}", "rl.steps=3", "sft.steps=150", "task.test_size=50", "--json"],
    };

    /// <summary>
    /// The descriptors of the four aggregation modes (token-mean, seq-mean-token-mean, seq-mean-token-sum,
    /// seq-mean-token-sum-norm).
    /// </summary>
    public static IReadOnlyList<TechniqueDescriptor> All { get; } =
    [
        D(TokenMean.RegistryName, "sum of all valid tokens' losses over the batch's valid-token count", "DAPO (arXiv 2503.14476)", "grpo"),
        D(SeqMeanTokenMean.RegistryName, "mean over responses of each response's token mean", "DeepSeekMath (arXiv 2402.03300)", "dapo"),
        D(SeqMeanTokenSum.RegistryName, "mean over responses of each response's token sum", "DCPO (arXiv 2509.02333)", "grpo"),
        D(SeqMeanTokenSumNorm.RegistryName, "token sums divided by a constant L (the generation budget unless objective.loss_scale_factor is set)",
            "Dr. GRPO (arXiv 2503.20783)", "grpo"),
    ];
}
