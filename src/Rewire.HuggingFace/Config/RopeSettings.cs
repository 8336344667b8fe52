using System.Text.Json;

namespace Rewire.HuggingFace.Config;

/// <summary>Rotary position embedding settings (RoFormer's rotary embeddings) as a Hugging Face config states them:
/// either the older top-level <c>rope_theta</c> plus an optional <c>rope_scaling</c> object (whose kind is under
/// <c>rope_type</c>, or <c>type</c> in older files), or the newer <c>rope_parameters</c> object that holds
/// <c>rope_theta</c>, <c>rope_type</c> and the scaling fields together. Supported kinds: <c>default</c>, <c>linear</c>
/// (position interpolation) and <c>llama3</c> (Llama 3.1's frequency-dependent scaling); others are refused by name.</summary>
/// <param name="RopeType">"default", "linear" or "llama3".</param>
/// <param name="Theta">The base of the frequencies.</param>
/// <param name="Factor">Scaling factor (linear, llama3); 1 for default.</param>
/// <param name="LowFreqFactor">llama3: wavelengths longer than original context / this are scaled fully.</param>
/// <param name="HighFreqFactor">llama3: wavelengths shorter than original context / this are kept.</param>
/// <param name="OriginalMaxPositionEmbeddings">llama3: the context length of pre-training.</param>
/// <param name="PartialRotaryFactor">Fraction of each head's dimensions that rotate (1 for the supported models).</param>
public sealed record RopeSettings(string RopeType, double Theta, double Factor = 1, double LowFreqFactor = 1, double HighFreqFactor = 4,
    int OriginalMaxPositionEmbeddings = 8192, double PartialRotaryFactor = 1)
{
    /// <summary>The kinds Rewire implements.</summary>
    public static readonly IReadOnlyList<string> SupportedTypes = ["default", "linear", "llama3"];

    /// <summary>Reads the rope settings of a config object; <paramref name="defaultTheta"/> applies when none is stated.</summary>
    internal static RopeSettings Parse(JsonFields config, double defaultTheta)
    {
        double? topTheta = config.Double("rope_theta");
        double partial = config.Double("partial_rotary_factor") ?? 1;
        JsonFields? scaling = null;
        string field = "rope_scaling";
        if (config.Get("rope_parameters") is { } parameters)
        {
            if (parameters.ValueKind != JsonValueKind.Object)
                throw config.Error($"\"rope_parameters\" must be an object, got {parameters.GetRawText()}");
            scaling = new JsonFields(parameters, config.Source);
            field = "rope_parameters";
        }
        else if (config.Get("rope_scaling") is { } ropeScaling)
        {
            if (ropeScaling.ValueKind != JsonValueKind.Object)
                throw config.Error($"\"rope_scaling\" must be an object or null, got {ropeScaling.GetRawText()}");
            scaling = new JsonFields(ropeScaling, config.Source);
        }
        if (scaling is not { } s)
            return new RopeSettings("default", topTheta ?? defaultTheta, PartialRotaryFactor: partial);

        string type = s.String("rope_type") ?? s.String("type") ?? "default";
        double theta = s.Double("rope_theta") ?? topTheta ?? defaultTheta;
        partial = s.Double("partial_rotary_factor") ?? partial;
        if (theta <= 0)
            throw config.Error($"rope_theta must be positive, got {theta}");
        switch (type)
        {
            case "default":
                return new RopeSettings("default", theta, PartialRotaryFactor: partial);
            case "linear":
            {
                double factor = s.Double("factor") ?? throw config.Error($"{field} of type linear needs \"factor\"");
                if (factor < 1)
                    throw config.Error($"{field}.factor must be at least 1, got {factor}");
                return new RopeSettings("linear", theta, factor, PartialRotaryFactor: partial);
            }
            case "llama3":
            {
                double factor = s.Double("factor") ?? throw config.Error($"{field} of type llama3 needs \"factor\"");
                double low = s.Double("low_freq_factor") ?? throw config.Error($"{field} of type llama3 needs \"low_freq_factor\"");
                double high = s.Double("high_freq_factor") ?? throw config.Error($"{field} of type llama3 needs \"high_freq_factor\"");
                int original = s.Int("original_max_position_embeddings") ?? throw config.Error($"{field} of type llama3 needs \"original_max_position_embeddings\"");
                if (factor < 1 || low <= 0 || high <= low || original <= 0)
                    throw config.Error($"{field} of type llama3 needs factor >= 1, 0 < low_freq_factor < high_freq_factor and a positive original_max_position_embeddings; got factor {factor}, low {low}, high {high}, original {original}");
                return new RopeSettings("llama3", theta, factor, low, high, original, partial);
            }
            default:
                throw config.Error($"rope type \"{type}\" (in {field}) is not supported; Rewire implements {string.Join(", ", SupportedTypes)}");
        }
    }
}
