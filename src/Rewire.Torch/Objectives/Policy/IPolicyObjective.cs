// The policy-objective contract (docs/ARCHITECTURE "IPolicyObjective.Loss(batch)"; rlvr.md T00 "Standard metrics"):
// per-token log-probs [B, L] in, a scalar loss plus diagnostics out. One file per technique, selected by name via
// PolicyObjectives.
using Rewire.Torch.Objectives.Aggregation;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Policy;

/// <summary>What a policy objective consumes. Every per-token tensor is [B, L] and shares the mask's shape.</summary>
/// <param name="LogProb">log π_θ of the sampled tokens (requires grad in training).</param>
/// <param name="OldLogProb">log π_old of the same tokens (behaviour policy; no gradient).</param>
/// <param name="Advantages">Advantages, one value per row broadcast or per token.</param>
/// <param name="ResponseMask">1 for valid response tokens, 0 for padding / observation tokens.</param>
public sealed record PolicyLossInput(Tensor LogProb, Tensor OldLogProb, Tensor Advantages, Tensor ResponseMask)
{
    /// <summary>log π_ref (only for objectives that use it; the KL term is KlPenaltyLoss).</summary>
    public Tensor? RefLogProb { get; init; }

    /// <summary>Token entropy under π_old [B, L] (DHPO's entropy-guided mixing).</summary>
    public Tensor? Entropy { get; init; }

    /// <summary>Rollout-correction importance weights [B, L], multiplied into the per-token loss.</summary>
    public Tensor? RolloutIsWeights { get; init; }

    /// <summary>Group pass rate of each response's prompt [B] (ETR's macro factor).</summary>
    public Tensor? PassRate { get; init; }

    /// <summary>Global-batch facts for aggregation.</summary>
    public AggregationContext Aggregation { get; init; } = AggregationContext.Default;
}

/// <summary>A scalar loss and its diagnostics (names in <see cref="PolicyMetricNames"/>).</summary>
public sealed record PolicyLossResult(Tensor Loss, IReadOnlyDictionary<string, double> Metrics);

/// <summary>Turns log-probs and advantages into a differentiable scalar loss.</summary>
public interface IPolicyObjective
{
    /// <summary>The registry name.</summary>
    string Name { get; }

    /// <summary>The loss (scalar, differentiable in <see cref="PolicyLossInput.LogProb"/>) and its diagnostics.</summary>
    PolicyLossResult Compute(PolicyLossInput input);
}

/// <summary>The fixed metric vocabulary every objective reports (all masked means over valid tokens).</summary>
public static class PolicyMetricNames
{
    /// <summary>Fraction of tokens where the objective's clipped branch is active (verl's actor/pg_clipfrac).</summary>
    public const string ClipFraction = "pg_clipfrac";
    /// <summary>verl's actor/pg_clipfrac_lower: for PPO-style objectives the dual-clip (A &lt; 0, ratio > c) fraction.</summary>
    public const string ClipFractionLowerVerl = "pg_clipfrac_lower";
    /// <summary>Tokens with A &lt; 0 whose ratio is below its lower bound (T14's lower side).</summary>
    public const string ClipFractionLow = "clipfrac_low";
    /// <summary>Tokens with A &gt; 0 whose ratio is above its upper bound (T14's upper side).</summary>
    public const string ClipFractionHigh = "clipfrac_high";
    /// <summary>Approximate KL(π_old ‖ π_θ) = masked mean of log π_old − log π_θ (verl's actor/ppo_kl).</summary>
    public const string ApproxKl = "ppo_kl";
    /// <summary>Masked mean of the importance ratio π_θ/π_old.</summary>
    public const string RatioMean = "ratio_mean";
    /// <summary>Minimum importance ratio over valid tokens.</summary>
    public const string RatioMin = "ratio_min";
    /// <summary>Maximum importance ratio over valid tokens.</summary>
    public const string RatioMax = "ratio_max";
}
