// The per-token KL estimators as techniques. `rl.kl_estimator=NAME` chooses one for both KL modes: `rl.kl_mode=loss`
// adds β·agg(k) to the loss (GRPO's form), `rl.kl_mode=reward` subtracts β·k from every token's reward (the InstructGPT
// form). The "+" variants take the base estimator's value with the k2 gradient (straight-through).
using Rewire.Core.Techniques;

namespace Rewire.Torch.Objectives.Kl;

/// <summary>Descriptors of the KL estimators.</summary>
public static class KlDescriptors
{
    private const string Blog = "Approximating KL Divergence (Schulman, 2020, joschu.net/blog/kl-approx.html)";

    private static TechniqueDescriptor D(string name, string summary, string paper) => new()
    {
        Kind = TechniqueKinds.KlEstimator,
        Name = name,
        Summary = summary,
        Paper = paper,
        Spec = "rlvr T00",
        Requires = [BatchColumns.OldLogProbs, BatchColumns.RefLogProbs],
        Example = ["train", "rl.kl_mode=loss", "rl.kl_coef=0.04", $"rl.kl_estimator={name}", "rl.steps=3", "sft.steps=150", "task.test_size=50", "--json"],
    };

    private static readonly (string Name, string Summary, string Paper)[] Bases =
    [
        ("kl", "k1: log π − log π_ref (unbiased, high variance)", Blog),
        ("k1", "k1: log π − log π_ref (alias of kl)", Blog),
        ("abs", "|log π − log π_ref|", Blog),
        ("mse", "k2: ½(log π − log π_ref)²", Blog),
        ("k2", "k2: ½(log π − log π_ref)² (alias of mse)", Blog),
        ("low_var_kl", "k3: π_ref/π − log(π_ref/π) − 1, GRPO's estimator (clamped to ±10 as verl does)", "DeepSeekMath (arXiv 2402.03300)"),
        ("k3", "k3 (alias of low_var_kl)", "DeepSeekMath (arXiv 2402.03300)"),
    ];

    /// <summary>The descriptors of every KL estimator and of its straight-through "+" form.</summary>
    public static IReadOnlyList<TechniqueDescriptor> All { get; } =
    [
        .. Bases.Select(b => D(b.Name, b.Summary, b.Paper)),
        .. Bases.Select(b => D(b.Name + "+", $"{b.Name}'s value with the k2 gradient (straight-through)", b.Paper)),
    ];
}
