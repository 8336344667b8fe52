using Rewire.Core.Stats;

namespace Rewire.Core.Advantages;

/// <summary>
/// [T12] GRPO-N, "The Debate on RLVR Reasoning Capability Boundary: Shrinkage, Expansion, or Both? A Two-Stage Dynamic
/// View" (arXiv 2510.04028): keep only the relative negative-gradient terms, <c>Â'_{i,t} = 1[Â_{i,t} &lt; 0]·Â_{i,t}</c>,
/// on top of a base estimator (default GRPO). RECONSTRUCTED (the aggregation is not published): by default the base
/// denominators are kept, so base = negatives + positives exactly (<see cref="Selection"/> = Positive gives the
/// complement); <see cref="RenormalizeNegatives"/> multiplies the kept advantages of each group by
/// G / (number of its responses with a kept token).
/// </summary>
public sealed class NegativeOnlyAdvantage : IAdvantageEstimator
{
    /// <summary>Creates GRPO-N on top of a base estimator.</summary>
    /// <param name="baseEstimator">The estimator whose advantages are filtered (default in the registry: GRPO).</param>
    /// <param name="selection">Which sign to keep: Negative (GRPO-N) or Positive (its complement).</param>
    /// <param name="renormalizeNegatives">Whether to rescale each group's kept advantages by G / (responses with a kept token).</param>
    public NegativeOnlyAdvantage(IAdvantageEstimator baseEstimator, AdvantageSign selection = AdvantageSign.Negative, bool renormalizeNegatives = false)
    {
        ArgumentNullException.ThrowIfNull(baseEstimator);
        if (!Enum.IsDefined(selection)) throw new ArgumentOutOfRangeException(nameof(selection), $"Unknown selection {selection}; use Negative or Positive.");
        Base = baseEstimator;
        Selection = selection;
        RenormalizeNegatives = renormalizeNegatives;
    }

    /// <summary>The estimator whose advantages are filtered by sign.</summary>
    public IAdvantageEstimator Base { get; }
    /// <summary>Which sign of advantage is kept; the other is set to 0.</summary>
    public AdvantageSign Selection { get; }
    /// <summary>Whether each group's kept advantages are multiplied by G / (number of its responses with a kept token).</summary>
    public bool RenormalizeNegatives { get; }

    /// <inheritdoc />
    public string Name => "grpo_n";

    /// <inheritdoc />
    public AdvantageResult Compute(AdvantageInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var result = Base.Compute(input);
        var adv = result.Advantages.Clone();
        var kept = new bool[adv.Rows];
        for (int i = 0; i < adv.Rows; i++)
        {
            var row = adv.Row(i);
            for (int t = 0; t < row.Length; t++)
            {
                bool keep = Selection == AdvantageSign.Negative ? row[t] < 0 : row[t] > 0;
                if (keep) kept[i] = true;
                else row[t] = 0.0;
            }
        }
        if (RenormalizeNegatives)
        {
            var index = input.RequireIndex(Name);
            for (int g = 0; g < index.GroupCount; g++)
            {
                var members = index.Members(g);
                int n = 0;
                foreach (int i in members) if (kept[i]) n++;
                if (n == 0) continue;
                double factor = members.Length / (double)n;
                foreach (int i in members)
                {
                    var row = adv.Row(i);
                    for (int t = 0; t < row.Length; t++) row[t] *= factor;
                }
            }
        }
        return new AdvantageResult(adv, result.Returns);
    }
}

/// <summary>Which sign of advantage <see cref="NegativeOnlyAdvantage"/> keeps.</summary>
public enum AdvantageSign
{
    /// <summary>Keep Â &lt; 0 (GRPO-N).</summary>
    Negative,

    /// <summary>Keep Â &gt; 0 (the complement, for J = J_N + J_P).</summary>
    Positive,
}
