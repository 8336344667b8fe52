using System.Text.Json.Nodes;
using Rewire.Classic.Control;
using Rewire.Classic.Control.Environments;

namespace Rewire.Classic.Tests.Control;

/// <summary>
/// The classic-control dynamics against trajectories computed independently from Gymnasium's equations by
/// control_trajectories.py (plain Python doubles; float32 where Gymnasium stores float32): same initial state, same
/// actions, the same state, reward and termination after every step.
/// </summary>
public sealed class DynamicsTests
{
    private static JsonArray Cases() => JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Control", "control_trajectories.json")))!.AsArray();

    public static TheoryData<int> CaseIndices()
    {
        var d = new TheoryData<int>();
        for (int i = 0; i < Cases().Count; i++) d.Add(i);
        return d;
    }

    [Theory]
    [MemberData(nameof(CaseIndices))]
    public void Trajectory_matches_the_equations(int index)
    {
        var c = Cases()[index]!.AsObject();
        string env = c["env"]!.GetValue<string>();
        var init = c["initial"]!.AsArray().Select(n => n!.GetValue<double>()).ToArray();
        var actions = c["actions"]!.AsArray();
        var steps = c["steps"]!.AsArray();
        var (step, state) = Build(env, init);
        for (int t = 0; t < steps.Count; t++)
        {
            var expected = steps[t]!.AsObject();
            var r = step(actions[t]!);
            var want = expected["state"]!.AsArray().Select(n => n!.GetValue<double>()).ToArray();
            var got = state();
            for (int i = 0; i < want.Length; i++)
                Assert.True(Math.Abs(want[i] - got[i]) <= 1e-9 * Math.Max(1, Math.Abs(want[i])), $"{env} step {t + 1} coordinate {i}: expected {want[i]:R}, got {got[i]:R}");
            Assert.Equal(expected["reward"]!.GetValue<double>(), r.Reward, 12);
            Assert.Equal(expected["terminated"]!.GetValue<bool>(), r.Terminated);
            Assert.False(r.Truncated);
        }
    }

    private static (Func<JsonNode, StepResult> Step, Func<double[]> State) Build(string env, double[] init)
    {
        switch (env)
        {
            case "cartpole":
                var cp = new CartPole();
                cp.Reset(0);
                cp.State = (init[0], init[1], init[2], init[3]);
                return (a => cp.Step(a.GetValue<int>()), () => [cp.State.X, cp.State.XDot, cp.State.Theta, cp.State.ThetaDot]);
            case "mountaincar":
                var mc = new MountainCar();
                mc.Reset(0);
                mc.State = (init[0], init[1]);
                return (a => mc.Step(a.GetValue<int>()), () => [mc.State.Position, mc.State.Velocity]);
            case "mountaincar-continuous":
                var mcc = new MountainCarContinuous();
                mcc.Reset(0);
                mcc.State = (init[0], init[1]);
                return (a => mcc.Step([(float)a.GetValue<double>()]), () => [mcc.State.Position, mcc.State.Velocity]);
            case "pendulum":
                var p = new Pendulum();
                p.Reset(0);
                p.State = (init[0], init[1]);
                return (a => p.Step([(float)a.GetValue<double>()]), () => [p.State.Theta, p.State.ThetaDot]);
            case "acrobot":
                var ac = new Acrobot();
                ac.Reset(0);
                ac.State = init;
                return (a => ac.Step(a.GetValue<int>()), () => ac.State);
            default:
                throw new ArgumentException(env);
        }
    }

    [Fact]
    public void Observations_are_the_state_as_gymnasium_exposes_it()
    {
        var cp = new CartPole();
        cp.Reset(3);
        cp.State = (0.1, 0.2, 0.03, -0.4);
        var o = cp.Step(1).Observation;
        Assert.Equal(new[] { (float)cp.State.X, (float)cp.State.XDot, (float)cp.State.Theta, (float)cp.State.ThetaDot }, o);

        var ac = new Acrobot();
        ac.Reset(3);
        ac.State = [0.5, -1.0, 0.25, 2.0];
        var ao = ac.Step(1).Observation;
        var s = ac.State;
        Assert.Equal(new[] { (float)Math.Cos(s[0]), (float)Math.Sin(s[0]), (float)Math.Cos(s[1]), (float)Math.Sin(s[1]), (float)s[2], (float)s[3] }, ao);

        var p = new Pendulum();
        p.Reset(3);
        p.State = (Math.PI / 3, 1.0);
        var po = p.Step([0f]).Observation;
        Assert.Equal((float)Math.Cos(p.State.Theta), po[0]);
        Assert.Equal((float)Math.Sin(p.State.Theta), po[1]);
    }

