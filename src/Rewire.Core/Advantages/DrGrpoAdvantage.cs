namespace Rewire.Core.Advantages;

/// <summary>
/// [T02] Dr. GRPO, "Understanding R1-Zero-Like Training: A Critical Perspective" (arXiv 2503.20783):
/// <c>Â_i = R_i − mean_g R</c>, no division by the group std (removes the question-difficulty bias). The other half
/// of Dr.GRPO, the constant-length loss normaliser, is a loss-aggregation mode and lives with the objectives.
/// </summary>
public static class DrGrpoAdvantage
{
    /// <summary>The registry name of Dr. GRPO, <c>dr_grpo</c>.</summary>
    public const string Name = "dr_grpo";

    /// <summary>A GRPO estimator with std normalisation off, registered as "dr_grpo".</summary>
    public static GrpoAdvantage Create(double epsilon = 1e-6) =>
        new(new GrpoOptions { Epsilon = epsilon, NormalizeByStd = false }, Name);
}
