using Rewire.Core.Rewards;

namespace Rewire.Torch.Generation;

/// <summary>
/// One generated response: its tokens (a stop token, when one ended it, is the last token), the per-token log-probs and
/// entropies (see <see cref="LogProbSource"/>), and why generation stopped.
/// </summary>
public sealed record GeneratedSequence(
    int[] PromptTokens,
    int[] Tokens,
    float[] LogProbs,
    float[] Entropies,
    FinishReason Finish)
{
    /// <summary>
    /// The log-probs the rollout engine reported for the same tokens when it is not this policy (remote rollouts: an
    /// inference server's, while <see cref="LogProbs"/> are recomputed by the trainer); null for local rollouts.
    /// </summary>
    public float[]? RolloutLogProbs { get; init; }

    /// <summary>Sum of the token log-probs.</summary>
    public double SequenceLogProb => LogProbs.Sum(x => (double)x);
}
