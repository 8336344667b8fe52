// The written form of a generative judge's verdict. The judge writes one character after reading the prompt and the two
// responses: "1" when the first response (position A) is better, "2" when the second (position B) is; anything else
// (another character, nothing, several characters) is a malformed verdict. Characters of the task's own alphabet are
// used so the judge is the policy's network with its own tokenizer.
namespace Rewire.Core.Rewards.Judges;

/// <summary>The verdict characters and their parser (see the file header).</summary>
public static class VerdictText
{
    /// <summary>What the judge writes when the first response is better.</summary>
    public const string First = "1";

    /// <summary>What the judge writes when the second response is better.</summary>
    public const string Second = "2";

    /// <summary>The verdict <paramref name="written"/> states (surrounding white space ignored); <see cref="PairwiseVerdict.Malformed"/> for anything else.</summary>
    public static PairwiseVerdict Parse(string? written)
    {
        var t = (written ?? "").Trim();
        return t switch
        {
            First => PairwiseVerdict.First,
            Second => PairwiseVerdict.Second,
            _ => PairwiseVerdict.Malformed,
        };
    }

    /// <summary>The text of a verdict the judge is trained to write: <see cref="First"/> or <see cref="Second"/>.</summary>
    /// <exception cref="ArgumentException">A tie or malformed verdict (the judge is trained on strict preferences).</exception>
    public static string Of(PairwiseVerdict verdict) => verdict switch
    {
        PairwiseVerdict.First => First,
        PairwiseVerdict.Second => Second,
        _ => throw new ArgumentException($"a judge is trained to write strict verdicts, not {verdict}.", nameof(verdict)),
    };
}
