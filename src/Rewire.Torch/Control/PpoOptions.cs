namespace Rewire.Torch.Control;

/// <summary>
/// PPO's settings. The defaults are rl-baselines3-zoo's tuned CartPole-v1 hyper-parameters (n_envs 8, n_steps 32,
/// batch 256, 20 epochs, γ 0.98, λ 0.8, learning rate and clip range linear from 1e-3 and 0.2, no entropy bonus,
/// 1e5 steps); the rest are Stable-Baselines3's PPO defaults (c_V 0.5, gradient norm 0.5, Adam ε 1e-5, two hidden
/// layers of 64, advantage normalisation on, value clipping off).
/// </summary>
public sealed record PpoOptions
{
    /// <value>The default value is 8.</value>
    public int NEnvs { get; init; } = 8;
    /// <value>Steps per environment per rollout; the default value is 32.</value>
    public int NSteps { get; init; } = 32;
    /// <value>The default value is 256.</value>
    public int BatchSize { get; init; } = 256;
    /// <value>The default value is 20.</value>
    public int NEpochs { get; init; } = 20;
    /// <value>The default value is 0.98.</value>
    public double Gamma { get; init; } = 0.98;
    /// <value>The default value is 0.8.</value>
    public double GaeLambda { get; init; } = 0.8;
    /// <value>The default value is 1e-3.</value>
    public double LearningRate { get; init; } = 1e-3;
    /// <value>Whether the learning rate decays linearly to 0; the default value is true.</value>
    public bool LinearLearningRate { get; init; } = true;
    /// <value>ε; the default value is 0.2.</value>
    public double ClipRange { get; init; } = 0.2;
    /// <value>Whether ε decays linearly to 0; the default value is true.</value>
    public bool LinearClipRange { get; init; } = true;
    /// <value>ε_v of the clipped value loss, 0 = no clipping; the default value is 0.</value>
    public double ClipRangeValue { get; init; }
    /// <value>The default value is 0.</value>
    public double EntCoef { get; init; }
    /// <value>The default value is 0.5.</value>
    public double VfCoef { get; init; } = 0.5;
    /// <value>The default value is 0.5.</value>
    public double MaxGradNorm { get; init; } = 0.5;
    /// <value>The default value is true.</value>
    public bool NormalizeAdvantage { get; init; } = true;
    /// <value>Normalise observations by running statistics shared by all environments (clipped at ±10); the default value is false.</value>
    public bool NormalizeObservations { get; init; }
    /// <value>The default value is 64.</value>
    public int HiddenSize { get; init; } = 64;
    /// <value>The default value is 2.</value>
    public int HiddenLayers { get; init; } = 2;
    /// <value>Initial log σ of a Gaussian policy; the default value is 0.</value>
    public double LogStdInit { get; init; }
    /// <value>The default value is 1e-5.</value>
    public double AdamEpsilon { get; init; } = 1e-5;

    /// <summary>Fails with the setting to change when the options cannot work together.</summary>
    public PpoOptions Validate()
    {
        if (NEnvs < 1 || NSteps < 1) throw new ArgumentException($"ppo: n_envs = {NEnvs} and n_steps = {NSteps} must both be at least 1.");
        if (BatchSize < 1 || BatchSize > NEnvs * NSteps)
            throw new ArgumentException($"ppo: batch_size = {BatchSize} must lie in 1..n_envs·n_steps = {NEnvs * NSteps}.");
        if (NEpochs < 1) throw new ArgumentException($"ppo: n_epochs = {NEpochs} must be at least 1.");
        if (HiddenSize < 1 || HiddenLayers < 1) throw new ArgumentException("ppo: hidden_size and hidden_layers must be at least 1.");
        return this;
    }
}
