// A critic network: the policy's transformer trunk (its own copy of the weights) with a scalar value head,
// V(q, o_<t) at every response position, read from the same hidden states, padding and positions as the policy's
// log-probs (Scorer), so V_t and log π(o_t) describe the same state. As in PPO for language models (verl's critic),
// the trunk starts from the policy's weights and the head from zero.
using Rewire.Torch.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Models;

/// <summary>The policy's trunk plus a linear value head.</summary>
public sealed class ValueModel : nn.Module
{
    private readonly TransformerModel trunk;
    private readonly nn.Module<Tensor, Tensor> value_head;

    /// <summary>A critic whose trunk is a copy of <paramref name="policy"/>'s weights and whose head outputs 0.</summary>
    public ValueModel(TransformerPolicy policy) : base("ValueModel")
    {
        trunk = new TransformerModel(policy.Config);
        TransformerPolicy.CopyWeights(policy.Model, trunk);
        var head = nn.Linear(policy.Config.Width, 1);
        using (no_grad())
        {
            head.weight!.zero_();
            head.bias!.zero_();
        }
        value_head = head;
        RegisterComponents();
    }

    /// <summary>The shape of the trunk (the policy's).</summary>
    public TransformerConfig Config => trunk.Config;

    /// <summary>
    /// Values [B, L] (L = the longest response) at the positions that predict each response token; padded positions are
    /// 0. With <paramref name="withGradient"/> false no graph is kept.
    /// </summary>
    public Tensor Values(IReadOnlyList<IReadOnlyList<int>> prompts, IReadOnlyList<IReadOnlyList<int>> responses, int padId, bool withGradient)
    {
        using var grad = withGradient ? null : no_grad();
        using var scope = NewDisposeScope();
        int b = prompts.Count;
        int l = Math.Max(1, responses.Max(r => r.Count));
        using var batch = new PaddedBatch(prompts, l - 1, padId, responses.Select(r => (IReadOnlyList<int>)r.Take(l - 1).ToArray()).ToArray());
        int p = batch.PromptWidth;
        var hidden = trunk.Hidden(batch.Tokens, batch.CausalPositions, batch.CausalBias, null).narrow(1, p - 1, l);
        var mask = new float[b * l];
        for (int i = 0; i < b; i++)
            for (int j = 0; j < responses[i].Count; j++) mask[i * l + j] = 1;
        var values = value_head.forward(hidden).squeeze(-1) * tensor(mask, [b, l], device: hidden.device);
        return values.MoveToOuterDisposeScope();
    }
}
