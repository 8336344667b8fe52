using System.Text.Json;

namespace Rewire.Tests.Shared;

/// <summary>
/// The tiny Hugging Face checkpoints under <c>tests/hf-models/</c> (llama: tied, F32, one file, llama3 rope scaling;
/// qwen2: untied, BF16, two shards, q/k/v biases; qwen3: tied, F32, q/k norm, head_dim ≠ hidden/heads), with the outputs
/// of the independent plain-PyTorch reference (<c>tools/hf-fixtures/reference_model.py</c>) in each folder's
/// <c>reference.json</c>.
/// </summary>
public static class HfFixtures
{
    public static readonly string[] Models = ["llama", "qwen2", "qwen3"];

    /// <summary>The folder of one fixture model (copied beside the test assembly).</summary>
    public static string Directory(string model)
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "hf-models", model);
        if (!System.IO.Directory.Exists(dir))
            throw new DirectoryNotFoundException($"{dir}: the hf-models fixtures were not copied beside the test assembly");
        return dir;
    }

    /// <summary>True when the stored weights are BF16 (the looser tolerance applies).</summary>
    public static bool IsBf16(string model) => model == "qwen2";

    /// <summary>|ours − reference| allowed: 1e-3 for F32 weights, 0.05 + 2% of |reference| for BF16 weights.</summary>
    public static double Tolerance(string model, double reference) => IsBf16(model) ? 0.05 + 0.02 * Math.Abs(reference) : 1e-3;

    public static HfReference Reference(string model) =>
        JsonSerializer.Deserialize<HfReference>(File.ReadAllText(Path.Combine(Directory(model), "reference.json")), Options)!;

    /// <summary>Copies a fixture folder (without its reference outputs) to a fresh temporary folder to damage.</summary>
    public static string CopyToTemp(string model) => CopyTo(model, Path.Combine(Path.GetTempPath(), $"rewire-hf-{model}-{Guid.NewGuid():N}"));

    /// <summary>Copies a fixture folder (without its reference outputs) to <paramref name="target"/>, created; returns it.</summary>
    public static string CopyTo(string model, string target)
    {
        System.IO.Directory.CreateDirectory(target);
        foreach (string f in System.IO.Directory.GetFiles(Directory(model)))
            if (Path.GetFileName(f) != "reference.json")
                File.Copy(f, Path.Combine(target, Path.GetFileName(f)));
        return target;
    }

    /// <summary>A chat template that keeps only the user turns ("Q:" content, then "A:" as the generation prompt): short
    /// enough for the fixtures' 64-token context.</summary>
    public const string UserTurnsTemplate =
        "{% for m in messages %}{% if m['role'] == 'user' %}Q:{{ m['content'] }}{% endif %}{% endfor %}{% if add_generation_prompt %}A:{% endif %}";

    /// <summary>Qwen2.5's ChatML layout (every message between &lt;|im_start|&gt;role and &lt;|im_end|&gt;), which episodes need.</summary>
    public const string ChatMlTemplate =
        "{%- for message in messages %}{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}{%- endfor %}"
        + "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";

    /// <summary>
    /// A copy of fixture <paramref name="model"/> in <paramref name="target"/> with <paramref name="template"/> as its
    /// chat_template.jinja and, when given, its context raised to <paramref name="maxPositionEmbeddings"/> (rotary
    /// positions, no learned table: the weights do not depend on it); returns the folder.
    /// </summary>
    public static string CopyWithTemplate(string model, string target, string template, int? maxPositionEmbeddings = null)
    {
        CopyTo(model, target);
        File.WriteAllText(Path.Combine(target, "chat_template.jinja"), template);
        if (maxPositionEmbeddings is { } positions)
        {
            string config = Path.Combine(target, "config.json");
            var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(config))!;
            node["max_position_embeddings"] = positions;
            File.WriteAllText(config, node.ToJsonString());
        }
        return target;
    }

    /// <summary>How many greedy tokens the comparison covers: all steps up to and including the first whose top-two gap is
    /// at most 1e-3 is excluded from there on (a near tie may flip under rounding).</summary>
    public static int DecisiveSteps(HfGreedy g)
    {
        int n = 0;
        while (n < g.Gaps.Length && g.Gaps[n] > 1e-3) n++;
        return n;
    }

    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}

public sealed record HfReference(string ModelType, int TokenizerSize, int[] EosTokenIds, HfLogits[] Logits, HfGreedy[] Greedy, HfLogprobs[] Logprobs);

public sealed record HfLogits(int[] Tokens, double[][] Logits);

public sealed record HfGreedy(string Prompt, int[] PromptTokens, int MaxNewTokens, int[] Tokens, double[] Gaps, string Finish);

public sealed record HfLogprobs(string Prompt, string Completion, int[] PromptTokens, int[] CompletionTokens, double[] Logprobs);
