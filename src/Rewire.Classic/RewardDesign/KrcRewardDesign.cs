using System.Text.Json.Nodes;
using Rewire.Core.Analysis;
using Rewire.Core.Techniques;

namespace Rewire.Classic.RewardDesign;

/// <summary>
/// Lucy-SKG's Kinesthetic Reward Combination (KRC, <see cref="KinestheticRewardCombination"/>) as a reward design.
/// The grid world's KRC reward design: <c>r = r_env + weight · KRC(R_dist(d_subgoal), stage utility)</c>, where d_subgoal
/// is the distance from s' to the current sub-goal shaped by eq. 3 (c_d = grid size) and the stage utility is
/// (1 + sub-goals done)/(stages + 1) ∈ (0, 1]; the analogue of Lucy-SKG's "distance-weighted alignment". Reward analysis
/// as in the paper: the run reports each component's and the combination's mean contribution to an episode's return
/// (<c>reward_design/krc/contribution/NAME</c>).
/// </summary>
public sealed class KrcRewardDesign : IEpisodeRewardDesign, IStatefulTechnique
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, double> _sums = new(StringComparer.Ordinal);
    private long _episodes;

    /// <summary>
    /// Creates the design with the KRC weight and the distance-shaping constants of Lucy-SKG's eq. 3.
    /// </summary>
    /// <param name="weight">Weight of the KRC term added to the environment's reward (finite).</param>
    /// <param name="dispersion">Dispersion constant of the distance reward R_dist.</param>
    /// <param name="density">Density constant of the distance reward R_dist.</param>
    public KrcRewardDesign(double weight = 1.0, double dispersion = 1.1, double density = 1.1)
    {
        if (!double.IsFinite(weight)) throw new ArgumentOutOfRangeException(nameof(weight), weight, "The KRC weight must be finite.");
        Weight = weight;
        Dispersion = dispersion;
        Density = density;
        _ = KinestheticRewardCombination.DistanceShape(0, 1, dispersion, density);
    }

    /// <inheritdoc />
    public string Name => "krc";

    /// <summary>Weight of the KRC term added to the environment's reward.</summary>
    public double Weight { get; }

    /// <summary>Dispersion constant of the distance reward R_dist (Lucy-SKG eq. 3).</summary>
    public double Dispersion { get; }

    /// <summary>Density constant of the distance reward R_dist (Lucy-SKG eq. 3).</summary>
    public double Density { get; }

    /// <summary>The named components of a step (distance, stage) and their combination.</summary>
    public (double Distance, double Stage, double Combined) Components(DesignStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var o = step.Observation;
        if (!o.TryGetValue("next_subgoal_distance", out double d) || !o.TryGetValue("next_stage", out double stage) || !o.TryGetValue("stages", out double stages) || !o.TryGetValue("size", out double size))
            throw new ArgumentException("KRC's grid design needs the observation fields next_subgoal_distance, next_stage, stages and size (the key-door grid world provides them).");
        double dist = KinestheticRewardCombination.DistanceShape(d, size, Dispersion, Density);
        double util = (1 + Math.Min(stage, stages)) / (stages + 1);
        return (dist, util, KinestheticRewardCombination.Combine([dist, util]));
    }

    /// <inheritdoc />
    public double Reward(IReadOnlyList<DesignStep> episodeSoFar)
    {
        ArgumentNullException.ThrowIfNull(episodeSoFar);
        var s = episodeSoFar[^1];
        return s.Reward + Weight * Components(s).Combined;
    }

    /// <summary>Accumulates the episode's per-component sums for the reward analysis.</summary>
    public void EndEpisode(DesignEpisode episode)
    {
        ArgumentNullException.ThrowIfNull(episode);
        double env = 0, dist = 0, stage = 0, comb = 0;
        foreach (var s in episode.Steps)
        {
            var c = Components(s);
            env += s.Reward;
            dist += c.Distance;
            stage += c.Stage;
            comb += Weight * c.Combined;
        }
        lock (_gate)
        {
            _episodes++;
            Add("environment", env);
            Add("distance", dist);
            Add("stage", stage);
            Add("krc", comb);
        }
    }

    private void Add(string name, double v) => _sums[name] = _sums.GetValueOrDefault(name) + v;

    /// <inheritdoc />
    public JsonObject SaveState()
    {
        lock (_gate)
            return new JsonObject
            {
                ["episodes"] = _episodes,
                ["sums"] = new JsonObject(_sums.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))),
            };
    }

    /// <inheritdoc />
    public void RestoreState(JsonObject state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var sums = state["sums"] as JsonObject ?? throw new ArgumentException("the saved krc state has no 'sums'.");
        lock (_gate)
        {
            _episodes = state["episodes"]?.GetValue<long>() ?? throw new ArgumentException("the saved krc state has no 'episodes'.");
            _sums.Clear();
            foreach (var (k, v) in sums) _sums[k] = v!.GetValue<double>();
        }
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> Metrics
    {
        get
        {
            lock (_gate)
                return _sums.ToDictionary(kv => $"reward_design/krc/contribution/{kv.Key}", kv => _episodes == 0 ? 0 : kv.Value / _episodes);
        }
    }
}
