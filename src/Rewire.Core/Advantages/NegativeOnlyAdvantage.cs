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
    public NegativeOnlyAdvantage(IAdvantageEstimator baseEstimator, AdvantageSign selection = AdvantageSign.Negative, bool renormalizeNegatives = false)
    {
        ArgumentNullException.ThrowIfNull(baseEstimator);
        if (!Enum.IsDefined(selection)) throw new ArgumentOutOfRangeException(nameof(selection), $"Unknown selection {selection}; use Negative or Positive.");
        Base = baseEstimator;
        Selection = selection;
        RenormalizeNegatives = renormalizeNegatives;
    }

    public IAdvantageEstimator Base { get; }
    public AdvantageSign Selection { get; }
    public bool RenormalizeNegatives { get; }

    public string Name => "grpo_n";

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
