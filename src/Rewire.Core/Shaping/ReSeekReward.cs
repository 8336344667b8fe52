namespace Rewire.Core.Shaping;

/// <summary>
/// ReSeek's instructive reward ("ReSeek: A Self-Correcting Framework for Search Agents with Instructive Rewards", Li et al.
/// 2025): an answer-correctness reward for the episode plus, at every JUDGE action, a reward for judging the retrieved
/// information's utility right:
/// <code>
///   R_judge(j_t, j*_t) = +α if j_t = j*_t, −α otherwise,   j*_t = good iff score(o_t) ≥ τ
///   R = R_EM + Σ_t R_judge(j_t, j*_t)
/// </code>
/// where <c>j_t</c> is the agent's judgment of the observation <c>o_t</c> it judged and <c>score</c> a reranker's relevance
/// of <c>o_t</c> to the question. The environment reports each JUDGE step's judgment (component <c>judgment</c>: +1 good,
/// −1 bad) and score (component <c>relevance</c>); every other step gets no reward, so without JUDGE actions R is the
/// outcome reward. On a batch: the scalar reward is R_EM (the outcome), the step rewards are rewritten to R_judge and
/// added to it. RECONSTRUCTED: α and τ are not published (α = 0.2, τ = 0.75). Requires
/// <see cref="ShapingBatch.StepRewards"/> and <see cref="ShapingBatch.StepComponents"/>.
/// </summary>
public sealed class ReSeekReward : IRewardShaper
{
    /// <summary>The step component holding the agent's judgment: +1 good, −1 bad (absent or 0: not a JUDGE step).</summary>
    public const string JudgmentComponent = "judgment";

    /// <summary>The step component holding the reranker's relevance score of the judged observation.</summary>
    public const string RelevanceComponent = "relevance";

    /// <param name="alpha">α, the magnitude of the judge reward. <value>The default value is 0.2.</value></param>
    /// <param name="tau">τ, the relevance score at which the ideal judgment is good. <value>The default value is 0.75.</value></param>
    public ReSeekReward(double alpha = 0.2, double tau = 0.75)
    {
        if (!(alpha >= 0 && double.IsFinite(alpha))) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "α must be finite and 0 or more.");
        if (!double.IsFinite(tau)) throw new ArgumentOutOfRangeException(nameof(tau), tau, "τ must be finite.");
        Alpha = alpha;
        Tau = tau;
    }

    /// <inheritdoc />
    public string Name => "reseek";

    /// <summary>α, the judge reward magnitude.</summary>
    public double Alpha { get; }

    /// <summary>τ, the relevance threshold of the ideal judgment.</summary>
    public double Tau { get; }

    /// <summary>
    /// R_judge of one step: ±α when the step is a JUDGE (its judgment is +1 or −1), 0 otherwise (also when the step has
    /// no relevance score).
    /// </summary>
    public double JudgeReward(IReadOnlyDictionary<string, double>? components)
    {
        if (components is null || !components.TryGetValue(JudgmentComponent, out var j) || j == 0) return 0;
        if (!components.TryGetValue(RelevanceComponent, out var score) || !double.IsFinite(score)) return 0;
        bool ideal = score >= Tau;
        return (j > 0) == ideal ? Alpha : -Alpha;
    }

    /// <inheritdoc />
    public void Apply(ShapingBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var steps = batch.Require(batch.StepRewards, nameof(ShapingBatch.StepRewards), Name);
        var components = batch.Require(batch.StepComponents, nameof(ShapingBatch.StepComponents), Name);
        for (var i = 0; i < batch.Count; i++)
        {
            var own = components[i];
            double total = 0;
            for (var t = 0; t < steps[i].Length; t++)
            {
                steps[i][t] = t < own.Length ? JudgeReward(own[t]) : 0;
                total += steps[i][t];
            }
            batch.Rewards[i] += total;
        }
    }
}
