// The rubric verifier as a reward function (Search-Gen-V's rubric reward): each criterion's verifier judges the
// completion, binary (satisfied or not: 1 only for a full judgement) or graded (the judgement itself), and the reward is
// the weighted average Σ_i w_i·V_i / Σ_j w_j (RubricAggregation). Every criterion's judgement is a component of the
// result, reported by the reward pipeline as rubric/NAME.
using Rewire.Core.Rewards;

namespace Rewire.Core.Verifiers.Rubrics;

/// <summary>A rubric of weighted criteria scored as their weighted average (see the file header).</summary>
public sealed class RubricVerifier : IRewardFunction, ICriterionReporter
{
    private readonly RubricCriterion[] _criteria;
    private readonly double[] _weights;

    /// <param name="criteria">The rubrics, with distinct names and weights of a positive sum.</param>
    /// <param name="graded">Use each judgement as it is (true) or count a criterion only when fully satisfied (false).</param>
    /// <param name="name">The name its results are logged under.</param>
    public RubricVerifier(IEnumerable<RubricCriterion> criteria, bool graded = true, string name = "rubric")
    {
        ArgumentNullException.ThrowIfNull(criteria);
        _criteria = criteria.ToArray();
        _weights = _criteria.Select(c => c.Weight).ToArray();
        RubricAggregation.ValidateWeights(_weights);
        var duplicate = _criteria.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"the rubric names criterion '{duplicate.Key}' twice; name each criterion once.", nameof(criteria));
        Graded = graded;
        Name = name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>True when judgements are graded, false when binary.</summary>
    public bool Graded { get; }

    /// <summary>The criteria, in order.</summary>
    public IReadOnlyList<RubricCriterion> Criteria => _criteria;

    /// <inheritdoc />
    public RewardResult Score(Rollout rollout)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        var text = rollout.Completion ?? "";
        var judgements = new double[_criteria.Length];
        var components = new Dictionary<string, double>(_criteria.Length, StringComparer.Ordinal);
        for (int i = 0; i < _criteria.Length; i++)
        {
            double v = _criteria[i].Judge(rollout.Prompt, text);
            if (!(v >= 0 && v <= 1))
                throw new InvalidOperationException($"rubric criterion '{_criteria[i].Name}' judged {v}; a judgement lies in [0, 1].");
            judgements[i] = Graded ? v : v >= 1 ? 1 : 0;
            components[_criteria[i].Name] = judgements[i];
        }
        double total = RubricAggregation.Score(_weights, judgements);
        var unmet = _criteria.Where((c, i) => judgements[i] < 1).Select(c => c.Name).ToArray();
        return new RewardResult
        {
            Total = total,
            Components = components,
            FailureReason = unmet.Length == 0 ? null : $"criteria not fully met: {string.Join(", ", unmet)}",
        };
    }
}
