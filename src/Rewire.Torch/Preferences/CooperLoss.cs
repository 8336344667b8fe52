// Cooper's reward-model loss over the step's pairs (the recipe's dp_reward update): the Bradley–Terry loss averaged
// over the valid pairs only, L = Σ_i m_i·(−log σ(s_pos,i − s_neg,i)) / (Σ_i m_i + 1e-6), where m_i is 0 for a prompt
// that gave no pair.
using static TorchSharp.torch;

namespace Rewire.Torch.Preferences;

/// <summary>Cooper's masked Bradley–Terry loss (see the file header).</summary>
internal static class CooperLoss
{
    /// <summary>The loss of positive scores <paramref name="positive"/> over negative scores <paramref name="negative"/> [B] with validity <paramref name="valid"/> [B].</summary>
    public static Tensor Compute(Tensor positive, Tensor negative, Tensor valid) =>
        (valid * -nn.functional.logsigmoid(positive - negative)).sum() / (valid.sum() + 1e-6);
}
