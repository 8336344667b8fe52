// The rubric reward of "An Efficient Rubric-based Generative Verifier for Search-Augmented LLMs" (Search-Gen-V): with a
// rubric set {(w_i, r_i)} and the verifier's judgement V(q, ŷ, r_i) ∈ [0, 1] of each rubric,
// R(q, ŷ) = Σ_i w_i · V(q, ŷ, r_i) / Σ_j w_j, a weighted average in [0, 1].
namespace Rewire.Core.Verifiers.Rubrics;

/// <summary>The rubric reward's weighted average (see the file header).</summary>
public static class RubricAggregation
{
    /// <summary>Σ_i w_i·v_i / Σ_j w_j.</summary>
    /// <param name="weights">The rubric weights: finite, non-negative, with a positive sum.</param>
    /// <param name="judgements">The verifier's judgement of each rubric, in [0, 1], aligned with <paramref name="weights"/>.</param>
    /// <exception cref="ArgumentException">Lengths differ, a weight is negative or not finite, the weights sum to 0, or a judgement is outside [0, 1].</exception>
    public static double Score(IReadOnlyList<double> weights, IReadOnlyList<double> judgements)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(judgements);
        ValidateWeights(weights);
        if (judgements.Count != weights.Count)
            throw new ArgumentException($"{judgements.Count} judgements for {weights.Count} rubrics; give one judgement per rubric.", nameof(judgements));
        double sum = 0, weighted = 0;
        for (int i = 0; i < weights.Count; i++)
        {
            double v = judgements[i];
            if (!(v >= 0 && v <= 1)) throw new ArgumentException($"judgement {i} is {v}; a rubric judgement lies in [0, 1].", nameof(judgements));
            sum += weights[i];
            weighted += weights[i] * v;
        }
        return weighted / sum;
    }

    /// <summary>Throws unless every weight is finite and non-negative and their sum is positive.</summary>
    public static void ValidateWeights(IReadOnlyList<double> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count == 0) throw new ArgumentException("a rubric needs at least one criterion.", nameof(weights));
        double sum = 0;
        for (int i = 0; i < weights.Count; i++)
        {
            if (!double.IsFinite(weights[i]) || weights[i] < 0)
                throw new ArgumentException($"rubric weight {i} is {weights[i]}; weights must be finite and non-negative.", nameof(weights));
            sum += weights[i];
        }
        if (!(sum > 0)) throw new ArgumentException("the rubric weights sum to 0; give at least one criterion a positive weight.", nameof(weights));
    }
}
