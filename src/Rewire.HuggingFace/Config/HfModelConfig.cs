using Rewire.HuggingFace.Safetensors;

namespace Rewire.HuggingFace.Config;

/// <summary>The architecture settings of a Hugging Face causal language model (<c>config.json</c>) for the model types
/// Rewire supports: <c>llama</c>, <c>qwen2</c>, <c>qwen3</c> and <c>mistral</c> (all decoder-only transformers with
/// RMSNorm, rotary embeddings, grouped-query attention and a SwiGLU MLP). Defaults are those of each type's reference
/// configuration class where a field is absent.</summary>
public sealed record HfModelConfig
{
    /// <summary>The model types Rewire reads.</summary>
    public static readonly IReadOnlyList<string> SupportedModelTypes = ["llama", "mistral", "qwen2", "qwen3"];

    /// <summary>The file name in a model folder.</summary>
    public const string FileName = "config.json";

    /// <summary><c>model_type</c>.</summary>
    public required string ModelType { get; init; }
    /// <summary><c>vocab_size</c>: rows of the embedding (may exceed the tokenizer's vocabulary: padding rows).</summary>
    public required int VocabSize { get; init; }
    /// <summary><c>hidden_size</c>.</summary>
    public required int HiddenSize { get; init; }
    /// <summary><c>intermediate_size</c> of the SwiGLU MLP.</summary>
    public required int IntermediateSize { get; init; }
    /// <summary><c>num_hidden_layers</c>.</summary>
    public required int NumHiddenLayers { get; init; }
    /// <summary><c>num_attention_heads</c>.</summary>
    public required int NumAttentionHeads { get; init; }
    /// <summary><c>num_key_value_heads</c> (grouped-query attention; defaults to the attention heads).</summary>
    public required int NumKeyValueHeads { get; init; }
    /// <summary><c>head_dim</c>, in any model type; hidden_size / num_attention_heads when absent or null.</summary>
    public required int HeadDim { get; init; }
    /// <summary><c>max_position_embeddings</c>.</summary>
    public required int MaxPositionEmbeddings { get; init; }
    /// <summary><c>rms_norm_eps</c>.</summary>
    public required double RmsNormEps { get; init; }
    /// <summary>Rotary embedding settings from <c>rope_theta</c>/<c>rope_scaling</c> or <c>rope_parameters</c>.</summary>
    public required RopeSettings Rope { get; init; }
    /// <summary><c>tie_word_embeddings</c>: lm_head shares the embedding matrix.</summary>
    public required bool TieWordEmbeddings { get; init; }
    /// <summary>Biases on the q, k and v projections: always for qwen2, <c>attention_bias</c> otherwise (also on o_proj then).</summary>
    public required bool QkvBias { get; init; }
    /// <summary>Bias on the attention output projection (<c>attention_bias</c> for llama and qwen3; never for qwen2).</summary>
    public required bool OutputProjectionBias { get; init; }
    /// <summary><c>mlp_bias</c> (llama).</summary>
    public required bool MlpBias { get; init; }
    /// <summary>Per-head RMSNorm on queries and keys before rotation (qwen3).</summary>
    public required bool QkNorm { get; init; }
    /// <summary><c>hidden_act</c>; only <c>silu</c> is accepted.</summary>
    public required string HiddenAct { get; init; }
    /// <summary>The dtype the weights were saved in (<c>dtype</c>, or the older <c>torch_dtype</c>); null when unstated or not F32/F16/BF16.</summary>
    public SafetensorsDType? DType { get; init; }
    /// <summary>The stated dtype text, as written.</summary>
    public string? DTypeName { get; init; }
    /// <summary>The sliding attention window in effect, or null when attention is full. Qwen2/Qwen3 state a
    /// <c>sliding_window</c> that only applies with <c>use_sliding_window: true</c> (refused: not implemented); Mistral's applies when set.</summary>
    public int? SlidingWindow { get; init; }
    /// <summary><c>bos_token_id</c>.</summary>
    public int? BosTokenId { get; init; }
    /// <summary><c>eos_token_id</c>, an integer or a list.</summary>
    public IReadOnlyList<int> EosTokenIds { get; init; } = [];
    /// <summary><c>pad_token_id</c>.</summary>
    public int? PadTokenId { get; init; }

    /// <summary>Reads <c>config.json</c> from a model folder.</summary>
    public static HfModelConfig Load(string directory) => ParseFile(Path.Combine(directory, FileName));

