namespace Rewire.Torch.Generation;

/// <summary>Which distribution the returned per-token log-probs and entropies describe.</summary>
public enum LogProbSource
{
    /// <summary>The unmodified policy at temperature 1 (π_θ), what policy objectives need; equals <c>Score</c>. The default.</summary>
    Policy,
    /// <summary>The distribution actually sampled from (after temperature, top-k and top-p).</summary>
    Sampling,
}

/// <summary>Options of one generation call, validated before any tensor work.</summary>
public sealed record GenerationOptions
{
    /// <summary>Maximum number of tokens generated per sequence. <value>The default value is 16.</value></summary>
    public int MaxNewTokens { get; init; } = 16;

    /// <summary>Softmax temperature; must be positive. <value>The default value is 1.</value></summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Keep only the k most likely tokens; 0 disables. <value>The default value is 0.</value></summary>
    public int TopK { get; init; }

    /// <summary>Nucleus sampling: keep the smallest set of most likely tokens whose mass reaches p; 1 disables. <value>The default value is 1.</value></summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>Take the most likely token instead of sampling. <value>The default value is false.</value></summary>
    public bool Greedy { get; init; }

    /// <summary>Tokens that end a sequence (kept as its last token, with its log-prob). <value>The default value is empty.</value></summary>
    public IReadOnlyList<int> StopTokens { get; init; } = [];

    /// <summary>Id used for padding (never attended to). <value>The default value is 0 (the character tokenizer's pad).</value></summary>
    public int PadId { get; init; }

    /// <summary>Reuse keys and values of earlier positions; false recomputes the whole prefix each step (the baseline). <value>The default value is true.</value></summary>
    public bool UseKvCache { get; init; } = true;

    /// <summary><value>The default value is <see cref="LogProbSource.Policy"/>.</value></summary>
    public LogProbSource LogProbs { get; init; } = LogProbSource.Policy;

    /// <summary>
    /// Checks the options against a vocabulary of <paramref name="vocabSize"/> ids and returns them; throws
    /// <see cref="ArgumentException"/> naming the first bad option (token counts, temperature, top-k/top-p ranges, stop and
    /// pad ids).
    /// </summary>
    public GenerationOptions Validate(int vocabSize)
    {
        if (MaxNewTokens < 1) throw new ArgumentException($"generation: max_new_tokens = {MaxNewTokens}; it must be at least 1");
        if (!(Temperature > 0) || !double.IsFinite(Temperature)) throw new ArgumentException($"generation: temperature = {Temperature}; it must be positive and finite (use greedy = true for argmax decoding)");
        if (TopK < 0) throw new ArgumentException($"generation: top_k = {TopK}; use 0 to disable or a positive count");
        if (!(TopP > 0 && TopP <= 1)) throw new ArgumentException($"generation: top_p = {TopP}; it must be in (0, 1] (1 disables)");
        if (PadId < 0 || PadId >= vocabSize) throw new ArgumentException($"generation: pad_id = {PadId} is outside the vocabulary 0..{vocabSize - 1}");
        foreach (int s in StopTokens)
            if (s < 0 || s >= vocabSize) throw new ArgumentException($"generation: stop token {s} is outside the vocabulary 0..{vocabSize - 1}");
        return this;
    }
}
