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

    /// <summary>Every registered environment.</summary>
    public static NamedRegistry<ControlEnvironmentSpec> Registry { get; } = CreateDefault();

    private static NamedRegistry<ControlEnvironmentSpec> CreateDefault()
    {
        var r = new NamedRegistry<ControlEnvironmentSpec>("control environment", StringComparer.OrdinalIgnoreCase);
        r.Register("cartpole", new ControlEnvironmentSpec("cartpole", "CartPole-v1", () => new CartPole(), 500,
            "Gymnasium's CartPole-v1: balance a pole on a cart by pushing left or right; +1 per step, 500-step limit.", Barto1983) { RewardThreshold = 475 });
        KeyDoorEnvironments.RegisterAll(r);
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
            Example = ["control", "--env", s.Name, "--algo", s.ExampleAlgorithm, "run.steps=2048", "run.seed=1", "--json"],
        }).ToList();
}
