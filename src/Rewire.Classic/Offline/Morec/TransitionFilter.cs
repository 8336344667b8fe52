using Rewire.Core.Sampling;

namespace Rewire.Classic.Offline.Morec;

/// <summary>How <see cref="TransitionFilter"/> picks one of the candidate transitions.</summary>
public enum FilterSelection
{
    /// <summary>The candidate with the highest dynamics reward (the authors' <c>select_elite</c>).</summary>
    Argmax,

    /// <summary>A candidate drawn from softmax(r^D / temperature) (the authors' <c>softmax_elite</c>, temperature 0.1).</summary>
    Softmax,
}

/// <summary>
/// MOREC's transition filter: the dynamics model proposes several next states for one (s, a) (each elite member's
/// Gaussian sampled a few times), the dynamics reward scores them, one is kept, and the model rollout ends at the first
/// step whose kept candidate scores below the threshold (0.6 in the authors' code), once the rollout is at least the
/// minimal length long.
/// </summary>
public static class TransitionFilter
{
    /// <summary>The index of the kept candidate. Argmax takes the first of equal maxima; Softmax draws from softmax(score / temperature).</summary>
    public static int Select(ReadOnlySpan<double> scores, FilterSelection selection, double temperature, Xoshiro256StarStar rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (scores.Length == 0) throw new ArgumentException("the filter needs at least one candidate.", nameof(scores));
        int best = 0;
        for (int i = 1; i < scores.Length; i++) if (scores[i] > scores[best]) best = i;
        if (selection == FilterSelection.Argmax) return best;
        if (!(temperature > 0)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "the softmax temperature must be positive.");
        var weights = new double[scores.Length];
        double total = 0;
        for (int i = 0; i < scores.Length; i++) total += weights[i] = Math.Exp((scores[i] - scores[best]) / temperature);
        double u = rng.NextDouble() * total;
        for (int i = 0; i < weights.Length; i++)
        {
            u -= weights[i];
            if (u < 0) return i;
        }
        return weights.Length - 1;
    }

    /// <summary>True when the rollout must end here: the kept candidate's dynamics reward is below <paramref name="threshold"/> and the rollout has taken at least <paramref name="minimalLength"/> steps (this one included).</summary>
    public static bool Terminates(double keptScore, double threshold, int stepsTaken, int minimalLength) =>
        stepsTaken >= minimalLength && keptScore < threshold;
}
