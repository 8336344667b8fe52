using Rewire.Core.Rewards;

namespace Rewire.Torch.Tokenizers;

/// <summary>
/// Turns a task <see cref="Prompt"/> into prompt token ids: the template text with <c>{text}</c> replaced by the
/// prompt's text (and optionally <c>{task}</c>, <c>{domain}</c>), encoded, with bos in front when <see cref="AddBos"/>.
/// The default template is <c>{text}</c>: task suites already end their prompts where the answer starts (for example "17+25=").
/// </summary>
public sealed record PromptTemplate(string Template = "{text}", bool AddBos = true)
{
    /// <summary>
    /// The template's text with <c>{text}</c>, <c>{task}</c> and <c>{domain}</c> replaced from
    /// <paramref name="prompt"/>; throws when the template has no <c>{text}</c>.
    /// </summary>
    public string Render(Prompt prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        if (!Template.Contains("{text}", StringComparison.Ordinal))
            throw new ArgumentException($"prompt template '{Template}' has no {{text}} placeholder; add one where the prompt text goes");
        return Template.Replace("{text}", prompt.Text, StringComparison.Ordinal)
            .Replace("{task}", prompt.Task, StringComparison.Ordinal)
            .Replace("{domain}", prompt.Domain, StringComparison.Ordinal);
    }

    /// <summary>
    /// Encodes a whole prompt itself instead of the template text (a chat template's rendering for a Hugging Face model);
    /// null: the template text, encoded, with bos when <see cref="AddBos"/>.
    /// </summary>
    public Func<Prompt, int[]>? Encoder { get; init; }

    /// <summary>Prompt token ids for the policy.</summary>
    public int[] Encode(Prompt prompt, ITokenizer tokenizer)
    {
        if (Encoder is not null) return Encoder(prompt);
        var body = tokenizer.Encode(Render(prompt));
        return AddBos ? [tokenizer.BosId, .. body] : body;
    }

    /// <summary>Supervised target: prompt ids followed by the answer's ids and eos.</summary>
    public (int[] Prompt, int[] Response) EncodeDemonstration(Prompt prompt, string answer, ITokenizer tokenizer) =>
        (Encode(prompt, tokenizer), [.. tokenizer.Encode(answer), tokenizer.EosId]);
}
