using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rewire.Torch.Models;

/// <summary>How token positions enter the model.</summary>
public enum PositionEncoding
{
    /// <summary>Rotary embeddings (RoPE, rotate-half convention) on queries and keys.</summary>
    Rotary,
    /// <summary>A learned position embedding table added to the token embeddings (GPT-2).</summary>
    Learned,
}

/// <summary>The normalisation layer used before attention, before the MLP and at the output.</summary>
public enum NormKind
{
    /// <summary>RMSNorm: scale by the root mean square, learned gain, no bias (LLaMA).</summary>
    RmsNorm,

    /// <summary>LayerNorm: subtract the mean, divide by the standard deviation, learned gain and bias (GPT-2).</summary>
    LayerNorm,
}

/// <summary>The feed-forward block.</summary>
public enum MlpKind
{
    /// <summary>silu(x W_gate) * (x W_up) W_down.</summary>
    SwiGlu,
    /// <summary>gelu(x W_in) W_out (GPT-2).</summary>
    Gelu,
}

/// <summary>
/// Shape and options of the decoder-only transformer policy (<see cref="TransformerPolicy"/>).
/// The defaults are the "default model": small enough for a 2-core CPU to train from scratch in minutes on
/// character-level arithmetic (about 0.8 M parameters with a 40-symbol vocabulary).
/// </summary>
public sealed record TransformerConfig
{
    /// <summary>Vocabulary size (the tokenizer's). <value>The default value is 40 (a character vocabulary for arithmetic).</value></summary>
    public int VocabSize { get; init; } = 40;

    /// <summary>Number of transformer blocks. <value>The default value is 4.</value></summary>
    public int Layers { get; init; } = 4;

    /// <summary>Number of attention heads; must divide <see cref="Width"/>. <value>The default value is 4.</value></summary>
    public int Heads { get; init; } = 4;

    /// <summary>Residual stream width (model dimension). <value>The default value is 128.</value></summary>
    public int Width { get; init; } = 128;

    /// <summary>Maximum sequence length (prompt plus response). <value>The default value is 128.</value></summary>
    public int ContextLength { get; init; } = 128;

    /// <summary><value>The default value is <see cref="PositionEncoding.Rotary"/>.</value></summary>
    public PositionEncoding Positions { get; init; } = PositionEncoding.Rotary;

    /// <summary><value>The default value is <see cref="NormKind.RmsNorm"/>.</value></summary>
    public NormKind Norm { get; init; } = NormKind.RmsNorm;

    /// <summary><value>The default value is <see cref="MlpKind.SwiGlu"/>.</value></summary>
    public MlpKind Mlp { get; init; } = MlpKind.SwiGlu;

    /// <summary>
    /// Hidden size of the MLP. When null: 4·Width for GELU, and 8/3·Width rounded up to a multiple of 8 for SwiGLU
    /// (same parameter count as a 4x GELU MLP). <value>The default value is null.</value>
    /// </summary>
    public int? MlpHidden { get; init; }

    /// <summary>Share the token embedding matrix with the output projection. <value>The default value is true.</value></summary>
    public bool TiedEmbeddings { get; init; } = true;

    /// <summary>Biases in linear layers (GPT-2 has them; LLaMA-style models do not). <value>The default value is false.</value></summary>
    public bool Bias { get; init; }

    /// <summary>Rotary base frequency. <value>The default value is 10000.</value></summary>
    public double RopeTheta { get; init; } = 10000;

    /// <summary>Epsilon of the normalisation layers. <value>The default value is 1e-5.</value></summary>
    public double NormEpsilon { get; init; } = 1e-5;

    /// <summary>Standard deviation of the normal initialisation (GPT-2: 0.02); residual output projections use InitStd/sqrt(2·Layers). <value>The default value is 0.02.</value></summary>
    public double InitStd { get; init; } = 0.02;

    /// <summary>Seed of the parameter initialisation. <value>The default value is 0.</value></summary>
    public long Seed { get; init; }

    /// <summary>Width of one attention head.</summary>
    [JsonIgnore]
    public int HeadDim => Width / Heads;

    /// <summary>The MLP hidden size actually used.</summary>
    [JsonIgnore]
    public int MlpHiddenSize => MlpHidden ?? (Mlp == MlpKind.Gelu ? 4 * Width : (8 * Width / 3 + 7) / 8 * 8);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field, its value and what is allowed.</summary>
    public TransformerConfig Validate()
    {
        static void Need(bool ok, string key, object value, string allowed)
        {
            if (!ok) throw new ArgumentException($"model config: {key} = {value} is invalid; {allowed}");
        }
        Need(VocabSize >= 2, "vocab_size", VocabSize, "it must be at least 2");
        Need(Layers >= 1, "layers", Layers, "it must be at least 1");
        Need(Heads >= 1, "heads", Heads, "it must be at least 1");
        Need(Width >= 2 && Width % Heads == 0, "width", Width, $"it must be a positive multiple of heads ({Heads})");
        Need(Positions != PositionEncoding.Rotary || HeadDim % 2 == 0, "width", Width, $"rotary positions need an even head width (width / heads = {HeadDim})");
        Need(ContextLength >= 2, "context_length", ContextLength, "it must be at least 2");
        Need(MlpHidden is null || MlpHidden >= 1, "mlp_hidden", MlpHidden ?? 0, "it must be at least 1, or null for the default rule");
        Need(RopeTheta > 1, "rope_theta", RopeTheta, "it must be greater than 1");
        Need(NormEpsilon > 0, "norm_epsilon", NormEpsilon, "it must be positive");
        Need(InitStd > 0 && double.IsFinite(InitStd), "init_std", InitStd, "it must be positive and finite");
        Need(Enum.IsDefined(Positions), "positions", Positions, "use rotary or learned");
        Need(Enum.IsDefined(Norm), "norm", Norm, "use rms_norm or layer_norm");
        Need(Enum.IsDefined(Mlp), "mlp", Mlp, "use swi_glu or gelu");
        return this;
    }

    /// <summary>The JSON style of model configs in checkpoints: snake_case keys and enum names.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>The config as JSON (the <c>config.json</c> of a checkpoint).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses and validates a config written by <see cref="ToJson"/>; unknown keys are errors.</summary>
    public static TransformerConfig FromJson(string json)
    {
        TransformerConfig? c;
        try { c = JsonSerializer.Deserialize<TransformerConfig>(json, Json); }
        catch (JsonException e) { throw new ArgumentException($"model config is not valid: {e.Message}", e); }
        return (c ?? throw new ArgumentException("model config is empty (JSON null)")).Validate();
    }
}
