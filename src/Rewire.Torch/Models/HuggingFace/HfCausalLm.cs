using Rewire.HuggingFace.Config;
using Rewire.HuggingFace.Lora;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rewire.Torch.Models.HuggingFace;

/// <summary>
/// A Hugging Face decoder-only causal LM of model type llama, qwen2, qwen3 or mistral, in TorchSharp:
/// h = E[x]; per layer h += Attn(RMSNorm(h)), h += SwiGLU(RMSNorm(h)); logits = RMSNorm(h)·Wᵀ, with W the embedding
/// when <c>tie_word_embeddings</c> is set. Parameter names equal the checkpoint's (<c>model.layers.0.self_attn.q_proj.weight</c>, ...),
/// so <see cref="HfCheckpointLoader"/> fills them by name. Computes in float32 (weights of any stored dtype are widened)
/// or, for inference, in bfloat16 (<see cref="ComputeDType"/>): weights, activations and the KV cache in bfloat16, with
/// RMSNorm statistics, rotary angles and the output log-softmax in float32, as Hugging Face's implementation does.
/// <para><see cref="Logits"/> covers only the first <see cref="VocabSize"/> rows of the head: the ids the tokenizer knows.
/// Published checkpoints pad their embedding beyond the tokenizer (Qwen2.5: 151,936 rows for 151,665 ids); those rows
/// are never sampled and never enter a softmax. <see cref="FullLogits"/> gives every row.</para>
/// </summary>
public sealed class HfCausalLm : nn.Module, ICausalLanguageModel
{
    private readonly HfBackbone model;
    private readonly Linear? lm_head;
    private readonly HfRotary _rotary;

    /// <summary>The architecture read from <c>config.json</c>.</summary>
    public HfModelConfig Config { get; }

    /// <summary>The ids the model may produce (the tokenizer's size, at most <c>vocab_size</c>).</summary>
    public int VocabSize { get; }

    /// <summary><c>max_position_embeddings</c>, or a smaller Mistral <c>sliding_window</c> (within it, windowed and full attention agree).</summary>
    public int ContextLength { get; }

    /// <summary>The dtype of the weights and of the computation: float32 (training and exact inference) or bfloat16
    /// (inference at half the memory). Logits are float32 either way.</summary>
    public ScalarType ComputeDType { get; }

    /// <param name="config">The architecture.</param>
    /// <param name="usableVocab">The tokenizer's size; null: every row of the head.</param>
    /// <param name="dtype">Float32 or BFloat16 (see <see cref="ComputeDType"/>); the weights are created in it, never
    /// as a float32 copy first.</param>
    public HfCausalLm(HfModelConfig config, int? usableVocab = null, ScalarType dtype = ScalarType.Float32) : base("HfCausalLm")
    {
        if (dtype is not (ScalarType.Float32 or ScalarType.BFloat16))
            throw new ArgumentException($"compute dtype {dtype} is not supported; use float32 or bfloat16");
        Config = config;
        ComputeDType = dtype;
        int usable = usableVocab ?? config.VocabSize;
        if (usable <= 0 || usable > config.VocabSize)
            throw new ArgumentException($"the tokenizer has {usable} ids but the model's vocab_size is {config.VocabSize}; the tokenizer does not belong to this model");
        VocabSize = usable;
        ContextLength = config.SlidingWindow is { } w ? Math.Min(w, config.MaxPositionEmbeddings) : config.MaxPositionEmbeddings;
        var previous = get_default_dtype();
        set_default_dtype(dtype);
        try
        {
            model = new HfBackbone(config);
            if (!config.TieWordEmbeddings) lm_head = nn.Linear(config.HiddenSize, config.VocabSize, hasBias: false);
        }
        finally
        {
            set_default_dtype(previous);
        }
        _rotary = new HfRotary(config);
        RegisterComponents();
    }

