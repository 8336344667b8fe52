// Truncated importance sampling ("Your Efficient RL Framework Secretly Brings You Off-Policy RL Training", Yao et al.
// 2025), as verl (rollout_is, token level, truncate) and TRL (vllm_importance_sampling_cap) apply it: the rollouts were
// sampled by an inference engine whose probabilities differ from the trainer's for the same weights (kernels, precision,
// a stale weight version), so each token's policy-gradient term is weighted by
//
//   w_t = min( π_old^trainer(y_t) / π^rollout(y_t), C )        (no gradient; C = rollout.tis_cap, 2 by default)
//
// which corrects the expectation towards the trainer's π_old while the cap bounds the variance.
using TokenMatrix = Rewire.Core.Stats.TokenMatrix;

namespace Rewire.Torch.Training;

/// <summary>Per-token truncated importance weights and what they did, over the valid tokens of a batch (plain C#).</summary>
public static class TruncatedImportanceSampling
{
    /// <param name="Weights">w_t per token [B, L] (1 on padding).</param>
    /// <param name="Mean">Masked mean of w_t (rollout/tis_mean).</param>
    /// <param name="ClippedFraction">Share of valid tokens whose ratio exceeded C (rollout/tis_clipped_fraction).</param>
    /// <param name="LogProbDiff">Masked mean of |log π_old^trainer − log π^rollout| (rollout/logprob_diff).</param>
    public sealed record Result(TokenMatrix Weights, double Mean, double ClippedFraction, double LogProbDiff);

    /// <summary>The weights of tokens where <paramref name="mask"/> &gt; 0.</summary>
    public static Result Compute(TokenMatrix trainer, TokenMatrix rollout, TokenMatrix mask, double cap)
    {
        if (!(cap >= 1) || !double.IsFinite(cap)) throw new ArgumentException($"rollout.tis_cap = {cap}; it must be a finite number of at least 1");
        if (trainer.Rows != rollout.Rows || trainer.Cols != rollout.Cols || trainer.Rows != mask.Rows || trainer.Cols != mask.Cols)
            throw new ArgumentException("truncated importance sampling: the trainer's, the rollout's log-probs and the mask must have the same shape");
        var weights = new TokenMatrix(trainer.Rows, trainer.Cols);
        double sum = 0, diff = 0;
        int count = 0, clipped = 0;
        for (int k = 0; k < weights.Data.Length; k++)
        {
            if (mask.Data[k] <= 0) { weights.Data[k] = 1; continue; }
            double logRatio = trainer.Data[k] - rollout.Data[k];
            // exp of a large log-ratio overflows; anything at or above log C is capped anyway.
            double w = logRatio >= Math.Log(cap) ? cap : Math.Exp(logRatio);
            if (logRatio > Math.Log(cap)) clipped++;
            weights.Data[k] = w;
            sum += w;
            diff += Math.Abs(logRatio);
            count++;
        }
        return count == 0 ? new Result(weights, 1, 0, 0) : new Result(weights, sum / count, clipped / (double)count, diff / count);
    }
}
