using System.Text.Json.Nodes;
using Rewire.Classic.Control;
using Rewire.Core.Runs;
using Rewire.Core.Sampling;
using Rewire.Torch.Checkpoints;
using Rewire.Torch.Runtime;
using Rewire.Torch.Training;
using TorchSharp;
using TorchSharp.Modules;
using AdamW = Rewire.Torch.Training.AdamW;
using static TorchSharp.torch;

namespace Rewire.Torch.Control;

/// <summary>
/// Deep Q-learning ("Human-level control through deep reinforcement learning", Mnih et al. 2015) with Stable-Baselines3's
/// loop. Each <see cref="Update"/> takes train_freq steps in each environment with ε-greedy actions (ε on its linear
/// schedule, a coin per environment), stores the transitions in the <see cref="ReplayBuffer"/> (the true final
/// observation as s' and done = terminated, so truncated steps bootstrap), copies the online network into the target
/// every target_update_interval environment steps, then takes gradient_steps Adam steps on <see cref="DqnLoss"/>
/// (double-Q targets when <see cref="DqnOptions.DoubleQ"/>), gradient norm clipped. Discrete actions only.
/// </summary>
public sealed class DqnLearner : IControlLearner
{
    private readonly DqnOptions _o;
    private readonly ControlEnvironmentSet _environments;
    private readonly VectorAdapter _vec;
    private readonly Sequential _q;
    private readonly Sequential _target;
    private readonly AdamW _optimizer;
    private readonly ReplayBuffer _replay;
    private readonly EpisodeTracker _tracker = new();
    private readonly int _obsSize, _actions;
    private Xoshiro256StarStar _rng;
    private long _calls;