    /// <summary>Reads a config file.</summary>
    public static HfModelConfig ParseFile(string path)
    {
        using var doc = JsonFields.ParseFile(path);
        return Parse(new JsonFields(doc.RootElement, path));
    }

    /// <summary>Parses config JSON text; <paramref name="source"/> names it in messages.</summary>
    public static HfModelConfig Parse(string json, string source)
    {
        using var doc = JsonFields.Parse(json, source);
        return Parse(new JsonFields(doc.RootElement, source));
    }

    private static HfModelConfig Parse(JsonFields c)
    {
        string modelType = c.String("model_type") ?? throw c.Error($"needs \"model_type\"; Rewire reads {string.Join(", ", SupportedModelTypes)}");
        if (!SupportedModelTypes.Contains(modelType))
            throw c.Error($"model type \"{modelType}\" is not supported; Rewire reads {string.Join(", ", SupportedModelTypes)}");
        int hidden = Positive(c, "hidden_size");
        int heads = Positive(c, "num_attention_heads");
        int kvHeads = c.Int("num_key_value_heads") ?? heads;
        if (kvHeads <= 0 || heads % kvHeads != 0)
            throw c.Error($"num_key_value_heads ({kvHeads}) must be positive and divide num_attention_heads ({heads})");
        int? headDim = c.Int("head_dim");
        if (headDim is null && hidden % heads != 0)
            throw c.Error($"hidden_size ({hidden}) is not a multiple of num_attention_heads ({heads}) and no head_dim is given");
        int resolvedHeadDim = headDim ?? hidden / heads;
        if (resolvedHeadDim <= 0 || resolvedHeadDim % 2 != 0)
            throw c.Error($"head_dim must be a positive even number for rotary embeddings, got {resolvedHeadDim}");

        string act = c.String("hidden_act") ?? "silu";
        if (act != "silu")
            throw c.Error($"hidden_act \"{act}\" is not supported; these architectures use \"silu\" (SwiGLU)");

        string? dtypeName = c.String("dtype") ?? c.String("torch_dtype");
        bool attentionBias = c.Bool("attention_bias") ?? false;
        return new HfModelConfig
        {
            ModelType = modelType,
            VocabSize = Positive(c, "vocab_size"),
            HiddenSize = hidden,
            IntermediateSize = Positive(c, "intermediate_size"),
            NumHiddenLayers = Positive(c, "num_hidden_layers"),
            NumAttentionHeads = heads,
            NumKeyValueHeads = kvHeads,
            HeadDim = resolvedHeadDim,
            MaxPositionEmbeddings = c.Int("max_position_embeddings") ?? DefaultMaxPositions(modelType),
            RmsNormEps = c.Double("rms_norm_eps") ?? 1e-6,
            Rope = RopeSettings.Parse(c, defaultTheta: 10000.0),
            TieWordEmbeddings = c.Bool("tie_word_embeddings") ?? false,
            QkvBias = modelType == "qwen2" || attentionBias,
            OutputProjectionBias = modelType != "qwen2" && attentionBias,
            MlpBias = c.Bool("mlp_bias") ?? false,
            QkNorm = modelType == "qwen3",
            HiddenAct = act,
            DTypeName = dtypeName,
            DType = dtypeName is null ? null : SafetensorsDTypes.TryParseFriendly(dtypeName),
            SlidingWindow = SlidingWindowOf(c, modelType),
            BosTokenId = c.Int("bos_token_id"),
            EosTokenIds = c.IntOrList("eos_token_id"),
            PadTokenId = c.Int("pad_token_id"),
        };
    }

    private static int Positive(JsonFields c, string name)
    {
        int value = c.RequiredInt(name);
        return value > 0 ? value : throw c.Error($"\"{name}\" must be positive, got {value}");
    }

    private static int DefaultMaxPositions(string modelType) => modelType switch
    {
        "llama" => 2048,
        "mistral" => 4096 * 32,
        _ => 32768,
    };

    private static int? SlidingWindowOf(JsonFields c, string modelType)
    {
        int? window = c.Int("sliding_window");
        if (modelType is "qwen2" or "qwen3")
        {
            if (c.Bool("use_sliding_window") == true && window is not null)
                throw c.Error("use_sliding_window: true (sliding-window attention on some layers) is not supported; set it to false, as the published Qwen checkpoints do, to use full attention");
            return null;
        }
        if (modelType == "mistral" && window is { } w)
            return w > 0 ? w : throw c.Error($"sliding_window must be positive or null, got {w}");
        return null;
    }
}
