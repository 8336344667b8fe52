namespace Rewire.Core.Shaping;

/// <summary>
/// Potential-based reward shaping, [R07] (Ng, Harada and Russell 1999, "Policy invariance under reward
/// transformations"; the comparison baseline of "Behavior Alignment via Reward Function Optimization", Gupta et al.
/// 2023): <c>F(s, a, s') = γ·Φ(s') − Φ(s)</c> and <c>r' = r + F</c>. It leaves optimal policies unchanged
/// (Q*' = Q* − Φ(s)). In episodes Φ(terminal) := 0, so the discounted sum of F telescopes to <c>−Φ(s_0)</c>.
/// On a batch: each rollout's step rewards are shaped with its potentials Φ(s_0..s_T) (one more than the steps), and its
/// scalar reward receives the undiscounted sum of the shaping terms. Requires <see cref="ShapingBatch.StepRewards"/>
/// and <see cref="ShapingBatch.Potentials"/>; <see cref="ShapingBatch.Terminal"/> (default all terminal) says whether Φ(s_T) is zeroed.
/// </summary>
public sealed class PotentialBasedShaping : IRewardShaper
{
    /// <param name="gamma">Discount γ ∈ [0, 1] of the MDP being shaped. <value>The default value is 1.</value></param>
    public PotentialBasedShaping(double gamma = 1.0)
    {
        if (!(gamma is >= 0 and <= 1))
        {
            throw new ArgumentException($"discount γ = {gamma} must lie in [0, 1].", nameof(gamma));
        }

        Gamma = gamma;
    }

    /// <inheritdoc />
    public string Name => "potential";

    /// <summary>γ ∈ [0, 1], the discount of the MDP being shaped.</summary>
    public double Gamma { get; }

    /// <summary>The shaping term F = γΦ(s') − Φ(s).</summary>
    public static double Term(double potential, double nextPotential, double gamma) => gamma * nextPotential - potential;

    /// <summary>
    /// Shapes one trajectory in place: <c>rewards[t] += γ·Φ(s_{t+1}) − Φ(s_t)</c>, with Φ(s_T) := 0 when
    /// <paramref name="terminal"/>. Returns the undiscounted sum of the shaping terms.
    /// </summary>
    public static double ShapeTrajectory(Span<double> rewards, ReadOnlySpan<double> potentials, double gamma, bool terminal = true)
    {
        if (potentials.Length != rewards.Length + 1)
        {
            throw new ArgumentException($"a trajectory of {rewards.Length} steps needs {rewards.Length + 1} potentials Φ(s_0..s_T), got {potentials.Length}.");
        }

        double added = 0;
        for (var t = 0; t < rewards.Length; t++)
        {
            var next = terminal && t == rewards.Length - 1 ? 0.0 : potentials[t + 1];
            var f = Term(potentials[t], next, gamma);
            rewards[t] += f;
            added += f;
        }

        return added;
    }

    /// <inheritdoc />
    public void Apply(ShapingBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var steps = batch.Require(batch.StepRewards, nameof(ShapingBatch.StepRewards), Name);
        var potentials = batch.Require(batch.Potentials, nameof(ShapingBatch.Potentials), Name);
        for (var i = 0; i < batch.Count; i++)
        {
            var terminal = batch.Terminal is not { } term || term[i];
            batch.Rewards[i] += ShapeTrajectory(steps[i], potentials[i], Gamma, terminal);
        }
    }
}