    /// <summary>Builds the Q and target networks, the replay buffer and the training environments.</summary>
    /// <param name="options">DQN settings; validated here.</param>
    /// <param name="environments">The training and evaluation environment factories (discrete actions only).</param>
    /// <param name="totalSteps">Environment-step budget of the run.</param>
    /// <param name="seed">Seed of the networks, exploration and replay sampling.</param>
    public DqnLearner(DqnOptions options, ControlEnvironmentSet environments, long totalSteps, int seed)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environments);
        if (totalSteps < 1) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "the step budget must be at least 1.");
        _o = options.Validate();
        _environments = _o.NormalizeObservations ? environments.WithObservationNormalization() : environments;
        TotalSteps = totalSteps;
        TorchRuntime.EnsureLoaded();
        _vec = VectorAdapter.Create(_environments, _o.NEnvs);
        if (_vec.Continuous) throw new ArgumentException($"DQN needs discrete actions, and this environment's actions are continuous; use PPO (--algo ppo).");
        _obsSize = _vec.ObservationSpace.Dimension;
        _actions = _vec.ActionSize;
        var hidden = Enumerable.Repeat(_o.HiddenSize, _o.HiddenLayers).ToArray();
        using (var g = new Generator(Xoshiro256StarStar.Derive((ulong)seed, 1)))
        {
            _q = ControlNetworks.Mlp(_obsSize, hidden, _actions, ControlActivation.Relu, 1.0, g, orthogonal: false);
            _target = ControlNetworks.Mlp(_obsSize, hidden, _actions, ControlActivation.Relu, 1.0, g, orthogonal: false);
        }
        CopyToTarget(1.0);
        foreach (var p in _target.parameters()) p.requires_grad = false;
        _optimizer = new AdamW(_q.parameters());
        _replay = new ReplayBuffer(_o.BufferSize, _obsSize);
        _rng = new Xoshiro256StarStar(Xoshiro256StarStar.Derive((ulong)seed, 2));
        _vec.Reset(seed);
    }

    /// <inheritdoc />
    public string Algorithm => "dqn";
    /// <inheritdoc />
    public long EnvSteps { get; private set; }
    /// <inheritdoc />
    public long TotalSteps { get; }
    /// <inheritdoc />
    public long Updates { get; private set; }
    /// <inheritdoc />
    public double? MeanReturnLast100 => _tracker.MeanReturn;
    /// <inheritdoc />
    public long Episodes => _tracker.Episodes;
    /// <inheritdoc />
    public long EnvironmentFailures => _vec.StepFailures;
    /// <inheritdoc />
    public long EnvironmentTimeouts => _vec.StepTimeouts;

    /// <summary>The replay buffer (for tests).</summary>
    internal ReplayBuffer Replay => _replay;

    /// <summary>The current exploration rate.</summary>
    public double Epsilon => LinearSchedule.Exploration(_o.ExplorationInitialEps, _o.ExplorationFinalEps, _o.ExplorationFraction,
        LinearSchedule.ProgressRemaining(EnvSteps, TotalSteps));

    /// <inheritdoc />
    public ControlUpdate Update()
    {
        int finished = 0;
        int n = _o.NEnvs;
        for (int t = 0; t < _o.TrainFreq && EnvSteps < TotalSteps; t++)
        {
            var obs = _vec.Observations.Select(o => o).ToArray();
            var actions = Act(obs, EnvSteps < _o.LearningStarts ? 1.0 : Epsilon);
            var r = _vec.Step(actions, []);
            EnvSteps += n;
            _calls++;
            finished += _tracker.Observe(r.Infos);
            for (int i = 0; i < n; i++)
            {
                var next = r.Terminated[i] || r.Truncated[i] ? (float[])r.Infos[i][VectorEnvironment<int>.FinalObservationKey] : r.Observations[i];
                _replay.Add(obs[i], actions[i], (float)r.Rewards[i], next, r.Terminated[i]);
            }
            if (_calls % Math.Max(_o.TargetUpdateInterval / n, 1) == 0) CopyToTarget(_o.Tau);
        }
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal) { ["charts/epsilon"] = Epsilon, ["charts/learning_rate"] = _o.LearningRate };
        if (EnvSteps > _o.LearningStarts && _replay.Count > 0)
        {
            double loss = 0, q = 0;
            for (int k = 0; k < _o.GradientSteps; k++)
            {
                var (l, mq) = TrainStep();
                loss += l;
                q += mq;
            }
            if (_o.GradientSteps > 0)
            {
                metrics["losses/td_loss"] = loss / _o.GradientSteps;
                metrics["losses/q_values"] = q / _o.GradientSteps;
            }
        }
        Updates++;
        return new ControlUpdate(Updates, EnvSteps, finished, MeanReturnLast100, metrics);
    }

    private long[] Act(float[][] observations, double epsilon)
    {
        int n = observations.Length;
        var actions = new long[n];
        long[]? greedy = null;
        for (int i = 0; i < n; i++)
        {
            if (_rng.NextDouble() < epsilon) actions[i] = _rng.NextInt(_actions);
            else
            {
                greedy ??= Greedy(observations);
                actions[i] = greedy[i];
            }
        }
        return actions;
    }

    private long[] Greedy(IReadOnlyList<float[]> observations)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return _q.forward(tensor(PpoLearner.Flatten(observations, _obsSize), [observations.Count, _obsSize])).argmax(-1).data<long>().ToArray();
    }

    private (double Loss, double MeanQ) TrainStep()
    {
        var (o, a, r, nx, d) = _replay.Sample(_o.BatchSize, _rng);
        int b = a.Length;
        using var scope = NewDisposeScope();
        var obs = tensor(o, [b, _obsSize]);
        var next = tensor(nx, [b, _obsSize]);
        Tensor targets;
        using (no_grad())
            targets = DqnLoss.Targets(tensor(r), tensor(d), _target.forward(next), _o.DoubleQ ? _q.forward(next) : null, _o.Gamma);
        var q = _q.forward(obs);
        var loss = DqnLoss.Loss(q, tensor(a), targets);
        _optimizer.ZeroGrad();
        loss.backward();
        _optimizer.ClipGradNorm(_o.MaxGradNorm);
        _optimizer.Step(_o.LearningRate);
        return (loss.item<float>(), q.mean().item<float>());
    }

    /// <summary>θ_target ← τ·θ + (1 − τ)·θ_target.</summary>
    private void CopyToTarget(double tau)
    {
        using var noGrad = no_grad();
        var source = _q.parameters().ToArray();
        var target = _target.parameters().ToArray();
        for (int i = 0; i < source.Length; i++)
        {
            if (tau >= 1) target[i].copy_(source[i]);
            else target[i].mul_(1 - tau).add_(source[i], alpha: tau);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<double> Evaluate(int episodes, int seed)
    {
        var returns = new List<double>();
        for (int e = 0; e < episodes; e++)
        {
            var env = (IEnvironment<int>)_environments.Evaluation();
            var obs = env.Reset(seed + e).Observation;
            double total = 0;
            while (true)
            {
                var r = env.Step((int)Greedy([obs])[0]);
                total += r.Reward;
                if (r.Done) break;
                obs = r.Observation;
            }
            returns.Add(total);
        }
        return returns;
    }

    /// <inheritdoc />
    public void Save(string directory)
    {
        ControlCheckpoint.Save(directory, _q, _optimizer, new JsonObject
        {
            ["algorithm"] = Algorithm,
            ["env_steps"] = EnvSteps,
            ["updates"] = Updates,
            ["calls"] = _calls,
            ["rng"] = _rng.SaveState(),
            ["replay_count"] = _replay.Count,
            ["replay_position"] = _replay.Position,
            ["episodes"] = _tracker.Save(),
            ["environments"] = _vec.SaveState(),
        });
        AtomicFile.WriteAllBytes(Path.Combine(directory, "target.safetensors"), SafeTensors.Encode(PolicyCheckpoint.ExportWeights(_target)));
        AtomicFile.WriteAllBytes(Path.Combine(directory, "replay.safetensors"), SafeTensors.Encode(_replay.Export()));
    }

    /// <inheritdoc />
    public void Load(string directory)
    {
        var s = ControlCheckpoint.Load(directory, _q, _optimizer, Algorithm);
        PolicyCheckpoint.LoadWeights(_target, Path.Combine(directory, "target.safetensors"));
        string replay = Path.Combine(directory, "replay.safetensors");
        _replay.Import(SafeTensors.Decode(File.ReadAllBytes(replay), replay).Tensors, s["replay_count"]!.GetValue<int>(), s["replay_position"]!.GetValue<int>());
        EnvSteps = s["env_steps"]!.GetValue<long>();
        Updates = s["updates"]!.GetValue<long>();
        _calls = s["calls"]!.GetValue<long>();
        _rng = Xoshiro256StarStar.Restore(s["rng"]!.GetValue<string>());
        _tracker.Restore(s["episodes"]!.AsObject());
        _vec.RestoreState(s["environments"]!.AsObject());
    }

    /// <summary>Disposes the optimiser and both networks.</summary>
    public void Dispose()
    {
        _optimizer.Dispose();
        _q.Dispose();
        _target.Dispose();
    }
}
