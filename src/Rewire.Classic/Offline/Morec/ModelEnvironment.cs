using System.Text.Json.Nodes;
using Rewire.Classic.Control;
using Rewire.Core.Sampling;

namespace Rewire.Classic.Offline.Morec;

/// <summary>What the model rollouts did so far, shared by the model environments of one run.</summary>
public sealed class ModelRolloutStatistics
{
    /// <summary>Model steps taken.</summary>
    public long Steps { get; set; }

    /// <summary>Rollouts ended by the dynamics-reward threshold.</summary>
    public long FilterTerminations { get; set; }

    /// <summary>Rollouts ended by the model's own termination prediction.</summary>
    public long ModelTerminations { get; set; }

    /// <summary>Sum of the kept transitions' dynamics rewards (filtered runs).</summary>
    public double DynamicsRewardSum { get; set; }

    /// <summary>Sum of the MOPO penalties λu.</summary>
    public double PenaltySum { get; set; }
}

/// <summary>
/// The learned dynamics as an environment for an existing control learner (the MBPO/MOPO recipe: short branched model
/// rollouts that the policy learner trains on): <see cref="EnvironmentBase{TAction}.Reset"/> starts from an observation
/// drawn from the dataset, <see cref="Step"/> asks the ensemble for candidates and, with MOREC's filter, keeps the one
/// with the highest dynamics reward and terminates when that is below the threshold; without the filter it keeps one
/// random candidate (MOPO). The reward is r̂ − λu (MOPO's penalty); the rollout is truncated after
/// <see cref="MorecOptions.RolloutLength"/> steps. The true environment is never touched.
/// </summary>
public sealed class ModelEnvironment<TAction> : EnvironmentBase<TAction> where TAction : notnull
{
    private readonly OfflineData _data;
    private readonly DynamicsEnsemble _model;
    private readonly DynamicsRewardModel? _reward;
    private readonly MorecOptions _o;
    private readonly Func<TAction, float[]> _encode;
    private readonly ModelRolloutStatistics _stats;
    private float[] _obs = [];
    private int _step;

    /// <summary>A model environment over <paramref name="data"/>'s start observations; <paramref name="reward"/> is required when the filter is on.</summary>
    public ModelEnvironment(string name, BoxSpace observations, Space<TAction> actions, OfflineData data, DynamicsEnsemble model,
        DynamicsRewardModel? reward, MorecOptions options, Func<TAction, float[]> encode, ModelRolloutStatistics statistics)
    {
        _data = data ?? throw new ArgumentNullException(nameof(data));
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _o = options ?? throw new ArgumentNullException(nameof(options));
        if (_o.Filter && reward is null) throw new ArgumentException("the filter needs a dynamics reward model.", nameof(reward));
        _reward = reward;
        _encode = encode ?? throw new ArgumentNullException(nameof(encode));
        _stats = statistics ?? throw new ArgumentNullException(nameof(statistics));
        Name = name;
        ObservationSpace = observations;
        ActionSpace = actions;
    }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    public override BoxSpace ObservationSpace { get; }

    /// <inheritdoc/>
    public override Space<TAction> ActionSpace { get; }

    /// <inheritdoc/>
    protected override ResetResult ResetCore()
    {
        _obs = (float[])_data[Rng.NextInt(_data.Count)].Observation.Clone();
        _step = 0;
        return new ResetResult((float[])_obs.Clone(), EnvInfo.Empty);
    }

    /// <inheritdoc/>
    public override StepResult Step(TAction action)
    {
        var a = _encode(action);
        var candidates = _model.Candidates(_obs, a, _o.SamplesPerElite, Rng, out double uncertainty);
        _step++;
        _stats.Steps++;
        ModelTransition kept;
        bool filtered = false;
        double score = double.NaN;
        if (_o.Filter)
        {
            var scores = new double[candidates.Count];
            for (int i = 0; i < scores.Length; i++) scores[i] = _reward!.Score(_obs, a, candidates[i].NextObservation);
            int chosen = TransitionFilter.Select(scores, _o.Selection, _o.Temperature, Rng);
            kept = candidates[chosen];
            score = scores[chosen];
            _stats.DynamicsRewardSum += score;
            filtered = TransitionFilter.Terminates(score, _o.TerminalDynamicsReward, _step, _o.MinimalRolloutLength);
        }
        else kept = candidates[Rng.NextInt(candidates.Count)];
        double penalty = _o.PenaltyCoefficient * uncertainty;
        _stats.PenaltySum += penalty;
        if (kept.Terminated) _stats.ModelTerminations++;
        else if (filtered) _stats.FilterTerminations++;
        bool terminated = kept.Terminated || filtered;
        _obs = kept.NextObservation;
        var info = _o.Filter ? EnvInfo.Empty.With("dynamics_reward", score) : EnvInfo.Empty;
        return new StepResult((float[])_obs.Clone(), kept.Reward - penalty, terminated, !terminated && _step >= _o.RolloutLength, info);
    }

    /// <inheritdoc/>
    protected override JsonObject SaveCore() => new() { ["obs"] = Numbers(_obs.Select(x => (double)x).ToArray()), ["step"] = _step };

    /// <inheritdoc/>
    protected override void RestoreCore(JsonObject state)
    {
        ArgumentNullException.ThrowIfNull(state);
        _obs = ReadNumbers(state, "obs", ObservationSpace.Dimension).Select(x => (float)x).ToArray();
        _step = state["step"]?.GetValue<int>() ?? 0;
    }
}
