using Rewire.Core.Techniques;

namespace Rewire.Classic.Control;

/// <summary>What a reward design knows about the run when it wraps an environment.</summary>
/// <param name="Parameters">The design's parameters, resolved against its descriptor (keys <c>reward.NAME</c> on the command line).</param>
/// <param name="EnvironmentName">The registry name of the environment.</param>
/// <param name="Seed">The run seed.</param>
/// <param name="Gamma">The learner's discount factor (potential-based shaping needs it).</param>
public sealed record RewardDesignContext(ResolvedTechnique Parameters, string EnvironmentName, int Seed, double Gamma);

/// <summary>
/// A reward design (kind <c>reward_design</c>, selected by <c>reward.design=NAME</c>): it wraps each training environment
/// before the learner sees it, typically with a <see cref="RewardTransformWrapper{TAction}"/>. The learner records true
/// returns beneath it (an <see cref="EpisodeStatistics{TAction}"/> is put inside), so <c>mean_return_last_100</c> always
/// measures the environment's own reward. One instance serves every sub-environment of a run, so it can share state
/// between them; if it also implements <see cref="IStatefulTechnique"/>, its state is checkpointed with the run.
/// </summary>
public interface IRewardDesign
{
    /// <summary>Wraps sub-environment <paramref name="index"/> of the run.</summary>
    IEnvironment<TAction> Wrap<TAction>(IEnvironment<TAction> environment, int index, RewardDesignContext context) where TAction : notnull;

    /// <summary>Numbers to log with each learner update (e.g. per-component reward contributions); none by default.</summary>
    IReadOnlyDictionary<string, double> Report() => new Dictionary<string, double>();
}

/// <summary>The identity design: the environment's own reward.</summary>
public sealed class NoRewardDesign : IRewardDesign
{
    /// <inheritdoc />
    public IEnvironment<TAction> Wrap<TAction>(IEnvironment<TAction> environment, int index, RewardDesignContext context) where TAction : notnull => environment;
}

/// <summary>
/// The registry of reward designs (kind <c>reward_design</c>): a descriptor and a factory per name. <c>none</c> is built in;
/// the built-in designs are registered in <c>RegisterBuiltIns</c> (one call each), so the registry is complete wherever it is
/// read; a program can add its own with <see cref="Register"/>.
/// </summary>
public static class RewardDesigns
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, (TechniqueDescriptor Descriptor, Func<RewardDesignContext, IRewardDesign> Create)> Items =
        new(StringComparer.Ordinal);

    static RewardDesigns() => RegisterBuiltIns();

    private static void RegisterBuiltIns()
    {
        Register(new TechniqueDescriptor
        {
            Kind = TechniqueKinds.RewardDesign,
            Name = "none",
            Summary = "The environment's own reward, unchanged.",
            Paper = "Reinforcement Learning: An Introduction (Sutton and Barto, MIT Press, 2nd ed. 2018)",
            Example = ["control", "--env", "cartpole", "--algo", "ppo", "reward.design=none", "run.steps=2048", "run.seed=1", "--json"],
        }, _ => new NoRewardDesign());
        Rewire.Classic.RewardDesign.RewardDesignCatalog.RegisterAll(Register);
    }

    /// <summary>Adds a design; its descriptor's kind must be <c>reward_design</c> and its name unused.</summary>
    public static void Register(TechniqueDescriptor descriptor, Func<RewardDesignContext, IRewardDesign> create)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(create);
        if (descriptor.Kind != TechniqueKinds.RewardDesign) throw new ArgumentException($"'{descriptor.Name}' has kind '{descriptor.Kind}'; a reward design has kind '{TechniqueKinds.RewardDesign}'.");
        lock (Gate)
            if (!Items.TryAdd(descriptor.Name, (descriptor, create)))
                throw new InvalidOperationException($"reward design '{descriptor.Name}' is already registered.");
    }

    /// <summary>Every registered design's descriptor, by name.</summary>
    public static IReadOnlyList<TechniqueDescriptor> Descriptors
    {
        get { lock (Gate) return Items.Values.Select(v => v.Descriptor).OrderBy(d => d.Name, StringComparer.Ordinal).ToList(); }
    }

    /// <summary>The descriptor of <paramref name="name"/>, or null.</summary>
    public static TechniqueDescriptor? Find(string name)
    {
        lock (Gate) return Items.TryGetValue(name, out var v) ? v.Descriptor : null;
    }

    /// <summary>Applies <paramref name="design"/> to an environment of either action type.</summary>
    public static IEnvironment Wrap(IRewardDesign design, IEnvironment environment, int index, RewardDesignContext context)
    {
        ArgumentNullException.ThrowIfNull(design);
        return environment switch
        {
            IEnvironment<int> d => design.Wrap(d, index, context),
            IEnvironment<float[]> c => design.Wrap(c, index, context),
            _ => throw new ArgumentException($"'{environment?.Name}' implements neither IEnvironment<int> nor IEnvironment<float[]>."),
        };
    }

    /// <summary>Builds the design named in <paramref name="context"/>'s parameters.</summary>
    public static IRewardDesign Create(RewardDesignContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Func<RewardDesignContext, IRewardDesign> create;
        lock (Gate)
        {
            if (!Items.TryGetValue(context.Parameters.Name, out var v))
                throw new KeyNotFoundException($"unknown reward design '{context.Parameters.Name}'; valid names: {string.Join(", ", Items.Keys.Order(StringComparer.Ordinal))}.");
            create = v.Create;
        }
        return create(context);
    }
}
