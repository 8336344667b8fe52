namespace Rewire.Core.MultiObjective;

/// <summary>
/// Turns per-objective rewards into the scalar reward the trainer optimises: r = scale · Σ_k w_k r_k with w on the simplex.
/// Adaptive weightings receive feedback through <see cref="IValidationFeedback"/> or <see cref="IGradientFeedback"/>.
/// </summary>
public interface IRewardWeighting
{
    /// <summary>The registry name.</summary>
    string Name { get; }

    /// <summary>The objective names, in the order of rewards and weights.</summary>
    IReadOnlyList<string> Objectives { get; }

    /// <summary>The current weights (on the simplex).</summary>
    IReadOnlyList<double> Weights { get; }

    /// <summary>A multiplier on the scalar reward (1 unless the weighting has a meta-reward, as R04's hypervolume guidance).</summary>
    double RewardScale { get; }

    /// <summary>scale · Σ_k w_k r_k for one rollout's objective rewards.</summary>
    double Scalarise(ReadOnlySpan<double> objectiveRewards);
}

/// <summary>A weighting that adapts from each step's validation vector of objective values.</summary>
public interface IValidationFeedback
{
    /// <summary>Feeds the validation vector of step <paramref name="step"/>.</summary>
    HypervolumeStep ObserveValidation(long step, ReadOnlySpan<double> objectiveValues);
}

/// <summary>A weighting that adapts from per-objective policy gradients.</summary>
public interface IGradientFeedback
{
    /// <summary>Feeds one flattened gradient per objective (all the same length) and the current learning rate; true when the weights changed.</summary>
    bool ObserveGradients(IReadOnlyList<double[]> gradients, double learningRate);
}

/// <summary>What one validation step did to R04's hypervolume-guided weighting.</summary>
/// <param name="Contribution">Hypervolume added to the buffer by the point (clipped at 0).</param>
/// <param name="MetaReward">m = 0.5 + 1.5·tanh(c), the next step's reward multiplier.</param>
/// <param name="Accepted">True when the point entered the buffer (c &gt; 0).</param>
public sealed record HypervolumeStep(double Contribution, double MetaReward, bool Accepted);

/// <summary>Shared checks of weightings.</summary>
internal static class WeightingChecks
{
    public static double Dot(IReadOnlyList<double> w, ReadOnlySpan<double> r, string name)
    {
        if (r.Length != w.Count)
            throw new ArgumentException($"'{name}' weighs {w.Count} objectives but got {r.Length} rewards; pass one reward per objective in the configured order.");
        var s = 0.0;
        for (var k = 0; k < r.Length; k++)
        {
            if (!double.IsFinite(r[k])) throw new ArgumentException($"'{name}': objective reward {k} is {r[k]}; rewards must be finite.");
            s += w[k] * r[k];
        }
        return s;
    }

    public static void CheckNames(IReadOnlyList<string> objectives, int count, string name)
    {
        ArgumentNullException.ThrowIfNull(objectives);
        if (objectives.Count != count)
            throw new ArgumentException($"'{name}' got {objectives.Count} objective names for {count} weights; give one name per weight.");
        if (objectives.Distinct(StringComparer.Ordinal).Count() != objectives.Count)
            throw new ArgumentException($"'{name}' objective names must be unique: {string.Join(", ", objectives)}.");
    }
}
