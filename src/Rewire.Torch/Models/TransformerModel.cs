using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rewire.Torch.Models;

/// <summary>
/// The decoder-only transformer network (GPT-2 / LLaMA family, pre-norm):
/// h_0 = E[x] (+ P[pos] with learned positions); h_{l+1} = h_l + Attn(Norm(h_l)); h_{l+1} += Mlp(Norm(h_{l+1}));
/// logits = Norm(h_L) · Wᵀ (W = E with tied embeddings). Causal scaled-dot-product attention, optional rotary positions.
/// Initialisation follows GPT-2: every weight ~ N(0, 0.02), residual output projections ~ N(0, 0.02/√(2·layers)),
/// biases zero, norm gains one; drawn from a generator seeded by <see cref="TransformerConfig.Seed"/>.
/// </summary>
public sealed class TransformerModel : nn.Module, ICausalLanguageModel
{
    private readonly Embedding wte;
    private readonly Embedding? wpe;
    private readonly ModuleList<TransformerBlock> blocks;
    private readonly nn.Module<Tensor, Tensor> norm_f;
    private readonly Linear? lm_head;
    private readonly RotaryTables? _rope;

    /// <summary>The validated shape and options of the network.</summary>
    public TransformerConfig Config { get; }

    /// <inheritdoc />
    public int VocabSize => Config.VocabSize;

    /// <inheritdoc />
    public int ContextLength => Config.ContextLength;

