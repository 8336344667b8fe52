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
    /// <summary>Sum of the token log-probs.</summary>
    public double SequenceLogProb => LogProbs.Sum(x => (double)x);
}
