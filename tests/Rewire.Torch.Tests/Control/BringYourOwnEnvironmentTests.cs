using System.Text.Json.Nodes;
using Rewire.Classic.Control;
using Rewire.Torch.Control;
using Rewire.Torch.Tests.Generation;

namespace Rewire.Torch.Tests.Control;

/// <summary>The README's "bring your own environment" example, verbatim: it passes the checker and PPO learns it.</summary>
[Collection("torch")]
public sealed class BringYourOwnEnvironmentTests : SingleThreadedTorchTest
{
    public sealed class Corridor : EnvironmentBase<int>          // walk right to the end of a corridor
    {
        private int _x;
        public override string Name => "corridor";
        public override BoxSpace ObservationSpace { get; } = new([0f], [10f]);
        public override Space<int> ActionSpace { get; } = new DiscreteSpace(2);   // 0 left, 1 right
        protected override ResetResult ResetCore() { _x = Rng.NextInt(3); return new([_x], EnvInfo.Empty); }
        public override StepResult Step(int a)
        {
            _x = Math.Clamp(_x + (a == 1 ? 1 : -1), 0, 10);
            return new([_x], _x == 10 ? 1.0 : -0.01, _x == 10, false, EnvInfo.Empty);
        }
        protected override JsonObject SaveCore() => new() { ["x"] = _x };
        protected override void RestoreCore(JsonObject s) => _x = s["x"]!.GetValue<int>();
    }

    [Fact]
    public void The_readme_environment_passes_the_checker_and_ppo_learns_to_walk_right()
    {
        Assert.Equal("environment check passed", EnvironmentChecker.Check(new Corridor()).ToString());
        using var ppo = new PpoLearner(new PpoOptions(), ControlEnvironmentSet.From(() => new Corridor(), maxEpisodeSteps: 100),
            totalSteps: 20_000, seed: 1);
        while (!((IControlLearner)ppo).Done) ppo.Update();
        // Walking straight right from x ≤ 2 takes 8 to 10 steps: return 1 − 0.01·(steps − 1) ≥ 0.91.
        Assert.True(ppo.MeanReturnLast100 > 0.85, $"mean return {ppo.MeanReturnLast100}");
        Assert.All(ppo.Evaluate(3, 0), r => Assert.True(r > 0.9, $"greedy return {r}"));
    }
}