    [Fact]
    public void Resets_draw_from_gymnasiums_ranges()
    {
        var cp = new CartPole();
        var mc = new MountainCar();
        var p = new Pendulum();
        var ac = new Acrobot();
        for (int seed = 0; seed < 200; seed++)
        {
            Assert.All(cp.Reset(seed).Observation, v => Assert.InRange(v, -0.05f, 0.05f));
            var m = mc.Reset(seed).Observation;
            Assert.InRange(m[0], -0.6f, -0.4f);
            Assert.Equal(0f, m[1]);
            p.Reset(seed);
            Assert.InRange(p.State.Theta, -Math.PI, Math.PI);
            Assert.InRange(p.State.ThetaDot, -1, 1);
            ac.Reset(seed);
            Assert.All(ac.State, v => { Assert.InRange(v, -0.1, 0.1); Assert.Equal(v, (double)(float)v); });
        }
    }

    [Fact]
    public void Cartpole_pays_zero_after_termination()
    {
        var cp = new CartPole();
        cp.Reset(0);
        cp.State = (2.39, 1.0, 0, 0);
        var r = cp.Step(1);
        Assert.True(r.Terminated);
        Assert.Equal(1.0, r.Reward);
        Assert.Equal(0.0, cp.Step(1).Reward);
    }

    [Fact]
    public void Pendulum_angle_normalisation_is_floored()
    {
        Assert.Equal(-Math.PI, Pendulum.AngleNormalize(Math.PI), 12);
        Assert.Equal(0.5 - 2 * Math.PI + 2 * Math.PI, Pendulum.AngleNormalize(0.5 + 4 * Math.PI), 12);
        Assert.Equal(-0.5, Pendulum.AngleNormalize(-0.5 - 2 * Math.PI), 12);
    }

    [Theory]
    [InlineData("cartpole", 500)]
    [InlineData("mountaincar", 200)]
    [InlineData("mountaincar-continuous", 999)]
    [InlineData("acrobot", 500)]
    [InlineData("pendulum", 200)]
    public void Registry_applies_gymnasiums_time_limits(string name, int limit)
    {
        var env = ControlEnvironments.Make(name);
        var limited = Assert.IsAssignableFrom<IEnvironment>(env);
        Assert.Equal(limit, ControlEnvironments.Spec(name).MaxEpisodeSteps);
        Assert.True(env is TimeLimit<int> { MaxEpisodeSteps: var a } ? a == limit : env is TimeLimit<float[]> { MaxEpisodeSteps: var b } && b == limit);
        Assert.Equal(name, limited.Name);
    }

    [Fact]
    public void Pendulum_truncates_at_200_and_never_terminates()
    {
        var env = (IEnvironment<float[]>)ControlEnvironments.Make("pendulum");
        env.Reset(1);
        for (int t = 1; t <= 200; t++)
        {
            var r = env.Step([0.5f]);
            Assert.False(r.Terminated);
            Assert.Equal(t == 200, r.Truncated);
        }
    }

    [Theory]
    [InlineData("cartpole")]
    [InlineData("mountaincar")]
    [InlineData("mountaincar-continuous")]
    [InlineData("acrobot")]
    [InlineData("pendulum")]
    public void Every_builtin_environment_passes_the_checker_and_resumes_exactly(string name)
    {
        var report = EnvironmentChecker.Check(ControlEnvironments.Make(name), seed: 5, steps: 600);
        Assert.True(report.Ok, report.ToString());

        var env = ControlEnvironments.Make(name);
        var copy = ControlEnvironments.Make(name);
        var rng = new Rewire.Core.Sampling.Xoshiro256StarStar(9);
        env.Reset(11);
        for (int t = 0; t < 37; t++) StepRandom(env, rng);
        var saved = ((Rewire.Core.Techniques.IStatefulTechnique)env).SaveState();
        ((Rewire.Core.Techniques.IStatefulTechnique)copy).RestoreState(JsonNode.Parse(saved.ToJsonString())!.AsObject());
        var rngCopy = Rewire.Core.Sampling.Xoshiro256StarStar.Restore(rng.SaveState());
        for (int t = 0; t < 300; t++)
        {
            var a = StepRandom(env, rng);
            var b = StepRandom(copy, rngCopy);
            Assert.Equal(a.Observation, b.Observation);
            Assert.Equal(a.Reward, b.Reward);
            Assert.Equal((a.Terminated, a.Truncated), (b.Terminated, b.Truncated));
        }
    }

    private static StepResult StepRandom(IEnvironment env, Rewire.Core.Sampling.Xoshiro256StarStar rng)
    {
        StepResult r = env switch
        {
            IEnvironment<int> d => d.Step(d.ActionSpace.Sample(rng)),
            IEnvironment<float[]> c => c.Step(c.ActionSpace.Sample(rng)),
            _ => throw new InvalidOperationException(),
        };
        if (r.Done) env.Reset();
        return r;
    }
}
