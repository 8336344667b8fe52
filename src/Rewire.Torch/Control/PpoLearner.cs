using System.Text.Json.Nodes;
using Rewire.Classic.Control;
using Rewire.Core.Sampling;
using Rewire.Torch.Runtime;
using Rewire.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Control;

/// <summary>
/// Proximal Policy Optimization ("Proximal Policy Optimization Algorithms", Schulman et al. 2017) for control, with
/// Stable-Baselines3's semantics. Each <see cref="Update"/>:
/// <list type="number">
/// <item>collects n_steps from each of n_envs environments (same-step autoreset); a step that was truncated, not
/// terminated, gets γ·V(final observation) added to its reward (bootstrap on truncation, never on termination);</item>
/// <item>computes GAE(γ, λ) advantages and returns (<see cref="Gae"/>);</item>
/// <item>runs n_epochs over shuffled minibatches of batch_size, minimising <see cref="PpoLoss"/> with Adam, the
/// gradient norm clipped, the learning rate and clip range at their (optionally linear) schedule.</item>
/// </list>
/// Actions are drawn in C# from the policy's probabilities with the learner's own generator, so a run is a function of
/// its seed. One dispose scope per environment step and per minibatch.
/// </summary>
public sealed class PpoLearner : IControlLearner
{
    private readonly PpoOptions _o;
    private readonly ControlEnvironmentSet _environments;
    private readonly VectorAdapter _vec;
    private readonly ActorCritic _model;
    private readonly AdamW _optimizer;
    private readonly RolloutBuffer _buffer;
    private readonly EpisodeTracker _tracker = new();
    private readonly bool[] _episodeStarts;
    private Xoshiro256StarStar _rng;

