using System.Text.Json.Nodes;
using Rewire.Core.Techniques;

namespace Rewire.Classic.Control;

/// <summary>What <see cref="VectorEnvironment{TAction}.Step"/> returns: one entry per sub-environment.</summary>
public sealed record VectorStepResult(float[][] Observations, double[] Rewards, bool[] Terminated, bool[] Truncated, IReadOnlyDictionary<string, object>[] Infos);

/// <summary>
/// N copies of an environment stepped in lock-step in this thread (Gymnasium's <c>SyncVectorEnv</c>).
/// <para><b>Autoreset convention: same-step, as in Stable-Baselines3's <c>VecEnv</c>.</b> When sub-environment i terminates
/// or truncates in <see cref="Step"/>, it is reset at once: the returned <c>Observations[i]</c> is the first observation
/// of the next episode, <c>Rewards[i]</c>/<c>Terminated[i]</c>/<c>Truncated[i]</c> are the finished step's, and
/// <c>Infos[i]</c> is the finished step's info plus the true last observation under <see cref="FinalObservationKey"/>
/// and the reset's info under <see cref="ResetInfoKey"/>. A learner bootstraps a truncated step from
/// <c>Infos[i][FinalObservationKey]</c> and does not bootstrap a terminated one. (Gymnasium 1.0's default is the
/// next-step convention instead; this one needs no dummy step.)</para>
/// <para>Seeding: <c>Reset(seed)</c> resets sub-environment i with seed + i; automatic resets continue each one's stream.</para>
/// <para>A sub-environment whose <c>Step</c> throws does not stop the others: the step counts in <see cref="StepFailures"/>,
/// is reported as truncated with reward 0 (its last good observation as the final one, the exception's message under
/// <see cref="ErrorKey"/>) and the sub-environment is reset. A <c>Reset</c> that throws is fatal.</para>
/// </summary>
public sealed class VectorEnvironment<TAction> : IStatefulTechnique where TAction : notnull
{
    /// <summary>Info key of the last observation of an episode that ended in this step.</summary>
    public const string FinalObservationKey = "final_observation";

    /// <summary>Info key of the info returned by the automatic reset.</summary>
    public const string ResetInfoKey = "reset_info";

    /// <summary>Info key of the message of a step that threw.</summary>
    public const string ErrorKey = "step_error";

    private readonly IEnvironment<TAction>[] _envs;
    private float[][]? _observations;

    public VectorEnvironment(IReadOnlyList<IEnvironment<TAction>> environments)
    {
        ArgumentNullException.ThrowIfNull(environments);
        if (environments.Count == 0) throw new ArgumentException("a vector environment needs at least one environment.");
        _envs = environments.ToArray();
        int dim = _envs[0].ObservationSpace.Dimension;
        for (int i = 1; i < _envs.Length; i++)
            if (_envs[i].ObservationSpace.Dimension != dim)
                throw new ArgumentException($"environment {i} has {_envs[i].ObservationSpace.Dimension} observation coordinates; environment 0 has {dim}.");
    }

    /// <summary><paramref name="count"/> environments from <paramref name="factory"/> (called with 0..count-1).</summary>
    public VectorEnvironment(Func<int, IEnvironment<TAction>> factory, int count)
        : this(Enumerable.Range(0, count > 0 ? count : throw new ArgumentOutOfRangeException(nameof(count), count, "give at least one environment.")).Select(factory).ToArray())
    {
    }

    public int Count => _envs.Length;

    /// <summary>Steps that threw (counted, reported, never fatal).</summary>
    public long StepFailures { get; private set; }

    public IReadOnlyList<IEnvironment<TAction>> Environments => _envs;

    public BoxSpace ObservationSpace => _envs[0].ObservationSpace;

    public Space<TAction> ActionSpace => _envs[0].ActionSpace;

    /// <summary>The current observation of each sub-environment (after the last reset or step).</summary>
    public IReadOnlyList<float[]> Observations => _observations ?? throw new InvalidOperationException("call Reset before reading observations.");

    /// <summary>Resets every sub-environment (sub-environment i with seed + i when a seed is given).</summary>
    public float[][] Reset(int? seed = null)
    {
        var obs = new float[_envs.Length][];
        for (int i = 0; i < _envs.Length; i++) obs[i] = _envs[i].Reset(seed is { } s ? unchecked(s + i) : null).Observation;
        _observations = obs;
        return (float[][])obs.Clone();
    }

    /// <summary>Steps sub-environment i with <paramref name="actions"/>[i], resetting the ones that finish (see the class summary).</summary>
    public VectorStepResult Step(IReadOnlyList<TAction> actions)
    {
        ArgumentNullException.ThrowIfNull(actions);
        if (_observations is null) throw new InvalidOperationException("call Reset before Step.");
        if (actions.Count != _envs.Length) throw new ArgumentException($"{actions.Count} actions for {_envs.Length} environments; give one per environment.");
        int n = _envs.Length;
        var obs = new float[n][];
        var rewards = new double[n];
        var term = new bool[n];
        var trunc = new bool[n];
        var infos = new IReadOnlyDictionary<string, object>[n];
        for (int i = 0; i < n; i++)
        {
            StepResult r;
            try { r = _envs[i].Step(actions[i]); }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                StepFailures++;
                r = new StepResult(_observations[i], 0.0, false, true,
                    new Dictionary<string, object>(StringComparer.Ordinal) { [ErrorKey] = $"{e.GetType().Name}: {e.Message}" });
            }
            rewards[i] = r.Reward;
            term[i] = r.Terminated;
            trunc[i] = r.Truncated;
            if (r.Done)
            {
                var reset = _envs[i].Reset();
                obs[i] = reset.Observation;
                var info = new Dictionary<string, object>(r.Info, StringComparer.Ordinal)
                {
                    [FinalObservationKey] = r.Observation,
                    [ResetInfoKey] = reset.Info,
                };
                infos[i] = info;
            }
            else
            {
                obs[i] = r.Observation;
                infos[i] = r.Info;
            }
        }
        _observations = obs;
        return new VectorStepResult((float[][])obs.Clone(), rewards, term, trunc, infos);
    }

    /// <summary>Every sub-environment's state (each must be stateful) and the current observations.</summary>
    public JsonObject SaveState()
    {
        var envs = new JsonArray();
        foreach (var e in _envs)
            envs.Add(e is IStatefulTechnique s ? s.SaveState()
                : throw new InvalidOperationException($"environment '{e.Name}' cannot save its state (implement IStatefulTechnique) so the run cannot be resumed exactly."));
        var obs = new JsonArray();
        foreach (var o in _observations ?? []) obs.Add(new JsonArray(o.Select(v => (JsonNode)JsonValue.Create(v)).ToArray()));
        return new JsonObject { ["envs"] = envs, ["observations"] = obs, ["step_failures"] = StepFailures };
    }

    public void RestoreState(JsonObject state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var envs = state["envs"] as JsonArray ?? throw new ArgumentException("the saved vector environment has no 'envs'.");
        if (envs.Count != _envs.Length) throw new ArgumentException($"the saved vector environment has {envs.Count} environments; this one has {_envs.Length}.");
        for (int i = 0; i < _envs.Length; i++)
            ((IStatefulTechnique)_envs[i]).RestoreState(envs[i]!.AsObject());
        StepFailures = state["step_failures"]?.GetValue<long>() ?? 0;
        var obs = state["observations"]!.AsArray();
        _observations = obs.Count == 0 ? null : obs.Select(o => o!.AsArray().Select(v => v!.GetValue<float>()).ToArray()).ToArray();
    }
}
