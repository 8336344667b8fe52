using Rewire.Core.Techniques;
using Rewire.Torch.Control;

namespace Rewire.Torch.Tests.Control;

public sealed class ControlAlgorithmDescriptorTests
{
    [Fact]
    public void Descriptors_are_well_formed_and_their_defaults_are_the_option_records_defaults()
    {
        Assert.Empty(TechniqueDescriptorChecks.Problems(ControlAlgorithms.Descriptors));
        Assert.Equal(new PpoOptions(), ControlAlgorithms.Ppo(TechniqueResolution.Resolve(ControlAlgorithms.Find("ppo"))));
        Assert.Equal(new DqnOptions(), ControlAlgorithms.Dqn(TechniqueResolution.Resolve(ControlAlgorithms.Find("dqn"))));
        Assert.All(ControlAlgorithms.Descriptors, d => Assert.Equal(TechniqueKinds.ControlAlgorithm, d.Kind));
    }

    [Fact]
    public void Every_parameter_reaches_the_options()
    {
        var ppo = ControlAlgorithms.Ppo(TechniqueResolution.Resolve(ControlAlgorithms.Find("ppo"), new Dictionary<string, string>
        {
            ["n_envs"] = "4", ["n_steps"] = "64", ["batch_size"] = "32", ["n_epochs"] = "3", ["gamma"] = "0.9", ["gae_lambda"] = "0.95",
            ["learning_rate"] = "0.0003", ["lr_schedule"] = "constant", ["clip_range"] = "0.1", ["clip_schedule"] = "constant", ["clip_range_vf"] = "0.2",
            ["ent_coef"] = "0.01", ["vf_coef"] = "1", ["max_grad_norm"] = "2", ["normalize_advantage"] = "false", ["normalize_observations"] = "true", ["hidden_size"] = "32",
            ["hidden_layers"] = "1", ["log_std_init"] = "-1",
        }));
        Assert.Equal(new PpoOptions
        {
            NEnvs = 4, NSteps = 64, BatchSize = 32, NEpochs = 3, Gamma = 0.9, GaeLambda = 0.95, LearningRate = 3e-4, LinearLearningRate = false, ClipRange = 0.1,
            LinearClipRange = false, ClipRangeValue = 0.2, EntCoef = 0.01, VfCoef = 1, MaxGradNorm = 2, NormalizeAdvantage = false, NormalizeObservations = true, HiddenSize = 32, HiddenLayers = 1,
            LogStdInit = -1,
        }, ppo);
        var dqn = ControlAlgorithms.Dqn(TechniqueResolution.Resolve(ControlAlgorithms.Find("dqn"), new Dictionary<string, string>
        {
            ["n_envs"] = "2", ["learning_rate"] = "0.001", ["batch_size"] = "64", ["buffer_size"] = "1000", ["learning_starts"] = "10", ["gamma"] = "0.9",
            ["target_update_interval"] = "100", ["tau"] = "0.5", ["train_freq"] = "4", ["gradient_steps"] = "1", ["exploration_fraction"] = "0.5",
            ["exploration_initial_eps"] = "0.9", ["exploration_final_eps"] = "0.05", ["max_grad_norm"] = "1", ["double_q"] = "true", ["normalize_observations"] = "true", ["hidden_size"] = "16",
            ["hidden_layers"] = "3",
        }));
        Assert.Equal(new DqnOptions
        {
            NEnvs = 2, LearningRate = 1e-3, BatchSize = 64, BufferSize = 1000, LearningStarts = 10, Gamma = 0.9, TargetUpdateInterval = 100, Tau = 0.5,
            TrainFreq = 4, GradientSteps = 1, ExplorationFraction = 0.5, ExplorationInitialEps = 0.9, ExplorationFinalEps = 0.05, MaxGradNorm = 1,
            DoubleQ = true, NormalizeObservations = true, HiddenSize = 16, HiddenLayers = 3,
        }, dqn);
    }
}
