using Rewire.HuggingFace.Config;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rewire.Torch.Models.HuggingFace;

/// <summary>
/// Grouped-query self-attention (Ainslie et al. 2023, "GQA") of Llama/Qwen2/Qwen3: q = x·Wqᵀ (+bq), k, v likewise with
/// num_key_value_heads heads; Qwen3 normalises each query and key head with its own RMSNorm before rotation; rotary
/// positions; each key/value head serves num_heads/num_kv_heads query heads; softmax(q·kᵀ/√head_dim + bias)·v; o_proj.
/// The KV cache stores the rotated keys and values of the key/value heads (before repetition).
/// Field names are Hugging Face's, so parameter names equal the checkpoint's.
/// </summary>
internal sealed class HfAttention : nn.Module
{
    private readonly HfLinear q_proj;
    private readonly HfLinear k_proj;
    private readonly HfLinear v_proj;
    private readonly HfLinear o_proj;
    private readonly RmsNorm? q_norm;
    private readonly RmsNorm? k_norm;
    private readonly int _layer;
    private readonly int _heads;
    private readonly int _kvHeads;
    private readonly int _headDim;

    public HfAttention(HfModelConfig c, int layer) : base("self_attn")
    {
        _layer = layer;
        _heads = c.NumAttentionHeads;
        _kvHeads = c.NumKeyValueHeads;
        _headDim = c.HeadDim;
        q_proj = new HfLinear(c.HiddenSize, _heads * _headDim, hasBias: c.QkvBias);
        k_proj = new HfLinear(c.HiddenSize, _kvHeads * _headDim, hasBias: c.QkvBias);
        v_proj = new HfLinear(c.HiddenSize, _kvHeads * _headDim, hasBias: c.QkvBias);
        o_proj = new HfLinear(_heads * _headDim, c.HiddenSize, hasBias: c.OutputProjectionBias);
        if (c.QkNorm)
        {
            q_norm = new RmsNorm(_headDim, c.RmsNormEps);
            k_norm = new RmsNorm(_headDim, c.RmsNormEps);
        }
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, (Tensor Cos, Tensor Sin) rope, Tensor? bias, KvCache? cache)
    {
        long b = x.shape[0], t = x.shape[1];
        var q = q_proj.forward(x).view(b, t, _heads, _headDim);
        var k = k_proj.forward(x).view(b, t, _kvHeads, _headDim);
        var v = v_proj.forward(x).view(b, t, _kvHeads, _headDim).transpose(1, 2);
        if (q_norm is not null)
        {
            q = q_norm.forward(q);
            k = k_norm!.forward(k);
        }
        q = HfRotary.Apply(q.transpose(1, 2), rope.Cos, rope.Sin);
        k = HfRotary.Apply(k.transpose(1, 2), rope.Cos, rope.Sin);
        if (cache is not null) (k, v) = cache.Append(_layer, k, v);
        if (_kvHeads != _heads)
        {
            int groups = _heads / _kvHeads;
            k = k.repeat_interleave(groups, 1);
            v = v.repeat_interleave(groups, 1);
        }
        var y = nn.functional.scaled_dot_product_attention(q, k, v, bias, 0.0, is_casual: bias is null);
        return o_proj.forward(y.transpose(1, 2).reshape(b, t, _heads * _headDim));
    }
}
