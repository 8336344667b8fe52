using Rewire.HuggingFace.Config;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rewire.Torch.Models.HuggingFace;

/// <summary>The SwiGLU MLP (Shazeer 2020, "GLU Variants Improve Transformer"): down(silu(gate(x)) ⊙ up(x)).</summary>
internal sealed class HfMlp : nn.Module
{
    private readonly HfLinear gate_proj;
    private readonly HfLinear up_proj;
    private readonly HfLinear down_proj;

    public HfMlp(HfModelConfig c) : base("mlp")
    {
        gate_proj = new HfLinear(c.HiddenSize, c.IntermediateSize, hasBias: c.MlpBias);
        up_proj = new HfLinear(c.HiddenSize, c.IntermediateSize, hasBias: c.MlpBias);
        down_proj = new HfLinear(c.IntermediateSize, c.HiddenSize, hasBias: c.MlpBias);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x) => down_proj.forward(nn.functional.silu(gate_proj.forward(x)) * up_proj.forward(x));
}

/// <summary>One pre-norm decoder layer: h += Attn(RMSNorm(h)); h += Mlp(RMSNorm(h)).</summary>
internal sealed class HfDecoderLayer : nn.Module
{
    private readonly RmsNorm input_layernorm;
    private readonly HfAttention self_attn;
    private readonly RmsNorm post_attention_layernorm;
    private readonly HfMlp mlp;

    public HfDecoderLayer(HfModelConfig c, int layer) : base("layer")
    {
        input_layernorm = new RmsNorm(c.HiddenSize, c.RmsNormEps);
        self_attn = new HfAttention(c, layer);
        post_attention_layernorm = new RmsNorm(c.HiddenSize, c.RmsNormEps);
        mlp = new HfMlp(c);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, (Tensor Cos, Tensor Sin) rope, Tensor? bias, KvCache? cache)
    {
        x = x + self_attn.Forward(input_layernorm.forward(x), rope, bias, cache);
        return x + mlp.Forward(post_attention_layernorm.forward(x));
    }
}

/// <summary>The body of the model (Hugging Face's <c>model.</c> prefix): embedding, decoder layers, final norm.</summary>
internal sealed class HfBackbone : nn.Module
{
    private readonly Embedding embed_tokens;
    private readonly ModuleList<HfDecoderLayer> layers;
    private readonly RmsNorm norm;

    public HfBackbone(HfModelConfig c) : base("model")
    {
        embed_tokens = nn.Embedding(c.VocabSize, c.HiddenSize);
        layers = new ModuleList<HfDecoderLayer>([.. Enumerable.Range(0, c.NumHiddenLayers).Select(i => new HfDecoderLayer(c, i))]);
        norm = new RmsNorm(c.HiddenSize, c.RmsNormEps);
        RegisterComponents();
    }

    public Tensor EmbeddingWeight => embed_tokens.weight!;

    public Tensor Forward(Tensor tokens, (Tensor Cos, Tensor Sin) rope, Tensor? bias, KvCache? cache)
    {
        var x = embed_tokens.forward(tokens);
        for (int l = 0; l < layers.Count; l++) x = layers[l].Forward(x, rope, bias, cache);
        return norm.forward(x);
    }
}
