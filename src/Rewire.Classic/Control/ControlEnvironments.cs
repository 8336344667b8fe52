using Rewire.Classic.Control.Environments;
using Rewire.Core;
using Rewire.Core.Techniques;

namespace Rewire.Classic.Control;

/// <summary>
/// A registered control environment: how to build one copy (unwrapped), its episode step limit (applied by
/// <see cref="ControlEnvironments.Make"/> as a <see cref="TimeLimit{TAction}"/>, as Gymnasium's <c>make</c> does), and what
/// `rewire list` shows: its Gymnasium id, summary, paper and the algorithm its example trains.
/// </summary>
public sealed record ControlEnvironmentSpec(
    string Name, string GymnasiumId, Func<IEnvironment> Create, int MaxEpisodeSteps, string Summary, string Paper, string ExampleAlgorithm = "ppo")
{
    /// <summary>The return at which Gymnasium considers the task solved (null when it sets none).</summary>
    public double? RewardThreshold { get; init; }

    /// <summary>Extra key=value settings of the listed example (e.g. fewer environments so a long episode ends within its small budget).</summary>
    public IReadOnlyList<string> ExampleKeys { get; init; } = [];
}

/// <summary>
/// The registry of control environments (kind <c>control_environment</c>), case-insensitive, read by
/// <c>rewire control --env NAME</c>. Add one with <see cref="Registry"/>.<c>Register</c>; its descriptor follows from the spec.
/// </summary>
public static class ControlEnvironments
{
    private const string Barto1983 = "Neuronlike Adaptive Elements That Can Solve Difficult Learning Control Problems (Barto, Sutton, Anderson, IEEE SMC 1983)";
    private const string Moore1990 = "Efficient Memory-based Learning for Robot Control (Moore, PhD thesis, University of Cambridge 1990)";
    private const string Sutton1996 = "Generalization in Reinforcement Learning: Successful Examples Using Sparse Coarse Coding (Sutton, NeurIPS 1996)";
    private const string GymnasiumPaper = "Gymnasium: A Standard Interface for Reinforcement Learning Environments (Towers et al., arXiv 2407.17032)";

    private const string LehmanStanley2011 = "Abandoning Objectives: Evolution Through the Search for Novelty Alone (Lehman, Stanley, Evolutionary Computation 2011)";
    private const string Paolo2021 = "Sparse Reward Exploration via Novelty Search and Emitters (Paolo, Coninx, Doncieux, Sigaud, GECCO 2021, arXiv 2102.03140)";

    /// <summary>Every registered environment.</summary>
    public static NamedRegistry<ControlEnvironmentSpec> Registry { get; } = CreateDefault();

    private static NamedRegistry<ControlEnvironmentSpec> CreateDefault()
    {
        var r = new NamedRegistry<ControlEnvironmentSpec>("control environment", StringComparer.OrdinalIgnoreCase);
        r.Register("cartpole", new ControlEnvironmentSpec("cartpole", "CartPole-v1", () => new CartPole(), 500,
            "Gymnasium's CartPole-v1: balance a pole on a cart by pushing left or right; +1 per step, 500-step limit.", Barto1983) { RewardThreshold = 475 });
        r.Register("mountaincar", new ControlEnvironmentSpec("mountaincar", "MountainCar-v0", () => new MountainCar(), 200,
            "Gymnasium's MountainCar-v0: drive an under-powered car up a hill by rocking; -1 per step, 200-step limit.", Moore1990) { RewardThreshold = -110 });
        r.Register("mountaincar-continuous", new ControlEnvironmentSpec("mountaincar-continuous", "MountainCarContinuous-v0", () => new MountainCarContinuous(), 999,
            "Gymnasium's MountainCarContinuous-v0: the mountain car with a force in [-1, 1]; +100 at the goal, -0.1 a^2 per step, 999-step limit.", Moore1990)
        { RewardThreshold = 90, ExampleKeys = ["ppo.n_envs=2", "ppo.batch_size=64"] });
        r.Register("acrobot", new ControlEnvironmentSpec("acrobot", "Acrobot-v1", () => new Acrobot(), 500,
            "Gymnasium's Acrobot-v1: swing a two-link pendulum's tip above a line by a torque at the joint (RK4, book dynamics); -1 per step, 500-step limit.",
            Sutton1996) { RewardThreshold = -100 });
        r.Register("pendulum", new ControlEnvironmentSpec("pendulum", "Pendulum-v1", () => new Pendulum(), 200,
            "Gymnasium's Pendulum-v1: swing a pendulum up and hold it with a torque in [-2, 2]; reward -(angle^2 + 0.1 speed^2 + 0.001 torque^2), 200-step limit.",
            GymnasiumPaper));
        KeyDoorEnvironments.RegisterAll(r);
        r.Register("deceptive-maze", new ControlEnvironmentSpec("deceptive-maze", "Rewire/deceptive-maze", () => new DeceptiveMaze(sparse: false), DeceptiveMaze.DefaultTimeLimit,
            "A point robot in a maze whose straight-line progress reward leads to a dead end under a wall below the goal; +10 at the goal, 400-step limit (quality-diversity test bed).",
            LehmanStanley2011) { ExampleKeys = ["ppo.n_envs=2", "ppo.batch_size=64"] });
        r.Register("deceptive-maze-sparse", new ControlEnvironmentSpec("deceptive-maze-sparse", "Rewire/deceptive-maze-sparse", () => new DeceptiveMaze(sparse: true), DeceptiveMaze.DefaultTimeLimit,
            "The deceptive maze with the sparse reward only: +10 at the goal, 0 elsewhere, 400-step limit.", Paolo2021)
        { ExampleKeys = ["ppo.n_envs=2", "ppo.batch_size=64"] });
        return r;
    }

    /// <summary>The spec of <paramref name="name"/>; an unknown name fails with the valid names.</summary>
    public static ControlEnvironmentSpec Spec(string name) => Registry.Get(name);

    /// <summary>A new copy of <paramref name="name"/> inside its time limit.</summary>
    public static IEnvironment Make(string name)
    {
        var spec = Spec(name);
        return WithTimeLimit(spec.Create(), spec.MaxEpisodeSteps);
    }

    /// <summary>Wraps an environment of either action type in a <see cref="TimeLimit{TAction}"/>.</summary>
    public static IEnvironment WithTimeLimit(IEnvironment environment, int maxEpisodeSteps) => environment switch
    {
        IEnvironment<int> d => new TimeLimit<int>(d, maxEpisodeSteps),
        IEnvironment<float[]> c => new TimeLimit<float[]>(c, maxEpisodeSteps),
        _ => throw new ArgumentException($"'{environment?.Name}' implements neither IEnvironment<int> nor IEnvironment<float[]>."),
    };

    /// <summary>Kind <c>control_environment</c>: one descriptor per registered environment.</summary>
    public static IReadOnlyList<TechniqueDescriptor> Descriptors =>
        Registry.Names.Select(Spec).Select(s => new TechniqueDescriptor
        {
            Kind = TechniqueKinds.ControlEnvironment,
            Name = s.Name,
            Summary = s.Summary,
            Paper = s.Paper,
            Example = ["control", "--env", s.Name, "--algo", s.ExampleAlgorithm, .. s.ExampleKeys, "run.steps=2048", "run.seed=1", "--json"],
        }).ToList();
}
