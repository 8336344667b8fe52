using System.Text.Json.Nodes;

namespace Rewire.Classic.Control;

/// <summary>
/// Gymnasium's <c>NormalizeObservation</c>: each observation is standardised by running statistics,
/// (x − μ) / sqrt(σ² + ε), the statistics updated by every observation while <see cref="Update"/> is true. With
/// <see cref="Clip"/> the result is clipped to [−clip, clip] (Stable-Baselines3's <c>VecNormalize</c> clips at 10).
/// </summary>
public sealed class ObservationNormalization<TAction> : Wrapper<TAction> where TAction : notnull
{
    private readonly BoxSpace _space;

    /// <summary>Normalises with fresh statistics of its own.</summary>
    /// <param name="inner">The environment whose observations are normalised.</param>
    /// <param name="epsilon">ε added to the variance before the square root.</param>
    /// <param name="clip">Clip bound of the standardised values; none when null.</param>
    public ObservationNormalization(IEnvironment<TAction> inner, double epsilon = 1e-8, double? clip = null)
        : this(inner, new RunningMeanStd(inner?.ObservationSpace.Dimension ?? throw new ArgumentNullException(nameof(inner))), epsilon, clip)
    {
    }

    /// <summary>
    /// Normalises with <paramref name="statistics"/>, which may be shared by several environments (one set of statistics
    /// for a vectorised environment, as Stable-Baselines3's <c>VecNormalize</c> keeps, and for its evaluation copy).
    /// </summary>
    public ObservationNormalization(IEnvironment<TAction> inner, RunningMeanStd statistics, double epsilon = 1e-8, double? clip = null) : base(inner)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        if (statistics.Mean.Count != inner.ObservationSpace.Dimension)
            throw new ArgumentException($"the statistics have {statistics.Mean.Count} coordinates; the observations have {inner.ObservationSpace.Dimension}.");
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε must be positive.");
        if (clip is { } c && !(c > 0)) throw new ArgumentOutOfRangeException(nameof(clip), clip, "the clip must be positive.");
        Epsilon = epsilon;
        Clip = clip;
        Statistics = statistics;
        float bound = clip is { } b ? (float)b : float.PositiveInfinity;
        _space = BoxSpace.Uniform(-bound, bound, inner.ObservationSpace.Dimension);
    }

    /// <summary>ε added to the variance before the square root (default 1e-8).</summary>
    public double Epsilon { get; }
    /// <summary>Bound c of the clip to [−c, c] after standardising; null for no clipping.</summary>
    public double? Clip { get; }
    /// <summary>The running mean and variance the observations are standardised with (possibly shared).</summary>
    public RunningMeanStd Statistics { get; }

    /// <summary>Whether observations update the statistics (turn off for evaluation).</summary>
    public bool Update { get; set; } = true;

    /// <inheritdoc />
    public override BoxSpace ObservationSpace => _space;

    /// <inheritdoc />
    public override ResetResult Reset(int? seed = null)
    {
        var r = Inner.Reset(seed);
        return r with { Observation = Normalize(r.Observation) };
    }

    /// <inheritdoc />
    public override StepResult Step(TAction action)
    {
        var r = Inner.Step(action);
        return r with { Observation = Normalize(r.Observation) };
    }

    /// <summary>Updates the statistics (when <see cref="Update"/>) and standardises <paramref name="x"/> (a new array).</summary>
    public float[] Normalize(float[] x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (Update) Statistics.Update(x);
        var y = new float[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            double z = (x[i] - Statistics.Mean[i]) / Math.Sqrt(Statistics.Variance[i] + Epsilon);
            if (Clip is { } c) z = Math.Clamp(z, -c, c);
            y[i] = (float)z;
        }
        return y;
    }

    /// <inheritdoc />
    protected override JsonObject SaveSelf() => Statistics.Save();

    /// <inheritdoc />
    protected override void RestoreSelf(JsonObject state) => Statistics.Restore(state);
}
