namespace Rewire.HuggingFace.Lora;

/// <summary>
/// Low-rank adapters (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models") on the linear layers of a
/// Hugging Face causal LM: y = W·x + b + (α/r)·B·A·dropout(x), W frozen, A [r, in], B [out, r].
/// <paramref name="TargetModules"/> are Hugging Face module names (<see cref="KnownModules"/>), as PEFT's
/// <c>target_modules</c>; every linear layer of that name in every decoder layer gets an adapter.
/// </summary>
public sealed record LoraOptions(int Rank, double Alpha, double Dropout, IReadOnlyList<string> TargetModules)
{
    /// <summary>The linear layers of a llama/qwen2/qwen3/mistral decoder layer, by their Hugging Face names.</summary>
    public static readonly IReadOnlyList<string> KnownModules = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

    /// <summary>α/r, the factor of B·A.</summary>
    public double Scaling => Alpha / Rank;

    /// <summary>Every problem with these settings, as messages naming the setting (empty when valid).</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (Rank <= 0)
            problems.Add($"LoRA rank must be a positive integer, got {Rank}");
        if (!double.IsFinite(Alpha) || Alpha <= 0)
            problems.Add($"LoRA alpha must be a positive number, got {Alpha}");
        if (!double.IsFinite(Dropout) || Dropout < 0 || Dropout >= 1)
            problems.Add($"LoRA dropout must be in [0, 1), got {Dropout}");
        if (TargetModules.Count == 0)
            problems.Add($"LoRA target_modules must name at least one of {string.Join(", ", KnownModules)}");
        foreach (string m in TargetModules.Where(m => !KnownModules.Contains(m, StringComparer.Ordinal)).Distinct(StringComparer.Ordinal))
            problems.Add($"LoRA target module '{m}' is not a linear layer of these models; use one of {string.Join(", ", KnownModules)}");
        if (TargetModules.Distinct(StringComparer.Ordinal).Count() != TargetModules.Count)
            problems.Add("LoRA target_modules names a module twice");
        return problems;
    }

    /// <summary>Throws <see cref="ArgumentException"/> with every problem when the settings are invalid.</summary>
    public void Validate()
    {
        var problems = Problems();
        if (problems.Count > 0)
            throw new ArgumentException(string.Join("; ", problems));
    }
}
