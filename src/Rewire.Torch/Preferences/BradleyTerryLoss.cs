// The Bradley–Terry reward-model loss ("Rank Analysis of Incomplete Block Designs", Bradley and Terry 1952; as reward
// models are trained in "Training language models to follow instructions with human feedback", Ouyang et al. 2022):
//     L = −log σ(r(x, y_w) − r(x, y_l) − m),
// with an optional margin m (Llama 2's margin loss; 0 is the plain Bradley–Terry likelihood).
using static TorchSharp.torch;

namespace Rewire.Torch.Preferences;

/// <summary>The Bradley–Terry loss of a scalar reward model over pairs (see the file header).</summary>
public static class BradleyTerryLoss
{
    /// <summary>The mean loss over pairs of rewards <paramref name="chosen"/> and <paramref name="rejected"/> [B].</summary>
    public static Tensor Compute(Tensor chosen, Tensor rejected, double margin)
    {
        ArgumentNullException.ThrowIfNull(chosen);
        ArgumentNullException.ThrowIfNull(rejected);
        return -nn.functional.logsigmoid(chosen - rejected - margin).mean();
    }
}
