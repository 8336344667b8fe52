// GSPO, sequence-level form [T04] — "Group Sequence Policy Optimization" (Zheng et al., Qwen):
//   s_i = exp(min(Σ_t m·(log π_θ − log π_old) / max(|o_i|,1), 10)),  Â_i = Σ_t m·A / max(|o_i|,1),
//   ℓ_i = max(−Â_i·s_i, −Â_i·clip(s_i, 1−ε_low, 1+ε_high)),  broadcast to the valid tokens of row i (×w), L = agg(ℓ).
// The gradient flows through s_i (equal token weights 1/|o_i|). Default aggregation seq-mean-token-mean = (1/G)Σ_i ℓ_i.
// Paper bounds ε = 3e-4 / 4e-4 must be set explicitly (the shared default 0.2 is GRPO's).
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Policy;

/// <summary>GSPO with one clip decision per sequence.</summary>
public sealed class GspoObjective : IPolicyObjective
{
    /// <summary>The objective's name in the registry (<c>rl.objective</c>).</summary>
    public const string RegistryName = "gspo";
    private readonly GspoCommon _common;

    /// <summary>GSPO with the given sequence-level clip bounds and aggregation (defaults when null).</summary>
    public GspoObjective(PolicyObjectiveOptions? options = null) => _common = new GspoCommon(RegistryName, options);

    /// <inheritdoc />
    public string Name => RegistryName;

    /// <inheritdoc />
    public PolicyLossResult Compute(PolicyLossInput input)
    {
        PolicyMath.Validate(Name, input);
        using var scope = NewDisposeScope();
        var mask = input.ResponseMask;
        var lengths = mask.sum(-1).clamp_min(1.0);
        var logS = PolicyMath.SequenceLogRatio(input.LogProb, input.OldLogProb, mask).clamp_max(PolicyMath.SequenceLogRatioMax);
        var s = logS.exp().unsqueeze(-1);                       // [B,1]
        var seqAdv = ((input.Advantages * mask).sum(-1) / lengths).unsqueeze(-1);
        var sur = PolicyMath.ClippedSurrogate(s, seqAdv, _common.Low, _common.High, null);
        var lossMat = sur.Loss.expand_as(mask);
        var loss = _common.Aggregator.Aggregate(PolicyMath.Weighted(lossMat, input), mask, input.Aggregation);

        var metrics = GspoCommon.Metrics(input, sur);
        using (no_grad())
        {
            var rows = mask.sum(-1) > 0;
            metrics["seq_ratio_mean"] = rows.any().item<bool>() ? s.squeeze(-1).detach().masked_select(rows).mean().ToDoubleValue() : 0.0;
        }
        return new PolicyLossResult(loss.MoveToOuterDisposeScope(), metrics);
    }
}
