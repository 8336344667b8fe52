using Rewire.Core.Sampling;
using Rewire.Torch.Checkpoints;

namespace Rewire.Torch.Control;

/// <summary>
/// DQN's experience replay ("Human-level control through deep reinforcement learning", Mnih et al. 2015): a circular
/// buffer of (s, a, r, s', done) where s' is the true next observation (the final one when the episode ended) and done
/// is true only for termination, so truncated transitions are bootstrapped (Stable-Baselines3's
/// <c>handle_timeout_termination</c>). Minibatches are drawn uniformly with replacement.
/// </summary>
public sealed class ReplayBuffer
{
    private readonly float[] _obs, _next, _rewards;
    private readonly long[] _actions;
    private readonly bool[] _dones;

    /// <summary>An empty buffer.</summary>
    /// <param name="capacity">Transitions kept; the oldest is overwritten when full.</param>
    /// <param name="observationSize">Length of each observation vector.</param>
    public ReplayBuffer(int capacity, int observationSize)
    {
        if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity));
        Capacity = capacity;
        ObservationSize = observationSize;
        _obs = new float[capacity * observationSize];
        _next = new float[capacity * observationSize];
        _rewards = new float[capacity];
        _actions = new long[capacity];
        _dones = new bool[capacity];
    }

    /// <summary>Maximum number of transitions kept.</summary>
    public int Capacity { get; }
    /// <summary>Length of each observation vector.</summary>
    public int ObservationSize { get; }
    /// <summary>Transitions currently held (at most <see cref="Capacity"/>).</summary>
    public int Count { get; private set; }

    /// <summary>Where the next transition goes.</summary>
    public int Position { get; private set; }

    /// <summary>Stores one transition at <see cref="Position"/>, overwriting the oldest when full.</summary>
    /// <param name="observation">s.</param>
    /// <param name="action">The discrete action a.</param>
    /// <param name="reward">r.</param>
    /// <param name="next">s', the true next observation (the final one when the episode ended).</param>
    /// <param name="terminated">True only when s' is terminal (a truncation is stored as not done, so it bootstraps).
    /// </param>
    public void Add(ReadOnlySpan<float> observation, long action, float reward, ReadOnlySpan<float> next, bool terminated)
    {
        observation.CopyTo(_obs.AsSpan(Position * ObservationSize, ObservationSize));
        next.CopyTo(_next.AsSpan(Position * ObservationSize, ObservationSize));
        _actions[Position] = action;
        _rewards[Position] = reward;
        _dones[Position] = terminated;
        Position = (Position + 1) % Capacity;
        Count = Math.Min(Count + 1, Capacity);
    }

    /// <summary>A minibatch: observations [B·obs], actions [B], rewards [B], next observations [B·obs], dones [B].</summary>
    public (float[] Obs, long[] Actions, float[] Rewards, float[] Next, float[] Dones) Sample(int batch, Xoshiro256StarStar rng)
    {
        if (Count == 0) throw new InvalidOperationException("the replay buffer is empty.");
        int d = ObservationSize;
        var o = new float[batch * d];
        var n = new float[batch * d];
        var a = new long[batch];
        var r = new float[batch];
        var dn = new float[batch];
        for (int k = 0; k < batch; k++)
        {
            int i = rng.NextInt(Count);
            Array.Copy(_obs, i * d, o, k * d, d);
            Array.Copy(_next, i * d, n, k * d, d);
            a[k] = _actions[i];
            r[k] = _rewards[i];
            dn[k] = _dones[i] ? 1f : 0f;
        }
        return (o, a, r, n, dn);
    }

    /// <summary>The stored transitions as float tensors (for a checkpoint).</summary>
    public Dictionary<string, StoredTensor> Export() => new(StringComparer.Ordinal)
    {
        ["obs"] = new([Capacity, ObservationSize], _obs),
        ["next"] = new([Capacity, ObservationSize], _next),
        ["actions"] = new([Capacity], _actions.Select(x => (float)x).ToArray()),
        ["rewards"] = new([Capacity], _rewards),
        ["dones"] = new([Capacity], _dones.Select(x => x ? 1f : 0f).ToArray()),
    };

    /// <summary>Restores the buffer from the tensors <see cref="Export"/> wrote.</summary>
    /// <param name="t">The exported tensors (obs, next, actions, rewards, dones).</param>
    /// <param name="count">Transitions held when exported.</param>
    /// <param name="position">Write position when exported.</param>
    public void Import(IReadOnlyDictionary<string, StoredTensor> t, int count, int position)
    {
        foreach (var name in new[] { "obs", "next", "actions", "rewards", "dones" })
            if (!t.ContainsKey(name)) throw new CheckpointException($"replay buffer: tensor '{name}' is missing.");
        if (t["obs"].Data.Length != _obs.Length) throw new CheckpointException($"replay buffer: the checkpoint holds {t["obs"].Data.Length} observation values; this buffer holds {_obs.Length}.");
        t["obs"].Data.CopyTo(_obs, 0);
        t["next"].Data.CopyTo(_next, 0);
        for (int i = 0; i < Capacity; i++)
        {
            _actions[i] = (long)t["actions"].Data[i];
            _rewards[i] = t["rewards"].Data[i];
            _dones[i] = t["dones"].Data[i] != 0;
        }
        Count = count;
        Position = position;
    }
}
