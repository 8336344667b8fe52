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
/// <para>A call that hangs: built from a factory with an <see cref="EnvironmentCallGuard"/> that has a budget, every
/// <c>Step</c> and <c>Reset</c> runs within that budget. A <c>Step</c> past it counts in <see cref="StepTimeouts"/> and is
/// reported like a step that threw: truncated, reward 0, final observation = the last observation the environment gave
/// (the one the action was chosen from; a learner that bootstraps truncations bootstraps from it, since the state after
/// the hung step was never observed), a message under <see cref="ErrorKey"/>. The hung instance is abandoned (never
/// called again; its thread is bounded by the guard) and replaced by a new one from the factory, reset with the next
/// seed (<see cref="Reset"/>'s seed + <see cref="Count"/> + the number of earlier replacements). A <c>Reset</c> past the
/// budget counts in <see cref="StepTimeouts"/> too and is retried on a new instance with the next seed. When the guard's
/// limit of hung calls is reached the call throws <see cref="EnvironmentHangException"/>.</para>
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
    private readonly Func<int, IEnvironment<TAction>>? _factory;
    private readonly EnvironmentCallGuard _guard;
    private float[][]? _observations;
    private int _seed;
    private long _replacements;

    /// <summary>These environments, called inline (no time budget, nothing to replace a hung one with).</summary>
    public VectorEnvironment(IReadOnlyList<IEnvironment<TAction>> environments)
        : this(environments, null, null)
    {
    }

    /// <summary>
    /// These environments; <paramref name="factory"/> builds a replacement for sub-environment i when one hangs under
    /// <paramref name="guard"/> (a guard with a budget needs a factory).
    /// </summary>
    public VectorEnvironment(IReadOnlyList<IEnvironment<TAction>> environments, Func<int, IEnvironment<TAction>>? factory, EnvironmentCallGuard? guard)
    {
        ArgumentNullException.ThrowIfNull(environments);
        if (environments.Count == 0) throw new ArgumentException("a vector environment needs at least one environment.");
        _guard = guard ?? EnvironmentCallGuard.Unguarded;
        if (_guard.Budget is not null && factory is null)
            throw new ArgumentException("a guarded vector environment needs a factory to replace an environment that hangs.", nameof(factory));
        _factory = factory;
        _envs = environments.ToArray();
        int dim = _envs[0].ObservationSpace.Dimension;
        for (int i = 1; i < _envs.Length; i++)
            if (_envs[i].ObservationSpace.Dimension != dim)
                throw new ArgumentException($"environment {i} has {_envs[i].ObservationSpace.Dimension} observation coordinates; environment 0 has {dim}.");
    }

    /// <summary><paramref name="count"/> environments from <paramref name="factory"/> (called with 0..count-1), which also builds replacements for hung ones.</summary>
    public VectorEnvironment(Func<int, IEnvironment<TAction>> factory, int count, EnvironmentCallGuard? guard = null)
        : this(Enumerable.Range(0, count > 0 ? count : throw new ArgumentOutOfRangeException(nameof(count), count, "give at least one environment.")).Select(factory).ToArray(), factory, guard)
    {
    }

    /// <summary>Number of sub-environments N.</summary>
    public int Count => _envs.Length;

    /// <summary>Steps that threw (counted, reported, never fatal).</summary>
    public long StepFailures { get; private set; }

    /// <summary>Step and Reset calls that ran past the guard's budget (counted, reported; the instance was replaced).</summary>
    public long StepTimeouts { get; private set; }

    /// <summary>Hung instances replaced by new ones from the factory.</summary>
    public long Replacements => _replacements;

    /// <summary>The current sub-environment instances (a hung one is replaced, so an entry can change).</summary>
    public IReadOnlyList<IEnvironment<TAction>> Environments => _envs;

    /// <summary>The observation space, shared by every sub-environment (that of the first).</summary>
    public BoxSpace ObservationSpace => _envs[0].ObservationSpace;

    /// <summary>The action space, shared by every sub-environment (that of the first).</summary>
    public Space<TAction> ActionSpace => _envs[0].ActionSpace;

    /// <summary>The current observation of each sub-environment (after the last reset or step).</summary>
    public IReadOnlyList<float[]> Observations => _observations ?? throw new InvalidOperationException("call Reset before reading observations.");

    /// <summary>Resets every sub-environment (sub-environment i with seed + i when a seed is given).</summary>
    public float[][] Reset(int? seed = null)
    {
        if (seed is { } first) _seed = first;
        var obs = new float[_envs.Length][];
        for (int i = 0; i < _envs.Length; i++) obs[i] = ResetSlot(i, seed is { } s ? unchecked(s + i) : null).Observation;
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
            int? nextSeed = null;
            var env = _envs[i];
            var action = actions[i];
            try
            {
                if (!_guard.TryCall(() => env.Step(action), out r))
                {
                    StepTimeouts++;
                    _guard.ThrowIfAtLimit($"Step of sub-environment {i} ('{env.Name}')");
                    r = new StepResult(_observations[i], 0.0, false, true, new Dictionary<string, object>(StringComparer.Ordinal)
                    {
                        [ErrorKey] = $"Step ran past its time budget of {_guard.Budget!.Value.TotalMilliseconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)} ms; the instance was abandoned and replaced",
                    });
                    nextSeed = Replace(i);
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException and not EnvironmentHangException)
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
                var reset = ResetSlot(i, nextSeed);
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

    /// <summary>Resets sub-environment i; one that hangs is replaced and the new one reset with the next seed, until the guard's limit.</summary>
    private ResetResult ResetSlot(int i, int? seed)
    {
        while (true)
        {
            var env = _envs[i];
            var s = seed;
            if (_guard.TryCall(() => env.Reset(s), out var r)) return r;
            StepTimeouts++;
            _guard.ThrowIfAtLimit($"Reset of sub-environment {i} ('{env.Name}')");
            seed = Replace(i);
        }
    }

    /// <summary>Puts a new instance from the factory in slot i (the old one is never called again); returns the seed to reset it with.</summary>
    private int Replace(int i)
    {
        var fresh = _factory!(i);
        if (fresh.ObservationSpace.Dimension != _envs[i].ObservationSpace.Dimension)
            throw new InvalidOperationException($"the factory built a replacement for environment {i} with {fresh.ObservationSpace.Dimension} observation coordinates; the environment it replaces has {_envs[i].ObservationSpace.Dimension}.");
        _envs[i] = fresh;
        int seed = unchecked(_seed + _envs.Length + (int)_replacements);
        _replacements++;
        return seed;
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
        return new JsonObject { ["envs"] = envs, ["observations"] = obs, ["step_failures"] = StepFailures,
            ["step_timeouts"] = StepTimeouts, ["replacements"] = _replacements, ["seed"] = _seed };
    }

    /// <inheritdoc />
    public void RestoreState(JsonObject state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var envs = state["envs"] as JsonArray ?? throw new ArgumentException("the saved vector environment has no 'envs'.");
        if (envs.Count != _envs.Length) throw new ArgumentException($"the saved vector environment has {envs.Count} environments; this one has {_envs.Length}.");
        for (int i = 0; i < _envs.Length; i++)
            ((IStatefulTechnique)_envs[i]).RestoreState(envs[i]!.AsObject());
        StepFailures = state["step_failures"]?.GetValue<long>() ?? 0;
        StepTimeouts = state["step_timeouts"]?.GetValue<long>() ?? 0;
        _replacements = state["replacements"]?.GetValue<long>() ?? 0;
        _seed = state["seed"]?.GetValue<int>() ?? 0;
        var obs = state["observations"]!.AsArray();
        _observations = obs.Count == 0 ? null : obs.Select(o => o!.AsArray().Select(v => v!.GetValue<float>()).ToArray()).ToArray();
    }
}
