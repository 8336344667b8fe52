// Position-swap voting (Writing-Zero's Voting@n over order-swapped permutations, which mitigates the judge's position
// bias): a pair (a, b) is judged as (a, b) and as (b, a). Each well-formed verdict votes for the response it names
// ("first" in the swapped order names b); a tie or malformed verdict casts no vote. The outcome is +1 when a has more
// votes, −1 when b has, 0 otherwise (including a judge that contradicts itself across the two orders).
namespace Rewire.Core.Rewards.Judges;

/// <summary>The outcome of judging a against b in one or both orders.</summary>
/// <param name="Outcome">+1: a is better; −1: b is better; 0: tie.</param>
/// <param name="Malformed">How many of the verdicts were malformed.</param>
/// <param name="Consistent">True when both orders were judged and named the same response.</param>
public readonly record struct PairOutcome(int Outcome, int Malformed, bool Consistent);

/// <summary>Position-swap voting (see the file header).</summary>
public static class SwapVoting
{
    /// <summary>The outcome of a against b from the verdict on (a, b) and, when given, the verdict on (b, a).</summary>
    public static PairOutcome Vote(PairwiseVerdict forward, PairwiseVerdict? swapped)
    {
        int votesA = 0, votesB = 0, malformed = 0;
        Count(forward, false);
        if (swapped is { } s) Count(s, true);
        bool consistent = swapped is { } sw && forward is PairwiseVerdict.First or PairwiseVerdict.Second
            && (forward == PairwiseVerdict.First ? sw == PairwiseVerdict.Second : sw == PairwiseVerdict.First);
        return new PairOutcome(Math.Sign(votesA - votesB), malformed, consistent);

        void Count(PairwiseVerdict v, bool isSwapped)
        {
            switch (v)
            {
                case PairwiseVerdict.First: if (isSwapped) votesB++; else votesA++; break;
                case PairwiseVerdict.Second: if (isSwapped) votesA++; else votesB++; break;
                case PairwiseVerdict.Malformed: malformed++; break;
            }
        }
    }
}
