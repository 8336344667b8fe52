namespace Rewire.Core.Rewards.Judges;

/// <summary>What a pairwise judge said about (prompt, first response, second response).</summary>
public enum PairwiseVerdict
{
    /// <summary>The first response is better.</summary>
    First,
    /// <summary>The second response is better.</summary>
    Second,
    /// <summary>Neither is better.</summary>
    Tie,
    /// <summary>The judge wrote something that is not a verdict (counted, never fatal; it casts no vote).</summary>
    Malformed,
}

/// <summary>One comparison for a pairwise judge: a prompt and two responses, in the order the judge reads them.</summary>
/// <param name="Prompt">The prompt both responses answer.</param>
/// <param name="First">The response the judge reads first (position A).</param>
/// <param name="Second">The response the judge reads second (position B).</param>
public sealed record PairwiseQuery(Prompt Prompt, string First, string Second);
