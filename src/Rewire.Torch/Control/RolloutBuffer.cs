namespace Rewire.Torch.Control;

/// <summary>
/// PPO's rollout storage, [T·N] row-major (step t, environment i at t·N + i): observations, actions (indices or vectors),
/// rewards (a truncated step's already bootstrapped), whether each observation starts an episode, values and log-probs
/// at collection time. Plain arrays; tensors are made per minibatch.
/// </summary>
public sealed class RolloutBuffer
{
    /// <summary>Allocates storage for <paramref name="steps"/> steps of <paramref name="envs"/> environments.</summary>
    /// <param name="steps">Steps T per environment.</param>
    /// <param name="envs">Environments N.</param>
    /// <param name="observationSize">Length of each observation.</param>
    /// <param name="actionSize">Action dimension (1 for discrete actions).</param>
    /// <param name="continuous">True to store float action vectors, false for action indices.</param>
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

    /// <summary>Steps T per environment.</summary>
    public int Steps { get; }
    /// <summary>Number of environments N.</summary>
    public int Envs { get; }
    /// <summary>Length of each observation.</summary>
    public int ObservationSize { get; }
    /// <summary>Action dimension (1 for discrete actions).</summary>
    public int ActionSize { get; }
    /// <summary>Total entries T·N.</summary>
    public int Count => Steps * Envs;
    /// <summary>Observations [T·N·obs], row-major.</summary>
    public float[] Observations { get; }
    /// <summary>Discrete action indices [T·N] (empty for continuous actions).</summary>
    public long[] DiscreteActions { get; }
    /// <summary>Continuous action vectors [T·N·actionSize] (empty for discrete actions).</summary>
    public float[] ContinuousActions { get; }
    /// <summary>Rewards [T·N]; a truncated step's already includes γ·V(final observation).</summary>
    public float[] Rewards { get; }
    /// <summary>Whether each observation starts an episode [T·N].</summary>
    public bool[] EpisodeStarts { get; }
    /// <summary>V(s) at collection [T·N].</summary>
    public float[] Values { get; }
    /// <summary>log π(a|s) at collection [T·N].</summary>
    public float[] LogProbs { get; }
    /// <summary>GAE advantages [T·N], filled by <see cref="ComputeReturnsAndAdvantage"/>.</summary>
    public float[] Advantages { get; private set; } = [];
    /// <summary>Value targets Â + V [T·N], filled by <see cref="ComputeReturnsAndAdvantage"/>.</summary>
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
