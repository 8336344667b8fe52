using System.Text.Json.Nodes;
using Rewire.Core.Shaping;
using Rewire.Core.Techniques;

namespace Rewire.Classic.RewardDesign;

/// <summary>
/// Potential-based reward shaping as a reward design ("Policy invariance under reward transformations", Ng, Harada and
/// Russell, ICML 1999; the baseline of "Behavior Alignment via Reward Function Optimization", Gupta et al. 2023):
/// <c>r'_t = r_t + γ·Φ(s_{t+1}) − Φ(s_t)</c> with Φ(terminal) := 0, so every optimal policy of the shaped task is optimal
/// for the original one (Q*' = Q* − Φ). The potential is either the environment's heuristic
/// (<see cref="DesignStep.Potential"/>; on the grid world the negative remaining distance through the current
/// sub-goals) or a value estimate supplied as a function of the state (on the grid world, V* of the sparse task by value
/// iteration on its model), scaled by <see cref="Scale"/>. The term is Rewire.Core's
/// <see cref="PotentialBasedShaping.Term"/>; a truncated episode keeps Φ(s_T).
/// </summary>
public sealed class PotentialBasedShapingDesign : IEpisodeRewardDesign, IStatefulTechnique
{
    private readonly Func<int, double>? _value;
    private readonly Lock _gate = new();
    private double _shapingSum;
    private long _steps;

    /// <param name="gamma">γ of the learner (invariance needs the same γ). <value>The default value is 0.99.</value></param>
    /// <param name="scale">Multiplies Φ. <value>The default value is 1.</value></param>
    /// <param name="value">A value estimate V(state) used as Φ instead of the heuristic; null for the heuristic.</param>
    public PotentialBasedShapingDesign(double gamma = 0.99, double scale = 1.0, Func<int, double>? value = null)
    {
        if (!(gamma is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "γ must lie in [0, 1].");
        if (!double.IsFinite(scale)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "The potential scale must be finite.");
        Gamma = gamma;
        Scale = scale;
        _value = value;
    }

    /// <inheritdoc />
    public string Name => "pbrs";

    /// <summary>γ of the learner, used in <c>γ·Φ(s')</c>.</summary>
    public double Gamma { get; }

    /// <summary>Factor that multiplies Φ.</summary>
    public double Scale { get; }

    /// <summary>Φ(s_0..s_T) of an episode.</summary>
    public double[] Potentials(DesignEpisode episode)
    {
        ArgumentNullException.ThrowIfNull(episode);
        var phi = new double[episode.Length + 1];
        for (int t = 0; t < episode.Length; t++)
        {
            var s = episode.Steps[t];
            phi[t] = Scale * (_value is null ? s.Potential : _value(s.State));
            if (t == episode.Length - 1) phi[t + 1] = Scale * (_value is null ? s.NextPotential : _value(s.NextState));
        }
        return phi;
    }

    /// <summary>r + γΦ(s') − Φ(s) of the last step, Φ(s') := 0 when it is terminal.</summary>
    public double Reward(IReadOnlyList<DesignStep> episodeSoFar)
    {
        ArgumentNullException.ThrowIfNull(episodeSoFar);
        var s = episodeSoFar[^1];
        double phi = Scale * (_value is null ? s.Potential : _value(s.State));
        double next = s.Terminal ? 0.0 : Scale * (_value is null ? s.NextPotential : _value(s.NextState));
        double f = PotentialBasedShaping.Term(phi, next, Gamma);
        lock (_gate)
        {
            _shapingSum += f;
            _steps++;
        }
        return s.Reward + f;
    }

    /// <inheritdoc />
    public JsonObject SaveState() { lock (_gate) return new() { ["shaping_sum"] = _shapingSum, ["steps"] = _steps }; }

    /// <inheritdoc />
    public void RestoreState(JsonObject state)
    {
        ArgumentNullException.ThrowIfNull(state);
        lock (_gate)
        {
            _shapingSum = state["shaping_sum"]?.GetValue<double>() ?? throw new ArgumentException("the saved pbrs state has no 'shaping_sum'.");
            _steps = state["steps"]?.GetValue<long>() ?? throw new ArgumentException("the saved pbrs state has no 'steps'.");
        }
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> Metrics => new Dictionary<string, double>
    {
        ["reward_design/pbrs/mean_shaping_per_step"] = _steps == 0 ? 0 : _shapingSum / _steps,
    };
}
