namespace Rewire.Torch.Control;

/// <summary>
/// PPO's rollout storage, [T·N] row-major (step t, environment i at t·N + i): observations, actions (indices or vectors),
/// rewards (a truncated step's already bootstrapped), whether each observation starts an episode, values and log-probs
/// at collection time. Plain arrays; tensors are made per minibatch.
/// </summary>
public sealed class RolloutBuffer
{
    public RolloutBuffer(int steps, int envs, int observationSize, int actionSize, bool continuous)
    {
        Steps = steps;
        Envs = envs;
        ObservationSize = observationSize;
        ActionSize = actionSize;
        int n = steps * envs;
        Observations = new float[n * observationSize];
        DiscreteActions = continuous ? [] : new long[n];
        ContinuousActions = continuous ? new float[n * actionSize] : [];
        Rewards = new float[n];
        EpisodeStarts = new bool[n];
        Values = new float[n];
        LogProbs = new float[n];
    }

    public int Steps { get; }
    public int Envs { get; }
    public int ObservationSize { get; }
    public int ActionSize { get; }
    public int Count => Steps * Envs;
    public float[] Observations { get; }
    public long[] DiscreteActions { get; }
    public float[] ContinuousActions { get; }
    public float[] Rewards { get; }
    public bool[] EpisodeStarts { get; }
    public float[] Values { get; }
    public float[] LogProbs { get; }
    public float[] Advantages { get; private set; } = [];
    public float[] Returns { get; private set; } = [];

    /// <summary>Fills <see cref="Advantages"/> and <see cref="Returns"/> by <see cref="Gae"/>.</summary>
    public void ComputeReturnsAndAdvantage(float[] lastValues, bool[] lastEpisodeStarts, double gamma, double lambda) =>
        (Advantages, Returns) = Gae.Compute(Rewards, Values, EpisodeStarts, lastValues, lastEpisodeStarts, gamma, lambda);

    /// <summary>Copies rows <paramref name="indices"/> of a [Count, width] array into a new [indices, width] array.</summary>
    public static T[] Gather<T>(T[] source, int width, ReadOnlySpan<int> indices)
    {
        var r = new T[indices.Length * width];
        for (int k = 0; k < indices.Length; k++) Array.Copy(source, indices[k] * width, r, k * width, width);
        return r;
    }
}