    /// <summary>Logits [B,V] of the last position; the head reads only that position.</summary>
    public Tensor LastLogits(Tensor tokens, Tensor? positions, Tensor? attentionBias, KvCache? cache)
    {
        using var scope = NewDisposeScope();
        var x = Hidden(tokens, positions, attentionBias, cache);
        return HeadLogits(x.select(1, -1)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public KvCache NewCache(long batch, int capacity) => new(Config.Layers, batch, Config.Heads, capacity, Config.HeadDim);

    /// <summary>Use LibTorch's fused scaled_dot_product_attention (true) or the explicit softmax(q·kᵀ/√d + mask)·v.</summary>
    internal static bool FusedAttention { get; set; } = true;

    /// <summary>Builds the network and initialises it GPT-2 style from <c>config.Seed</c>.</summary>
    public TransformerModel(TransformerConfig config) : base("Transformer")
    {
        Config = config.Validate();
        wte = nn.Embedding(config.VocabSize, config.Width);
        if (config.Positions == PositionEncoding.Learned) wpe = nn.Embedding(config.ContextLength, config.Width);
        else _rope = new RotaryTables(config.ContextLength, config.HeadDim, config.RopeTheta);
        blocks = new ModuleList<TransformerBlock>([.. Enumerable.Range(0, config.Layers).Select(i => new TransformerBlock(config, i))]);
        norm_f = MakeNorm(config);
        if (!config.TiedEmbeddings) lm_head = nn.Linear(config.Width, config.VocabSize, hasBias: false);
        RegisterComponents();
        Initialise();
    }

    internal static nn.Module<Tensor, Tensor> MakeNorm(TransformerConfig c) =>
        c.Norm == NormKind.RmsNorm ? new RmsNorm(c.Width, c.NormEpsilon) : nn.LayerNorm(c.Width, c.NormEpsilon);

    private void Initialise()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var g = new Generator((ulong)Config.Seed);
        double residualStd = Config.InitStd / Math.Sqrt(2.0 * Config.Layers);
        foreach (var (name, p) in named_parameters())
        {
            if (name.EndsWith(".bias", StringComparison.Ordinal) && !name.Contains("norm", StringComparison.Ordinal)) p.zero_();
            else if (name.Contains("norm", StringComparison.Ordinal)) { if (name.EndsWith("weight", StringComparison.Ordinal)) p.fill_(1.0); else p.zero_(); }
            else p.copy_(randn(p.shape, generator: g) * (TransformerBlock.IsResidualProjection(name) ? residualStd : Config.InitStd));
        }
    }

    /// <summary>Logits [B,T,V] of a plain causal pass over <paramref name="tokens"/> [B,T] (positions 0..T-1), for supervised training.</summary>
    public Tensor Forward(Tensor tokens)
    {
        long t = tokens.shape[1];
        CheckLength(t);
        return Logits(tokens, null, null, null);
    }

    /// <summary>
    /// Logits [B,T,V] for <paramref name="tokens"/> [B,T] at per-row <paramref name="positions"/> [B,T]
    /// (null: positions 0..T-1 in every row, which lets rotary tables be sliced instead of gathered).
    /// <paramref name="attentionBias"/> is an additive mask [B,1,T,Tk] (0 = attend, -inf = blocked) over the keys seen so far
    /// (cache plus these tokens); null means plain causal attention without a cache.
    /// With a <paramref name="cache"/>, keys and values are appended to it and attention covers every cached position.
    /// </summary>
    public Tensor Logits(Tensor tokens, Tensor? positions, Tensor? attentionBias, KvCache? cache)
    {
        using var scope = NewDisposeScope();
        var x = Hidden(tokens, positions, attentionBias, cache);
        return HeadLogits(x).MoveToOuterDisposeScope();
    }

    /// <summary>The output head: logits [..., V] of hidden states [..., width].</summary>
    public Tensor HeadLogits(Tensor hidden) => lm_head is not null ? lm_head.forward(hidden) : nn.functional.linear(hidden, wte.weight!);

    /// <summary>The final hidden states [B,T,width] (after the last norm) that the output head reads; a value head reads them too.</summary>
    public Tensor Hidden(Tensor tokens, Tensor? positions, Tensor? attentionBias, KvCache? cache)
    {
        if (cache is not null && attentionBias is null)
            throw new ArgumentException("a KV-cache pass needs an explicit attention bias over the cached keys", nameof(attentionBias));
        using var scope = NewDisposeScope();
        if (positions is null && cache is not null) throw new ArgumentException("a KV-cache pass needs explicit positions", nameof(positions));
        long t = tokens.shape[1];
        var x = wte.forward(tokens);
        if (wpe is not null) x = x + (positions is null ? wpe.weight!.narrow(0, 0, t).unsqueeze(0) : wpe.forward(positions));
        (Tensor cos, Tensor sin)? rope = _rope is null ? null : positions is null ? _rope.First(t) : _rope.At(positions);
        for (int l = 0; l < blocks.Count; l++) x = blocks[l].Forward(x, rope, attentionBias, cache);
        cache?.Advance((int)tokens.shape[1]);
        return norm_f.forward(x).MoveToOuterDisposeScope();
    }

    internal void CheckLength(long t)
    {
        if (t > Config.ContextLength)
            throw new ArgumentException($"sequence of {t} tokens exceeds the model's context length {Config.ContextLength}; shorten the input or use a model with a longer context_length");
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _rope?.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>Cosine and sine tables of rotary embeddings, [context, head_dim/2]; derived from the config, so not saved.</summary>
internal sealed class RotaryTables : IDisposable
{
    private readonly Tensor _cos;
    private readonly Tensor _sin;

    public RotaryTables(int context, int headDim, double theta)
    {
        using var scope = NewDisposeScope();
        var inv = pow(theta, -arange(0, headDim, 2, dtype: ScalarType.Float64) / headDim);
        var angles = outer(arange(context, dtype: ScalarType.Float64), inv);
        _cos = angles.cos().to(ScalarType.Float32).MoveToOuterDisposeScope().DetachFromDisposeScope();
        _sin = angles.sin().to(ScalarType.Float32).MoveToOuterDisposeScope().DetachFromDisposeScope();
    }

    /// <summary>Tables for per-row positions [B,T], shaped [B,1,T,head_dim/2] to broadcast over heads.</summary>
    public (Tensor Cos, Tensor Sin) At(Tensor positions)
    {
        var flat = positions.reshape(-1);
        long b = positions.shape[0], t = positions.shape[1];
        return (_cos.index_select(0, flat).view(b, 1, t, -1), _sin.index_select(0, flat).view(b, 1, t, -1));
    }

    /// <summary>Tables for positions 0..T-1 in every row, [1,1,T,head_dim/2].</summary>
    public (Tensor Cos, Tensor Sin) First(long t) => (_cos.narrow(0, 0, t).view(1, 1, t, -1), _sin.narrow(0, 0, t).view(1, 1, t, -1));

    /// <summary>Rotate-half RoPE: (x1, x2) -> (x1·cos - x2·sin, x2·cos + x1·sin) on the two halves of the head dimension.</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        var halves = x.chunk(2, -1);
        var (x1, x2) = (halves[0], halves[1]);
        return cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], -1);
    }

