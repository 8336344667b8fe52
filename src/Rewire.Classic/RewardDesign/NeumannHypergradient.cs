namespace Rewire.Classic.RewardDesign;

/// <summary>
/// A bi-level problem seen from its current point (θ, φ): the inner objective J_φ(θ) (the policy's return under the
/// learned reward) and the outer objective J_p(θ) (the return under the designer's primary reward). The three products
/// are all implicit differentiation needs.
/// </summary>
public interface IBilevelProblem
{
    /// <summary>Number of inner parameters θ (the policy's).</summary>
    int ThetaCount { get; }

    /// <summary>Number of outer parameters φ (the reward's).</summary>
    int PhiCount { get; }

    /// <summary>v = ∇_θ J_p(θ).</summary>
    double[] PrimaryGradient();

    /// <summary>H·x with H = ∂²J_φ/∂θ² (negative definite near an inner maximum).</summary>
    double[] HessianVector(ReadOnlySpan<double> x);

    /// <summary>M·p = ∂/∂φ (∇_θ J_φ(θ) · p), with p held fixed.</summary>
    double[] MixedVector(ReadOnlySpan<double> p);
}

/// <summary>
/// The hypergradient of "Behavior Alignment via Reward Function Optimization" (BARFI, Gupta et al., NeurIPS 2023) by
/// implicit differentiation with the Neumann-series inverse-Hessian-vector product of "Optimizing Millions of
/// Hyperparameters by Implicit Differentiation" (Lorraine, Vicol, Duvenaud, AISTATS 2020).
/// <para>With θ*(φ) a maximiser of J_φ, <c>dJ_p(θ*(φ))/dφ = −M H⁻¹ v</c> (v = ∇_θ J_p, H = ∂²J_φ/∂θ²,
/// M = ∂²J_φ/∂φ∂θ). For a negative definite H and 0 &lt; α with ‖I + αH‖ &lt; 1,
/// <c>H⁻¹ = −α Σ_k (I + αH)^k</c>, so with <c>v_0 = v</c>, L times <c>v ← v + α H v</c>, <c>p = Σ_{k=0..L} v_k</c>:
/// <c>dJ_p/dφ ≈ α · M p</c>. (The paper writes the same series for losses, −J, hence its signs: v ← v − αHv and
/// ∇_φ = −α·∂/∂φ(∇_θ J_φ · p).) Paper defaults: L = 5 loops, α = 5e-4.</para>
/// </summary>
public static class NeumannHypergradient
{
    /// <summary>α·M·p, the approximate gradient of the primary objective with respect to φ.</summary>
    public static double[] Compute(IBilevelProblem problem, double alpha = 5e-4, int loops = 5)
    {
        ArgumentNullException.ThrowIfNull(problem);
        if (!(alpha > 0) || !double.IsFinite(alpha)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "The Neumann step α must be positive.");
        if (loops < 0) throw new ArgumentOutOfRangeException(nameof(loops), loops, "The number of Neumann loops must be 0 or more.");
        var p = InverseHessianSeries(problem, problem.PrimaryGradient(), alpha, loops);
        var m = problem.MixedVector(p);
        for (int i = 0; i < m.Length; i++) m[i] *= alpha;
        return m;
    }

    /// <summary>p = Σ_{k=0..L} (I + αH)^k v, so that −α·p ≈ H⁻¹ v.</summary>
    public static double[] InverseHessianSeries(IBilevelProblem problem, ReadOnlySpan<double> v, double alpha, int loops)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var cur = v.ToArray();
        var p = v.ToArray();
        for (int l = 0; l < loops; l++)
        {
            var hv = problem.HessianVector(cur);
            for (int i = 0; i < cur.Length; i++)
            {
                cur[i] += alpha * hv[i];
                p[i] += cur[i];
            }
        }
        return p;
    }
}
