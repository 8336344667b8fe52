namespace Rewire.Classic.RewardDesign;

/// <summary>
/// Naive shaping: the environment's reward plus every auxiliary term at weight 1 (<c>r + Σ_j r_aux,j</c>), the
/// "r_p + r_aux" baseline of "Behavior Alignment via Reward Function Optimization" (Gupta et al. 2023) that a
/// misleading term breaks.
/// </summary>
public sealed class NaiveShaping(double weight = 1.0) : IEpisodeRewardDesign
{
    /// <inheritdoc />
    public string Name => "naive-shaping";

    private readonly Lock _gate = new();
    private double _added;
    private long _steps;

    /// <summary>Weight of every auxiliary term (1 is the paper's naive baseline).</summary>
    public double Weight { get; } = weight;

    /// <inheritdoc />
    public double Reward(IReadOnlyList<DesignStep> episodeSoFar)
    {
        ArgumentNullException.ThrowIfNull(episodeSoFar);
        var s = episodeSoFar[^1];
        double aux = Weight * s.Auxiliary.Sum();
        lock (_gate)
        {
            _added += aux;
            _steps++;
        }
        return s.Reward + aux;
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> Metrics
    {
        get
        {
            lock (_gate)
                return new Dictionary<string, double> { ["reward_design/naive-shaping/mean_auxiliary_per_step"] = _steps == 0 ? 0 : _added / _steps };
        }
    }
}
