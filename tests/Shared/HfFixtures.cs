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