    /// <summary>Fills every weight with N(0, <paramref name="std"/>) and norm gains with one, from a generator seeded by
    /// <paramref name="seed"/> (a random model of a given shape, for benchmarks).</summary>
    public void InitialiseRandom(long seed, double std = 0.02)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var g = new Generator((ulong)seed);
        foreach (var (name, p) in named_parameters())
        {
            if (name.Contains("norm", StringComparison.Ordinal)) p.fill_(1.0);
            else if (name.EndsWith(".bias", StringComparison.Ordinal)) p.zero_();
            else p.normal_(0, std, g); // in place, in the model's dtype: no float32 copy of a large embedding
        }
    }

    /// <summary>The adapters attached by <see cref="ApplyLora"/>; null for a fully trainable model.</summary>
    public LoraOptions? Lora { get; private set; }

    /// <summary>
    /// Attaches LoRA adapters (Hu et al. 2021) to every linear layer named in <paramref name="options"/>'s target modules,
    /// in model order, A drawn from a generator seeded by <paramref name="seed"/> (so the same seed gives the same adapters),
    /// B = 0; then freezes every base weight (<c>requires_grad = false</c>). Only <see cref="AdapterParameters"/> train.
    /// </summary>
    public void ApplyLora(LoraOptions options, long seed)
    {
        options.Validate();
        if (ComputeDType != ScalarType.Float32)
            throw new InvalidOperationException($"LoRA training needs float32 weights; this model computes in {ComputeDType}");
        if (Lora is not null) throw new InvalidOperationException("this model already has LoRA adapters");
        var targets = new HashSet<string>(options.TargetModules, StringComparer.Ordinal);
        using var g = new Generator((ulong)seed);
        foreach (var (name, layer) in LinearLayers())
            if (targets.Contains(name[(name.LastIndexOf('.') + 1)..]))
                layer.AttachAdapter(options.Rank, options.Alpha, options.Dropout, g);
        foreach (var (name, p) in named_parameters())
            p.requires_grad = IsAdapterParameter(name);
        Lora = options;
    }

    /// <summary>Every linear layer (attention and MLP projections; not the head) with its module path, e.g.
    /// <c>model.layers.0.self_attn.q_proj</c>, in model order.</summary>
    public IEnumerable<(string Name, HfLinear Layer)> LinearLayers()
    {
        foreach (var (name, module) in named_modules())
            if (module is HfLinear layer) yield return (name, layer);
    }

    /// <summary>The adapter weights (<c>...q_proj.lora_A.weight</c>, <c>...q_proj.lora_B.weight</c>, ...): what the
    /// optimiser updates under LoRA. Empty without adapters.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> AdapterParameters() =>
        named_parameters().Where(p => IsAdapterParameter(p.name));

    /// <summary>True for the name of an adapter weight.</summary>
    public static bool IsAdapterParameter(string name) =>
        name.EndsWith(".lora_A.weight", StringComparison.Ordinal) || name.EndsWith(".lora_B.weight", StringComparison.Ordinal);

    /// <summary>Switches every adapter off until disposed (then restores each to what it was): the same weights compute
    /// the base model, e.g. the KL reference under LoRA, without a second copy.</summary>
    public IDisposable AdaptersDisabled()
    {
        var layers = LinearLayers().Select(l => l.Layer).Where(l => l.HasAdapter).ToArray();
        var previous = layers.Select(l => l.AdapterEnabled).ToArray();
        foreach (var l in layers) l.AdapterEnabled = false;
        return new Restore(() =>
        {
            for (int i = 0; i < layers.Length; i++) layers[i].AdapterEnabled = previous[i];
        });
    }

    /// <summary>Every tensor of the Hugging Face layout (<see cref="HfTensorLayout.Expected"/>) as float32, with each
    /// adapter merged into its base weight (W + (α/r)·B·A): the weights a merged export writes. Detached copies; the
    /// caller disposes them.</summary>
    public IEnumerable<(string Name, Tensor Value)> MergedWeights()
    {
        var layers = LinearLayers().ToDictionary(l => l.Name + ".weight", l => l.Layer, StringComparer.Ordinal);
        var parameters = named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        foreach (var name in HfTensorLayout.Expected(Config).Keys)
        {
            if (layers.TryGetValue(name, out var layer)) yield return (name, layer.MergedWeight());
            else
            {
                using var noGrad = no_grad();
                yield return (name, parameters[name].detach().clone());
            }
        }
    }

    private sealed class Restore(Action action) : IDisposable
    {
        private Action? _action = action;

        public void Dispose()
        {
            _action?.Invoke();
            _action = null;
        }
    }

    /// <inheritdoc />
    public KvCache NewCache(long batch, int capacity) =>
        new(Config.NumHiddenLayers, batch, Config.NumKeyValueHeads, capacity, Config.HeadDim, ComputeDType);

    /// <summary>Logits [B,T,<see cref="VocabSize"/>] (see <see cref="ICausalLanguageModel.Logits"/>).</summary>
    public Tensor Logits(Tensor tokens, Tensor? positions, Tensor? attentionBias, KvCache? cache) =>
        Head(tokens, positions, attentionBias, cache, VocabSize, lastOnly: false);

    /// <summary>Logits [B,<see cref="VocabSize"/>] of the last position; the head reads only that position.</summary>
    public Tensor LastLogits(Tensor tokens, Tensor? positions, Tensor? attentionBias, KvCache? cache) =>
        Head(tokens, positions, attentionBias, cache, VocabSize, lastOnly: true).squeeze(1);

    /// <summary>Logits [B,T,vocab_size] of a plain causal pass at positions 0..T-1, including padding rows.</summary>
    public Tensor FullLogits(Tensor tokens) => Head(tokens, null, null, null, Config.VocabSize, lastOnly: false);

    /// <summary>Logits [B,T,<see cref="VocabSize"/>] of a plain causal pass at positions 0..T-1.</summary>
    public Tensor Forward(Tensor tokens) => Head(tokens, null, null, null, VocabSize, lastOnly: false);

    private Tensor Head(Tensor tokens, Tensor? positions, Tensor? bias, KvCache? cache, int rows, bool lastOnly)
    {
        using var scope = NewDisposeScope();
        var x = Body(tokens, positions, bias, cache);
        if (lastOnly) x = x.narrow(1, x.shape[1] - 1, 1);
        return Project(x, rows).MoveToOuterDisposeScope();
    }

    /// <summary>The final hidden states [B,T,hidden_size] (after the last RMSNorm) that the head reads, in <see cref="ComputeDType"/>.</summary>
    public Tensor Hidden(Tensor tokens, Tensor? positions, Tensor? attentionBias, KvCache? cache)
    {
        using var scope = NewDisposeScope();
        return Body(tokens, positions, attentionBias, cache).MoveToOuterDisposeScope();
    }

    private Tensor Body(Tensor tokens, Tensor? positions, Tensor? bias, KvCache? cache)
    {
        if (cache is not null && (bias is null || positions is null))
            throw new ArgumentException("a KV-cache pass needs explicit positions and an attention bias over the cached keys");
        long t = tokens.shape[1];
        long reach = (cache?.Length ?? 0) + t;
        if (reach > ContextLength)
            throw new ArgumentException($"a sequence of {reach} tokens exceeds the model's context length {ContextLength} (max_position_embeddings); shorten the input");
        var (cos, sin) = _rotary.Tables(positions, t);
        if (ComputeDType != ScalarType.Float32)
        {
            (cos, sin) = (cos.to(ComputeDType), sin.to(ComputeDType));
            bias = bias?.to(ComputeDType);
        }
        var x = model.Forward(tokens, (cos, sin), bias, cache);
        cache?.Advance((int)t);
        return x;
    }

    /// <summary>Logits [..., <see cref="VocabSize"/>] (float32) of hidden states [..., hidden_size] (the head on a few positions at a time).</summary>
    public Tensor HeadLogits(Tensor hidden) => Project(hidden, VocabSize);

    private Tensor Project(Tensor x, int rows)
    {
        var weight = lm_head is not null ? lm_head.weight! : model.EmbeddingWeight;
        if (rows < weight.shape[0]) weight = weight.narrow(0, 0, rows);
        var logits = nn.functional.linear(x, weight);
        return ComputeDType == ScalarType.Float32 ? logits : logits.to(ScalarType.Float32);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _rotary.Dispose();
        base.Dispose(disposing);
    }
}
