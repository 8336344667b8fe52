namespace Rewire.Torch.Control;

/// <summary>
/// DQN's settings. The defaults are rl-baselines3-zoo's CartPole-v1 hyper-parameters (`hyperparams/dqn.yml`: 5e4 steps,
/// learning rate 2.3e-3, batch 64, buffer 1e5, 1000 random steps before learning, γ 0.99, target update every 10
/// environment steps, 128 gradient steps every 256 steps, ε from 1 to 0.04 over the first 16 % of the budget, two ReLU
/// hidden layers of 256); the rest are Stable-Baselines3's DQN defaults (Huber loss, gradient norm 10, hard target
/// updates τ = 1, one environment). Double Q-learning (van Hasselt et al. 2016) is off by default, as in the Nature DQN.
/// </summary>
public sealed record DqnOptions
{
    /// <value>The default value is 1.</value>
    public int NEnvs { get; init; } = 1;
    /// <value>The default value is 2.3e-3.</value>
    public double LearningRate { get; init; } = 2.3e-3;
    /// <value>The default value is 64.</value>
    public int BatchSize { get; init; } = 64;
    /// <value>Transitions kept; the default value is 100000.</value>
    public int BufferSize { get; init; } = 100_000;
    /// <value>Environment steps of uniformly random actions before learning; the default value is 1000.</value>
    public int LearningStarts { get; init; } = 1000;
    /// <value>The default value is 0.99.</value>
    public double Gamma { get; init; } = 0.99;
    /// <value>Environment steps between target-network updates; the default value is 10.</value>
    public int TargetUpdateInterval { get; init; } = 10;
    /// <value>τ of the target update (1 = copy); the default value is 1.</value>
    public double Tau { get; init; } = 1.0;
    /// <value>Environment steps (per environment) between training phases; the default value is 256.</value>
    public int TrainFreq { get; init; } = 256;
    /// <value>Gradient steps per training phase; the default value is 128.</value>
    public int GradientSteps { get; init; } = 128;
    /// <value>The default value is 0.16.</value>
    public double ExplorationFraction { get; init; } = 0.16;
    /// <value>The default value is 1.</value>
    public double ExplorationInitialEps { get; init; } = 1.0;
    /// <value>The default value is 0.04.</value>
    public double ExplorationFinalEps { get; init; } = 0.04;
    /// <value>The default value is 10.</value>
    public double MaxGradNorm { get; init; } = 10;
    /// <value>Double Q-learning targets; the default value is false.</value>
    public bool DoubleQ { get; init; }
    /// <value>Normalise observations by running statistics shared by all environments (clipped at ±10); the default value is false.</value>
    public bool NormalizeObservations { get; init; }
    /// <value>The default value is 256.</value>
    public int HiddenSize { get; init; } = 256;
    /// <value>The default value is 2.</value>
    public int HiddenLayers { get; init; } = 2;

    /// <summary>
    /// Checks the settings and returns them; throws <see cref="ArgumentException"/> naming the first setting out of
    /// range.
    /// </summary>
    public DqnOptions Validate()
    {
        if (NEnvs < 1) throw new ArgumentException($"dqn: n_envs = {NEnvs} must be at least 1.");
        if (BatchSize < 1 || BufferSize < BatchSize) throw new ArgumentException($"dqn: batch_size = {BatchSize} must be at least 1 and at most buffer_size = {BufferSize}.");
        if (TrainFreq < 1 || GradientSteps < 0) throw new ArgumentException("dqn: train_freq must be at least 1 and gradient_steps at least 0.");
        if (TargetUpdateInterval < 1) throw new ArgumentException("dqn: target_update_interval must be at least 1.");
        if (HiddenSize < 1 || HiddenLayers < 1) throw new ArgumentException("dqn: hidden_size and hidden_layers must be at least 1.");
        return this;
    }
}
