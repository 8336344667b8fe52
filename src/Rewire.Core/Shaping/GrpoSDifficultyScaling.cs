using Rewire.Core.Stats;

namespace Rewire.Core.Shaping;

/// <summary>
/// GRPO-S difficulty scaling, [T08] ("Inverse Reinforcement Learning with Dynamic Reward Scaling for LLM Alignment",
/// DR-IRL). RECONSTRUCTED: the paper's equations were not available; the form and constants are configurable.
/// With hardness h(x) ∈ [0, 1] per prompt (<see cref="ShapingBatch.Hardness"/>) and group responsiveness
/// <c>g = 1 − clip((R_max − R_mean) / R_range, 0, 1)</c> (small reward gap ⇒ not yet responsive ⇒ scale up):
/// <code>
/// product form:     R'_i = R_i · (1 + α·h) · (1 + γ·g)
/// exponential form: R'_i = R_i · exp(α·h + γ·g)
/// </code>
/// α = γ = 0 is plain GRPO. Note: group std-normalised advantages cancel any per-group constant scale; the scaling
/// matters with <c>normalize_std = false</c> estimators or when the factor varies within a group.
/// </summary>
public sealed class GrpoSDifficultyScaling : IRewardShaper
{
    /// <param name="alpha">Hardness weight α ≥ 0. <value>The default value is 0.5.</value></param>
    /// <param name="gamma">Responsiveness weight γ ≥ 0. <value>The default value is 0.5.</value></param>
    /// <param name="rewardRange">R_range, the span of possible rewards (> 0). <value>The default value is 1.</value></param>
    /// <param name="exponential">Use the exponential form. <value>The default value is false.</value></param>
    public GrpoSDifficultyScaling(double alpha = 0.5, double gamma = 0.5, double rewardRange = 1.0, bool exponential = false)
    {
        if (!(alpha >= 0) || !(gamma >= 0) || !(rewardRange > 0) || !double.IsFinite(alpha + gamma + rewardRange))
        {
            throw new ArgumentException($"GRPO-S needs α ≥ 0, γ ≥ 0 and a positive reward range (got {alpha}, {gamma}, {rewardRange}).");
        }

        Alpha = alpha;
        Gamma = gamma;
        RewardRange = rewardRange;
        Exponential = exponential;
    }

    /// <inheritdoc />
    public string Name => "grpo_s";

    /// <summary>α ≥ 0, the weight of prompt hardness h in the scale factor.</summary>
    public double Alpha { get; }

    /// <summary>γ ≥ 0, the weight of group responsiveness g in the scale factor.</summary>
    public double Gamma { get; }

    /// <summary>R_range &gt; 0, the span of possible rewards used to normalise the group's reward gap.</summary>
    public double RewardRange { get; }

    /// <summary>Whether the exponential form <c>exp(α·h + γ·g)</c> is used instead of the product form.</summary>
    public bool Exponential { get; }

    /// <summary>The scale factor for hardness <paramref name="h"/> and responsiveness <paramref name="g"/>.</summary>
    public double Factor(double h, double g) =>
        Exponential ? Math.Exp(Alpha * h + Gamma * g) : (1 + Alpha * h) * (1 + Gamma * g);

    /// <inheritdoc />
    public void Apply(ShapingBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        double[]? hardness = null;
        if (Alpha != 0)
        {
            hardness = batch.Require(batch.Hardness, nameof(ShapingBatch.Hardness), Name);
        }

        var r = batch.Rewards;
        var index = batch.Index;
        for (var g = 0; g < index.GroupCount; g++)
        {
            var members = index.Members(g);
            double sum = 0, max = double.NegativeInfinity;
            foreach (var i in members)
            {
                sum += r[i];
                max = Math.Max(max, r[i]);
            }

            var responsiveness = 1 - Math.Clamp((max - sum / members.Length) / RewardRange, 0, 1);
            foreach (var i in members)
            {
                var h = hardness?[i] ?? 0.0;
                if (!(h is >= 0 and <= 1))
                {
                    throw new ArgumentException($"GRPO-S: hardness {h} of rollout {i} is outside [0, 1].");
                }

                r[i] *= Factor(h, responsiveness);
            }
        }
    }
}
