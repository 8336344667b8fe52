using Rewire.Classic.Bandits;
using Rewire.Core;

namespace Rewire.Classic.Distributional;

/// <summary>
/// A statistical functional K of the stock-augmented return, [C18]: <see cref="Evaluate"/> returns K(law(c + G)) for
/// G distributed as the given return distribution and stock c.
/// </summary>
public interface IReturnObjective
{
    /// <summary>Short registry name of the objective (e.g. <c>mean</c>, <c>cvar</c>).</summary>
    string Name { get; }

    /// <summary>
    /// K(law(c + G)) for G distributed as <paramref name="distribution"/> and stock <paramref name="stock"/>.
    /// </summary>
    /// <param name="distribution">The return distribution from the augmented state.</param>
    /// <param name="stock">The current stock c.</param>
    double Evaluate(ReturnDistribution distribution, double stock);
}

/// <summary>Expected utility <c>K(ν) = E_ν f(X)</c>: indifferent to mixtures, so distributional DP optimises it exactly [C18].</summary>
public class ExpectedUtilityObjective(string name, Func<double, double> utility) : IReturnObjective
{
    private readonly Func<double, double> _f = utility ?? throw new ArgumentNullException(nameof(utility));

    /// <inheritdoc />
    public string Name { get; } = name;

    /// <inheritdoc />
    public double Evaluate(ReturnDistribution distribution, double stock)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        double s = 0;
        for (int i = 0; i < distribution.Values.Length; i++) s += distribution.Probabilities[i] * _f(stock + distribution.Values[i]);
        return s;
    }
}

/// <summary>K = mean: standard RL (with c0 = 0).</summary>
public sealed class MeanObjective() : ExpectedUtilityObjective("mean", x => x);

/// <summary>
/// The Rockafellar-Uryasev inner objective of CVaR [C18]: <c>f(x) = min(x, 0)</c> (positively homogeneous, so safe
/// under the γ-scaling of the stock). Run with c0 = −b; CVaR_τ = max_b { b + (1/τ)·E f(c0 + G) }.
/// </summary>
public sealed class NegativePartObjective() : ExpectedUtilityObjective("negative-part", x => Math.Min(x, 0.0));

/// <summary>Probability of reaching a return threshold [C18]: <c>f(x) = 1[x ≥ 0]</c> with c0 = −threshold.</summary>
public sealed class ThresholdObjective() : ExpectedUtilityObjective("threshold", x => x >= 0 ? 1.0 : 0.0);

/// <summary>
/// Homeostatic regulation [C18] — RECONSTRUCTED form (the paper's exact objective was not retrievable): keep the final
/// stock-augmented return near a set point. Two configurable forms: <c>Band</c> uses <c>f(x) = 1[l ≤ x ≤ u]</c>;
/// <c>Distance</c> uses <c>f(x) = −|x − target|^power</c>. Both are expected utilities, so DP applies (γ = 1, episodic).
/// </summary>
public sealed class HomeostaticObjective : ExpectedUtilityObjective
{
    private HomeostaticObjective(string name, Func<double, double> f)
        : base(name, f)
    {
    }

    /// <summary><c>f(x) = 1[lower ≤ x ≤ upper]</c>.</summary>
    public static HomeostaticObjective Band(double lower, double upper)
    {
        if (!(upper >= lower)) throw new ArgumentException($"The homeostatic band needs upper >= lower (got [{lower}, {upper}]).");
        return new HomeostaticObjective("homeostatic-band", x => x >= lower && x <= upper ? 1.0 : 0.0);
    }

    /// <summary><c>f(x) = −|x − target|^power</c> (power 1 by default).</summary>
    public static HomeostaticObjective Distance(double target, double power = 1.0)
    {
        if (!(power > 0)) throw new ArgumentOutOfRangeException(nameof(power), power, "The distance power must be positive.");
        return new HomeostaticObjective("homeostatic-distance", x => -Math.Pow(Math.Abs(x - target), power));
    }
}

/// <summary>Lower-tail CVaR_α of c + G computed directly from the distribution (for evaluation; not mixture-indifferent).</summary>
public sealed class CvarObjective(double alpha) : IReturnObjective
{
    /// <summary>CVaR level α in (0, 1]: the fraction of worst outcomes averaged.</summary>
    public double Alpha { get; } = alpha > 0 && alpha <= 1 ? alpha : throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "The CVaR level must lie in (0, 1].");

    /// <inheritdoc />
    public string Name => "cvar";

    /// <inheritdoc />
    public double Evaluate(ReturnDistribution distribution, double stock)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        return stock + distribution.Cvar(Alpha);
    }
}

/// <summary>
/// Mean-variance <c>E X − λ Var X</c>. Not indifferent to mixtures, so distributional DP cannot optimise it [C18]; it is
/// here so the failure can be demonstrated and so evaluation can report it.
/// </summary>
public sealed class MeanVarianceObjective(double lambda) : IReturnObjective
{
    /// <summary>Weight λ ≥ 0 of the variance penalty in <c>E[X] − λ·Var[X]</c>.</summary>
    public double Lambda { get; } = lambda >= 0 ? lambda : throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "lambda must be >= 0.");

    /// <inheritdoc />
    public string Name => "mean-variance";

    /// <inheritdoc />
    public double Evaluate(ReturnDistribution distribution, double stock)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        return stock + distribution.Mean - Lambda * distribution.Variance;
    }
}

/// <summary>Parameters a named objective may need.</summary>
/// <param name="Alpha">CVaR level.</param>
/// <param name="Lower">Lower bound of a homeostatic band.</param>
/// <param name="Upper">Upper bound of a homeostatic band.</param>
/// <param name="Target">Homeostatic set point.</param>
/// <param name="Lambda">Variance penalty.</param>
public sealed record ObjectiveParameters(double Alpha = 0.1, double Lower = -1, double Upper = 1, double Target = 0, double Lambda = 1);

/// <summary>The name-keyed registry of return objectives.</summary>
public static class ReturnObjectives
{
    /// <summary>
    /// The built-in objectives by name (case-insensitive): <c>mean</c>, <c>cvar</c>, <c>mean-variance</c>, the
    /// threshold and homeostatic objectives.
    /// </summary>
    public static NamedRegistry<Func<ObjectiveParameters, IReturnObjective>> Registry { get; } = CreateDefault();

    /// <summary>
    /// Builds the objective <paramref name="name"/> from the registry; throws with the valid names when it is unknown.
    /// </summary>
    /// <param name="name">Registry name.</param>
    /// <param name="parameters">Parameters the objective reads (level, bounds, target, λ); the defaults when null.</param>
    public static IReturnObjective Create(string name, ObjectiveParameters? parameters = null) => Registry.Get(name)(parameters ?? new ObjectiveParameters());

    /// <summary>A new registry holding the built-in objectives.</summary>
    public static NamedRegistry<Func<ObjectiveParameters, IReturnObjective>> CreateDefault()
    {
        var r = new NamedRegistry<Func<ObjectiveParameters, IReturnObjective>>("return objective", StringComparer.OrdinalIgnoreCase);
        r.Register("mean", _ => new MeanObjective());
        r.Register("negative-part", _ => new NegativePartObjective());
        r.Register("threshold", _ => new ThresholdObjective());
        r.Register("cvar", p => new CvarObjective(p.Alpha));
        r.Register("homeostatic-band", p => HomeostaticObjective.Band(p.Lower, p.Upper));
        r.Register("homeostatic-distance", p => HomeostaticObjective.Distance(p.Target));
        r.Register("mean-variance", p => new MeanVarianceObjective(p.Lambda));
        return r;
    }
}