    /// <summary>Builds the actor-critic, the optimiser and the training environments.</summary>
    /// <param name="options">PPO settings; validated here.</param>
    /// <param name="environments">The training and evaluation environment factories.</param>
    /// <param name="totalSteps">Environment-step budget of the run.</param>
    /// <param name="seed">Seed of the network, action sampling and minibatch shuffling.</param>
    public PpoLearner(PpoOptions options, ControlEnvironmentSet environments, long totalSteps, int seed)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environments);
        if (totalSteps < 1) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "the step budget must be at least 1.");
        _o = options.Validate();
        _environments = _o.NormalizeObservations ? environments.WithObservationNormalization() : environments;
        TotalSteps = totalSteps;
        TorchRuntime.EnsureLoaded();
        _vec = VectorAdapter.Create(_environments, _o.NEnvs);
        int obs = _vec.ObservationSpace.Dimension;
        _model = new ActorCritic(obs, _vec.ActionSize, _vec.Continuous, Enumerable.Repeat(_o.HiddenSize, _o.HiddenLayers).ToArray(), _o.LogStdInit,
            (long)Xoshiro256StarStar.Derive((ulong)seed, 1));
        _optimizer = new AdamW(_model.parameters(), epsilon: _o.AdamEpsilon);
        _buffer = new RolloutBuffer(_o.NSteps, _o.NEnvs, obs, _vec.Continuous ? _vec.ActionSize : 1, _vec.Continuous);
        _rng = new Xoshiro256StarStar(Xoshiro256StarStar.Derive((ulong)seed, 2));
        _vec.Reset(seed);
        _episodeStarts = Enumerable.Repeat(true, _o.NEnvs).ToArray();
    }

    /// <inheritdoc />
    public string Algorithm => "ppo";
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

    /// <summary>The policy and value networks.</summary>
    public ActorCritic Model => _model;

    /// <inheritdoc />
    public ControlUpdate Update()
    {
        int finished = Collect();
        double progress = LinearSchedule.ProgressRemaining(EnvSteps, TotalSteps);
        var metrics = Train(progress);
        Updates++;
        return new ControlUpdate(Updates, EnvSteps, finished, MeanReturnLast100, metrics);
    }

    /// <summary>The last rollout (for tests).</summary>
    internal RolloutBuffer Buffer => _buffer;

    /// <summary>Collects one rollout into <see cref="Buffer"/>; returns the episodes that ended.</summary>
    internal int Collect()
    {
        int n = _o.NEnvs, obsSize = _buffer.ObservationSize, a = _buffer.ActionSize;
        int finished = 0;
        for (int t = 0; t < _o.NSteps; t++)
        {
            using var scope = NewDisposeScope();
            var flat = Flatten(_vec.Observations, obsSize);
            Array.Copy(flat, 0, _buffer.Observations, t * n * obsSize, flat.Length);
            var discrete = new long[n];
            var continuous = new float[_vec.Continuous ? n * a : 0];
            using (no_grad())
            {
                var (head, values) = _model.Forward(tensor(flat, [n, obsSize]));
                var v = values.data<float>().ToArray();
                Array.Copy(v, 0, _buffer.Values, t * n, n);
                if (!_vec.Continuous)
                {
                    var logp = head.log_softmax(-1).data<float>().ToArray();
                    int k = _vec.ActionSize;
                    for (int i = 0; i < n; i++)
                    {
                        discrete[i] = SampleCategorical(logp.AsSpan(i * k, k));
                        _buffer.DiscreteActions[t * n + i] = discrete[i];
                        _buffer.LogProbs[t * n + i] = logp[i * k + discrete[i]];
                    }
                }
                else
                {
                    var mean = head.data<float>().ToArray();
                    var std = _model.LogStd.exp().data<float>().ToArray();
                    for (int i = 0; i < n * a; i++) continuous[i] = (float)(mean[i] + std[i % a] * _rng.NextGaussian());
                    var (lp, _) = ActorCritic.GaussianLogProbEntropy(head, _model.LogStd, tensor(continuous, [n, a]));
                    Array.Copy(lp.data<float>().ToArray(), 0, _buffer.LogProbs, t * n, n);
                    Array.Copy(continuous, 0, _buffer.ContinuousActions, t * n * a, n * a);
                }
            }
            for (int i = 0; i < n; i++) _buffer.EpisodeStarts[t * n + i] = _episodeStarts[i];

            var r = _vec.Step(discrete, continuous);
            EnvSteps += n;
            finished += _tracker.Observe(r.Infos);
            var rewards = r.Rewards.Select(x => (float)x).ToArray();
            Bootstrap(r, rewards, obsSize);
            Array.Copy(rewards, 0, _buffer.Rewards, t * n, n);
            for (int i = 0; i < n; i++) _episodeStarts[i] = r.Terminated[i] || r.Truncated[i];
        }
        using (NewDisposeScope())
        using (no_grad())
        {
            var last = _model.Value(tensor(Flatten(_vec.Observations, obsSize), [n, obsSize])).data<float>().ToArray();
            _buffer.ComputeReturnsAndAdvantage(last, (bool[])_episodeStarts.Clone(), _o.Gamma, _o.GaeLambda);
        }
        return finished;
    }

    /// <summary>r += γ·V(final observation) for the sub-environments that were truncated and not terminated.</summary>
    private void Bootstrap(VectorStepResult r, float[] rewards, int obsSize)
    {
        var idx = Enumerable.Range(0, r.Rewards.Length).Where(i => r.Truncated[i] && !r.Terminated[i]).ToArray();
        if (idx.Length == 0) return;
        var finals = idx.Select(i => (float[])r.Infos[i][VectorEnvironment<int>.FinalObservationKey]).ToArray();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var v = _model.Value(tensor(Flatten(finals, obsSize), [idx.Length, obsSize])).data<float>().ToArray();
        for (int k = 0; k < idx.Length; k++) rewards[idx[k]] += (float)(_o.Gamma * v[k]);
    }

    private long SampleCategorical(ReadOnlySpan<float> logProbs)
    {
        double u = _rng.NextDouble(), c = 0;
        for (int k = 0; k < logProbs.Length; k++)
        {
            c += Math.Exp(logProbs[k]);
            if (u < c) return k;
        }
        return logProbs.Length - 1;
    }

    private Dictionary<string, double> Train(double progress)
    {
        double lr = LinearSchedule.Value(_o.LearningRate, _o.LinearLearningRate, progress);
        double clip = LinearSchedule.Value(_o.ClipRange, _o.LinearClipRange, progress);
        int count = _buffer.Count, obsSize = _buffer.ObservationSize, a = _buffer.ActionSize;
        var perm = Enumerable.Range(0, count).ToArray();
        double pl = 0, vl = 0, ent = 0, kl = 0, cf = 0;
        int batches = 0;
        for (int epoch = 0; epoch < _o.NEpochs; epoch++)
        {
            _rng.Shuffle(perm.AsSpan());
            for (int start = 0; start < count; start += _o.BatchSize)
            {
                var mb = perm.AsSpan(start, Math.Min(_o.BatchSize, count - start));
                using var scope = NewDisposeScope();
                var obs = tensor(RolloutBuffer.Gather(_buffer.Observations, obsSize, mb), [mb.Length, obsSize]);
                var actions = _vec.Continuous
                    ? tensor(RolloutBuffer.Gather(_buffer.ContinuousActions, a, mb), [mb.Length, a])
                    : tensor(RolloutBuffer.Gather(_buffer.DiscreteActions, 1, mb), [mb.Length]);
                var (values, logp, entropy) = _model.Evaluate(obs, actions);
                var parts = PpoLoss.Compute(logp, tensor(RolloutBuffer.Gather(_buffer.LogProbs, 1, mb)), tensor(RolloutBuffer.Gather(_buffer.Advantages, 1, mb)),
                    values, tensor(RolloutBuffer.Gather(_buffer.Values, 1, mb)), tensor(RolloutBuffer.Gather(_buffer.Returns, 1, mb)), entropy,
                    clip, _o.ClipRangeValue, _o.EntCoef, _o.VfCoef, _o.NormalizeAdvantage);
                _optimizer.ZeroGrad();
                parts.Loss.backward();
                _optimizer.ClipGradNorm(_o.MaxGradNorm);
                _optimizer.Step(lr);
                pl += parts.PolicyLoss; vl += parts.ValueLoss; ent += parts.Entropy; kl += parts.ApproxKl; cf += parts.ClipFraction;
                batches++;
            }
        }
        return new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["losses/policy_loss"] = pl / batches,
            ["losses/value_loss"] = vl / batches,
            ["losses/entropy"] = ent / batches,
            ["losses/approx_kl"] = kl / batches,
            ["losses/clipfrac"] = cf / batches,
            ["losses/explained_variance"] = ExplainedVariance(_buffer.Values, _buffer.Returns),
            ["charts/learning_rate"] = lr,
            ["charts/clip_range"] = clip,
        };
    }

    /// <summary>1 − Var[R − V]/Var[R] (NaN when the returns do not vary).</summary>
    public static double ExplainedVariance(ReadOnlySpan<float> values, ReadOnlySpan<float> returns)
    {
        double mr = 0, md = 0;
        for (int i = 0; i < returns.Length; i++) { mr += returns[i]; md += returns[i] - values[i]; }
        mr /= returns.Length; md /= returns.Length;
        double vr = 0, vd = 0;
        for (int i = 0; i < returns.Length; i++)
        {
            vr += (returns[i] - mr) * (returns[i] - mr);
            double d = returns[i] - values[i] - md;
            vd += d * d;
        }
        return vr == 0 ? double.NaN : 1 - vd / vr;
    }

    /// <inheritdoc />
    public IReadOnlyList<double> Evaluate(int episodes, int seed)
    {
        var returns = new List<double>();
        for (int e = 0; e < episodes; e++)
        {
            var env = _environments.Evaluation();
            var obs = env.Reset(seed + e).Observation;
            double total = 0;
            while (true)
            {
                StepResult r;
                using (NewDisposeScope())
                using (no_grad())
                {
                    var (head, _) = _model.Forward(tensor(obs, [1, obs.Length]));
                    r = env switch
                    {
                        IEnvironment<int> d => d.Step((int)head.argmax(-1).ToInt64()),
                        IEnvironment<float[]> c => c.Step(((BoxSpace)c.ActionSpace).Clip(head.data<float>().ToArray())),
                        _ => throw new InvalidOperationException("unsupported environment"),
                    };
                }
                total += r.Reward;
                if (r.Done) break;
                obs = r.Observation;
            }
            returns.Add(total);
        }
        return returns;
    }

    /// <inheritdoc />
    public void Save(string directory) => ControlCheckpoint.Save(directory, _model, _optimizer, new JsonObject
    {
        ["algorithm"] = Algorithm,
        ["env_steps"] = EnvSteps,
        ["updates"] = Updates,
        ["rng"] = _rng.SaveState(),
        ["episode_starts"] = new JsonArray(_episodeStarts.Select(b => (JsonNode)JsonValue.Create(b)).ToArray()),
        ["episodes"] = _tracker.Save(),
        ["environments"] = _vec.SaveState(),
    });

    /// <inheritdoc />
    public void Load(string directory)
    {
        var s = ControlCheckpoint.Load(directory, _model, _optimizer, Algorithm);
        EnvSteps = s["env_steps"]!.GetValue<long>();
        Updates = s["updates"]!.GetValue<long>();
        _rng = Xoshiro256StarStar.Restore(s["rng"]!.GetValue<string>());
        var starts = s["episode_starts"]!.AsArray();
        for (int i = 0; i < _episodeStarts.Length; i++) _episodeStarts[i] = starts[i]!.GetValue<bool>();
        _tracker.Restore(s["episodes"]!.AsObject());
        _vec.RestoreState(s["environments"]!.AsObject());
    }

    internal static float[] Flatten(IReadOnlyList<float[]> rows, int width)
    {
        var r = new float[rows.Count * width];
        for (int i = 0; i < rows.Count; i++) Array.Copy(rows[i], 0, r, i * width, width);
        return r;
    }

    /// <summary>Disposes the optimiser and the network.</summary>
    public void Dispose()
    {
        _optimizer.Dispose();
        _model.Dispose();
    }
}
