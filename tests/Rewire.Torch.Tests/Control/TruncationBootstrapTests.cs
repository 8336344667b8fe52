using System.Text.Json.Nodes;
using Rewire.Classic.Control;
using Rewire.Torch.Control;
using Rewire.Torch.Tests.Generation;
using static TorchSharp.torch;

namespace Rewire.Torch.Tests.Control;

/// <summary>Observation 0 at reset, 1 after the single step; reward 0.5; terminates when <c>terminate</c>, else runs on.</summary>
internal sealed class OneStep(bool terminate) : EnvironmentBase<int>
{
    public override string Name => "one-step";
    public override BoxSpace ObservationSpace { get; } = new([0f], [1f]);
    public override Space<int> ActionSpace { get; } = new DiscreteSpace(2);
    protected override ResetResult ResetCore() => new([0f], EnvInfo.Empty);
    public override StepResult Step(int action) => new([1f], 0.5, terminate, false, EnvInfo.Empty);
    protected override JsonObject SaveCore() => [];
    protected override void RestoreCore(JsonObject state) { }
}

/// <summary>PPO bootstraps a truncated step with γ·V(final observation) and never a terminated one.</summary>
[Collection("torch")]
public sealed class TruncationBootstrapTests : SingleThreadedTorchTest
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Truncated_steps_get_the_discounted_value_of_the_final_observation_terminated_ones_do_not(bool terminate)
    {
        // A one-step time limit: without termination every step is truncated.
        var envs = ControlEnvironmentSet.From(() => new OneStep(terminate), maxEpisodeSteps: 1);
        var options = new PpoOptions { NEnvs = 2, NSteps = 4, BatchSize = 8, Gamma = 0.9 };
        using var ppo = new PpoLearner(options, envs, 1000, seed: 0);
        ppo.Collect();
        float v1;
        using (NewDisposeScope())
        using (no_grad()) v1 = ppo.Model.Value(tensor(new float[] { 1f }, [1, 1])).item<float>();
        Assert.NotEqual(0f, v1);
        float expected = terminate ? 0.5f : (float)(0.5 + 0.9 * v1);
        Assert.All(ppo.Buffer.Rewards, r => Assert.Equal(expected, r, 5));
        // Every observation after the first starts a new episode, so GAE never looks past a step: Â = r − V(0).
        Assert.All(ppo.Buffer.EpisodeStarts, Assert.True);
        Assert.Equal(ppo.Buffer.Rewards[0] - ppo.Buffer.Values[0], ppo.Buffer.Advantages[0], 5);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Dqn_stores_the_final_observation_and_done_only_for_termination(bool terminate)
    {
        var envs = ControlEnvironmentSet.From(() => new OneStep(terminate), maxEpisodeSteps: 1);
        using var dqn = new DqnLearner(new DqnOptions { BatchSize = 8, BufferSize = 64, TrainFreq = 4, GradientSteps = 0 }, envs, 100, seed: 0);
        dqn.Update();
        Assert.Equal(4, dqn.Replay.Count);
        var (o, _, r, n, d) = dqn.Replay.Sample(16, new Rewire.Core.Sampling.Xoshiro256StarStar(1));
        Assert.All(o, v => Assert.Equal(0f, v));
        Assert.All(n, v => Assert.Equal(1f, v));   // the true final observation, not the reset one
        Assert.All(r, v => Assert.Equal(0.5f, v));
        Assert.All(d, v => Assert.Equal(terminate ? 1f : 0f, v));
    }
}
