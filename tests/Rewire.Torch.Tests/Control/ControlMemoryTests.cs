using Rewire.Classic.Control;
using Rewire.Torch.Control;
using Rewire.Torch.Tests.Generation;

namespace Rewire.Torch.Tests.Control;

/// <summary>Learner updates dispose every tensor they make (one dispose scope per step and per minibatch).</summary>
[Collection("torch")]
public sealed class ControlMemoryTests : SingleThreadedTorchTest
{
    private static long Live() => TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

    [Theory]
    [InlineData("ppo", "cartpole")]
    [InlineData("ppo", "pendulum")]
    [InlineData("dqn", "cartpole")]
    public void Updates_leave_no_live_tensors_behind(string algo, string env)
    {
        var spec = ControlEnvironments.Spec(env);
        var set = ControlEnvironmentSet.From(spec.Create, spec.MaxEpisodeSteps);
        using IControlLearner learner = algo == "ppo"
            ? new PpoLearner(new PpoOptions { NEnvs = 2, NSteps = 16, BatchSize = 16, NEpochs = 2 }, set, 100_000, 1)
            : new DqnLearner(new DqnOptions { BatchSize = 16, TargetUpdateInterval = 20, LearningStarts = 0, TrainFreq = 16, GradientSteps = 4 }, set, 100_000, 1);
        learner.Update();
        learner.Update();
        long warm = Live();
        for (int i = 0; i < 5; i++) learner.Update();
        learner.Evaluate(1, 0);
        Assert.Equal(warm, Live());
    }
}