    public void Dispose()
    {
        _cos.Dispose();
        _sin.Dispose();
    }
}

/// <summary>One pre-norm block: attention and MLP, each with a residual connection.</summary>
internal sealed class TransformerBlock : nn.Module
{
    private readonly nn.Module<Tensor, Tensor> norm_attn;
    private readonly Linear qkv;
    private readonly Linear attn_out;
    private readonly nn.Module<Tensor, Tensor> norm_mlp;
    private readonly Linear mlp_in;
    private readonly Linear? mlp_gate;
    private readonly Linear mlp_out;
    private readonly int _layer;
    private readonly int _heads;
    private readonly int _headDim;
    private readonly MlpKind _mlp;

    public TransformerBlock(TransformerConfig c, int layer) : base("Block")
    {
        _layer = layer;
        _heads = c.Heads;
        _headDim = c.HeadDim;
        _mlp = c.Mlp;
        norm_attn = TransformerModel.MakeNorm(c);
        qkv = nn.Linear(c.Width, 3 * c.Width, hasBias: c.Bias);
        attn_out = nn.Linear(c.Width, c.Width, hasBias: c.Bias);
        norm_mlp = TransformerModel.MakeNorm(c);
        mlp_in = nn.Linear(c.Width, c.MlpHiddenSize, hasBias: c.Bias);
        if (c.Mlp == MlpKind.SwiGlu) mlp_gate = nn.Linear(c.Width, c.MlpHiddenSize, hasBias: c.Bias);
        mlp_out = nn.Linear(c.MlpHiddenSize, c.Width, hasBias: c.Bias);
        RegisterComponents();
    }

    /// <summary>softmax(q·kᵀ/√d + bias)·v with an explicit causal mask when no bias is given.</summary>
    private static Tensor ExplicitAttention(Tensor q, Tensor k, Tensor v, Tensor? bias)
    {
        var scores = q.matmul(k.transpose(-2, -1)) * (1.0 / Math.Sqrt(q.shape[^1]));
        if (bias is not null) scores = scores + bias;
        else
        {
            long t = q.shape[2];
            using var causal = ones(t, t, dtype: ScalarType.Bool).triu(1);
            scores = scores.masked_fill(causal, double.NegativeInfinity);
        }
        return scores.softmax(-1).matmul(v);
    }

    /// <summary>The projections that write into the residual stream get the scaled GPT-2 initialisation.</summary>
    public static bool IsResidualProjection(string parameterName) =>
        parameterName.EndsWith("attn_out.weight", StringComparison.Ordinal) || parameterName.EndsWith("mlp_out.weight", StringComparison.Ordinal);

    public Tensor Forward(Tensor x, (Tensor Cos, Tensor Sin)? rope, Tensor? bias, KvCache? cache)
    {
        long b = x.shape[0], t = x.shape[1];
        var h = norm_attn.forward(x);
        var parts = qkv.forward(h).view(b, t, 3, _heads, _headDim).permute(2, 0, 3, 1, 4);
        Tensor q = parts[0], k = parts[1], v = parts[2];
        if (rope is { } r)
        {
            q = RotaryTables.Apply(q, r.Cos, r.Sin);
            k = RotaryTables.Apply(k, r.Cos, r.Sin);
        }
        if (cache is not null) (k, v) = cache.Append(_layer, k, v);
        var y = TransformerModel.FusedAttention
            ? nn.functional.scaled_dot_product_attention(q, k, v, bias, 0.0, is_casual: bias is null)
            : ExplicitAttention(q, k, v, bias);
        x = x + attn_out.forward(y.transpose(1, 2).reshape(b, t, _heads * _headDim));
        h = norm_mlp.forward(x);
        var m = _mlp == MlpKind.SwiGlu
            ? nn.functional.silu(mlp_gate!.forward(h)) * mlp_in.forward(h)
            : nn.functional.gelu(mlp_in.forward(h));
        return x + mlp_out.forward(m);
    }
}
