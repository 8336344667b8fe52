// What Writing-Zero's pairwise generative judge reads and writes, as token ids of the task's own tokenizer: the prompt
// (with bos, as the policy reads it), response A, eos, the prompt again (without bos), response B, eos; then the judge writes its verdict, one character
// ("1": A is better, "2": B is better; VerdictText) and eos. Training is next-token cross-entropy on the verdict and eos
// only (the comparison it reads is context, never a target: SftTrainer's response mask). The paper's judge first writes
// its own writing principles and a critique before the scores; a small model trained from scratch on list tasks has no
// principles to write, so the verdict is written directly.
using Rewire.Core.Rewards.Judges;
using Rewire.Torch.Tokenizers;
using Rewire.Torch.Training;

namespace Rewire.Torch.Preferences;

/// <summary>The judge's input and target layout (see the file header).</summary>
public static class JudgeFormat
{
    /// <summary>
    /// The judge's reading: prompt ids, A, eos, then the prompt again without bos, B, eos. Each response follows its
    /// prompt as it did when the policy wrote it, so the warm-started network reads both the way it learned to.
    /// </summary>
    public static int[] Reading(IReadOnlyList<int> prompt, IReadOnlyList<int> first, IReadOnlyList<int> second, int eos, int bos)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        var again = prompt.Count > 0 && prompt[0] == bos ? prompt.Skip(1) : prompt;
        return [.. prompt, .. first, eos, .. again, .. second, eos];
    }

    /// <summary>A training example: the reading as context, the verdict character and eos as the target.</summary>
    public static Demonstration Example(IReadOnlyList<int> prompt, IReadOnlyList<int> first, IReadOnlyList<int> second, PairwiseVerdict verdict, ITokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return new Demonstration(Reading(prompt, first, second, tokenizer.EosId, tokenizer.BosId), [.. tokenizer.Encode(VerdictText.Of(verdict)), tokenizer.EosId]);
    }

    /// <summary>
    /// The training examples of a preference pair: (chosen, rejected) → "1" and, with <paramref name="swap"/>, also
    /// (rejected, chosen) → "2", so the judge sees every pair in both positions. The sides' ids exclude eos.
    /// </summary>
    public static IEnumerable<Demonstration> Examples(TokenizedPair pair, bool swap, ITokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(pair);
        var chosen = pair.Chosen[..^1];
        var rejected = pair.Rejected[..^1];
        yield return Example(pair.Prompt, chosen, rejected, PairwiseVerdict.First, tokenizer);
        if (swap) yield return Example(pair.Prompt, rejected, chosen, PairwiseVerdict.Second, tokenizer);
    }

    /// <summary>Tokens the judge needs for a pair: its reading plus the verdict and eos.</summary>
    public static int Length(TokenizedPair pair)
    {
        ArgumentNullException.ThrowIfNull(pair);
        return 2 * pair.Prompt.Length + pair.Chosen.Length + pair.Rejected.Length + 2;
    }
}
