namespace Rewire.HuggingFace.Config;

/// <summary>The sampling defaults a model folder ships in <c>generation_config.json</c>. Every field is optional.</summary>
public sealed record HfGenerationConfig
{
    /// <summary>The file name in a model folder.</summary>
    public const string FileName = "generation_config.json";

    /// <summary><c>bos_token_id</c>.</summary>
    public int? BosTokenId { get; init; }
    /// <summary><c>eos_token_id</c>: an integer or a list; generation stops at any of them.</summary>
    public IReadOnlyList<int> EosTokenIds { get; init; } = [];
    /// <summary><c>pad_token_id</c>.</summary>
    public int? PadTokenId { get; init; }
    /// <summary><c>do_sample</c>.</summary>
    public bool? DoSample { get; init; }
    /// <summary><c>temperature</c>.</summary>
    public double? Temperature { get; init; }
    /// <summary><c>top_p</c>.</summary>
    public double? TopP { get; init; }
    /// <summary><c>top_k</c>.</summary>
    public int? TopK { get; init; }
    /// <summary><c>min_p</c>.</summary>
    public double? MinP { get; init; }
    /// <summary><c>repetition_penalty</c>.</summary>
    public double? RepetitionPenalty { get; init; }
    /// <summary><c>max_new_tokens</c>.</summary>
    public int? MaxNewTokens { get; init; }
    /// <summary><c>max_length</c> (prompt plus completion).</summary>
    public int? MaxLength { get; init; }

    /// <summary>Reads <c>generation_config.json</c> from a model folder; null when the folder has none.</summary>
    public static HfGenerationConfig? Load(string directory)
    {
        string path = Path.Combine(directory, FileName);
        return File.Exists(path) ? ParseFile(path) : null;
    }

    /// <summary>Reads a generation config file.</summary>
    public static HfGenerationConfig ParseFile(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>Parses generation config JSON; <paramref name="source"/> names it in messages.</summary>
    public static HfGenerationConfig Parse(string json, string source)
    {
        using var doc = JsonFields.Parse(json, source);
        var c = new JsonFields(doc.RootElement, source);
        var config = new HfGenerationConfig
        {
            BosTokenId = c.Int("bos_token_id"),
            EosTokenIds = c.IntOrList("eos_token_id"),
            PadTokenId = c.Int("pad_token_id"),
            DoSample = c.Bool("do_sample"),
            Temperature = c.Double("temperature"),
            TopP = c.Double("top_p"),
            TopK = c.Int("top_k"),
            MinP = c.Double("min_p"),
            RepetitionPenalty = c.Double("repetition_penalty"),
            MaxNewTokens = c.Int("max_new_tokens"),
            MaxLength = c.Int("max_length"),
        };
        if (config.Temperature is < 0)
            throw c.Error($"temperature must not be negative, got {config.Temperature}");
        if (config.TopP is <= 0 or > 1)
            throw c.Error($"top_p must be in (0, 1], got {config.TopP}");
        return config;
    }
}
