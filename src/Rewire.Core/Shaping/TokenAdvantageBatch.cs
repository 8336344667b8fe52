namespace Rewire.Core.Shaping;

/// <summary>
/// Token-level advantages <c>[B, L]</c> row-major with a response mask <c>[B, L]</c> (0 or 1), a group label per row and
/// optionally the old policy's token log-probabilities <c>[B, L]</c>.
/// </summary>
public sealed class TokenAdvantageBatch
{
    /// <summary>Wraps the arrays (not copied: shapers edit <paramref name="advantages"/> in place).</summary>
    /// <param name="advantages"><c>[B, L]</c> token advantages, row-major.</param>
    /// <param name="mask"><c>[B, L]</c> response mask, 1 for generated tokens and 0 otherwise.</param>
    /// <param name="rows">B, the number of responses; must divide the array length.</param>
    /// <param name="groups">One group label per row.</param>
    /// <param name="oldLogProbs"><c>[B, L]</c> token log-probabilities under the old policy, when a shaper needs them.</param>
    public TokenAdvantageBatch(double[] advantages, double[] mask, int rows, int[] groups, double[]? oldLogProbs = null)
    {
        ArgumentNullException.ThrowIfNull(advantages);
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(groups);
        if (rows <= 0 || advantages.Length % rows != 0)
        {
            throw new ArgumentException($"advantages has {advantages.Length} entries, not a multiple of {rows} rows; pass [B, L] row-major.");
        }

        if (mask.Length != advantages.Length || (oldLogProbs is not null && oldLogProbs.Length != advantages.Length))
        {
            throw new ArgumentException($"mask ({mask.Length}) and old log-probs ({oldLogProbs?.Length}) must have the shape of advantages ({advantages.Length}).");
        }

        if (groups.Length != rows)
        {
            throw new ArgumentException($"groups has {groups.Length} labels for {rows} rows; give one label per row.");
        }

        Advantages = advantages;
        Mask = mask;
        Rows = rows;
        Columns = advantages.Length / rows;
        Groups = groups;
        OldLogProbs = oldLogProbs;
    }

    /// <summary>Advantages, <c>[B, L]</c> row-major; shaped in place.</summary>
    public double[] Advantages { get; }

    /// <summary>Response mask, <c>[B, L]</c>.</summary>
    public double[] Mask { get; }

    /// <summary>B.</summary>
    public int Rows { get; }

    /// <summary>L.</summary>
    public int Columns { get; }

    /// <summary>Group label per row.</summary>
    public int[] Groups { get; }

    /// <summary>Old-policy log-probabilities of the sampled tokens, <c>[B, L]</c>.</summary>
    public double[]? OldLogProbs { get; }

    /// <summary>Per row of an episode, its step rewards (one per turn); null for single-turn rows or when no shaper reads them.</summary>
    public double[]?[]? StepRewards { get; init; }

    /// <summary>Per row of an episode, the index of each turn's last policy token in the row (aligned with <see cref="StepRewards"/>).</summary>
    public int[]?[]? TurnEnds { get; init; }

    /// <summary>Whether each row was judged correct (its episode reached its goal).</summary>
    public bool[]? Correct { get; init; }

    /// <summary>Row <paramref name="i"/> of the advantages.</summary>
    public Span<double> AdvantageRow(int i) => Advantages.AsSpan(i * Columns, Columns);

    /// <summary>Row <paramref name="i"/> of the mask.</summary>
    public ReadOnlySpan<double> MaskRow(int i) => Mask.AsSpan(i * Columns, Columns);
}
