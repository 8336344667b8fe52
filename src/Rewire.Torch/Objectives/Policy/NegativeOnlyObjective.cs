// GRPO-N / GSPO-N relative negative gradients [T12] — "The Debate on RLVR Reasoning Capability Boundary: Shrinkage,
// Expansion, or Both? A Two-Stage Dynamic View" (arXiv 2510.04028). Aggregation RECONSTRUCTED (configurable):
//   J_N = base objective with A replaced by A·1[A < 0]: only negative-advantage tokens contribute.
// By default the base's denominators are kept (the mask is unchanged), so J_base = J_N + J_P exactly;
// RenormalizeNegatives = true also restricts the mask to negative tokens (denominators count negatives only).
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Policy;

/// <summary>GRPO-N settings.</summary>
public sealed record NegativeOnlyOptions
{
    /// <summary>Divide by the negative tokens only instead of the base's denominators.<value>The default value is false.</value></summary>
    public bool RenormalizeNegatives { get; init; }
}

/// <summary>Wraps a base objective (vanilla for GRPO-N, gspo for GSPO-N) and keeps only negative advantages.</summary>
public sealed class NegativeOnlyObjective(string name, IPolicyObjective baseObjective, NegativeOnlyOptions? options = null) : IPolicyObjective
{
    /// <summary>Registry name of GRPO-N (the vanilla objective on negative advantages only).</summary>
    public const string GrpoN = "grpo_n";
    /// <summary>Registry name of GSPO-N (GSPO on negative advantages only).</summary>
    public const string GspoN = "gspo_n";
    private readonly NegativeOnlyOptions _o = options ?? new NegativeOnlyOptions();

    /// <inheritdoc />
    public string Name { get; } = name;
    /// <summary>The objective applied to the negative-advantage tokens.</summary>
    public IPolicyObjective Base { get; } = baseObjective ?? throw new ArgumentNullException(nameof(baseObjective));

    /// <inheritdoc />
    public PolicyLossResult Compute(PolicyLossInput input)
    {
        PolicyMath.Validate(Name, input);
        using var scope = NewDisposeScope();
        var negative = (input.Advantages < 0).to_type(input.Advantages.dtype);
        var filtered = input with
        {
            Advantages = input.Advantages * negative,
            ResponseMask = _o.RenormalizeNegatives ? input.ResponseMask * negative : input.ResponseMask,
        };
        var result = Base.Compute(filtered);
        var metrics = new Dictionary<string, double>(result.Metrics, StringComparer.Ordinal)
        {
            ["negative_token_fraction"] = PolicyMath.Fraction(negative, input.ResponseMask),
        };
        return new PolicyLossResult(result.Loss.MoveToOuterDisposeScope(), metrics);
    }
}
