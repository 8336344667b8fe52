// The registries a training run builds its components from, injected rather than built inside the composition code
// (TrainingComponents), so a program can add its own task, multi-turn environment, reward function, shaper or sampler with its descriptor and
// train with it like a built-in one. `rewire train` uses the built-in set.
using Rewire.Core;
using Rewire.Core.Rewards;
using Rewire.Core.Sampling;
using Rewire.Core.Shaping;
using Rewire.Core.Techniques;
using Rewire.Tasks;
using Rewire.Tasks.Environments;

namespace Rewire.Torch.Training;

/// <summary>
/// The tasks, reward functions, shapers and prompt samplers a training run can name, with the technique catalogue its
/// configuration resolves against. Each <c>Add</c> method puts the descriptor in <see cref="Catalog"/> (so its
/// parameters are checked and defaulted like a built-in technique's) and the factory in its registry; a name already
/// taken fails.
/// </summary>
public sealed class TrainingRegistries
{
    /// <summary>The built-in set, shared by runs that name no registries (never modified).</summary>
    internal static TrainingRegistries Builtin { get; } = CreateDefault();

    private TrainingRegistries(TechniqueCatalog catalog, TaskRegistry tasks, RewardFunctionRegistry rewards, ShapingRegistry shaping,
        NamedRegistry<SamplerFactory> samplers, EnvironmentRegistry environments)
    {
        Environments = environments;
        Catalog = catalog;
        Tasks = tasks;
        Rewards = rewards;
        Shaping = shaping;
        Samplers = samplers;
    }

    /// <summary>A fresh set holding every built-in technique of <c>rewire train</c>.</summary>
    public static TrainingRegistries CreateDefault() => new(
        new TechniqueCatalog().AddRange(TrainingCatalog.Default.All), TaskRegistry.CreateDefault(), RewardFunctionRegistry.CreateDefault(),
        ShapingRegistry.CreateDefault(), SamplerRegistry.CreateDefault(), EnvironmentRegistry.CreateDefault());

    /// <summary>The descriptors configuration resolves against (<c>task.name</c>, <c>reward.functions</c>, <c>reward.shaping</c>, <c>rl.sampler</c>, ...).</summary>
    public TechniqueCatalog Catalog { get; }

    /// <summary>The tasks <c>task.name</c> can select.</summary>
    public TaskRegistry Tasks { get; }

    /// <summary>The reward functions <c>reward.functions</c> can list.</summary>
    public RewardFunctionRegistry Rewards { get; }

    /// <summary>The reward shapers (<c>reward.shaping</c>) and token advantage shapers (<c>rl.advantage_shaping</c>).</summary>
    public ShapingRegistry Shaping { get; }

    /// <summary>The prompt samplers <c>rl.sampler</c> can select.</summary>
    public NamedRegistry<SamplerFactory> Samplers { get; }

    /// <summary>The multi-turn text environments <c>rl.environment</c> can select.</summary>
    public EnvironmentRegistry Environments { get; }

    /// <summary>
    /// Adds a multi-turn text environment selectable as <c>rl.environment=</c> the descriptor's name (kind
    /// <see cref="TechniqueKinds.Environment"/>); each episode gets a new environment from <paramref name="factory"/>.
    /// </summary>
    public void AddEnvironment(TechniqueDescriptor descriptor, Func<ITextEnvironment> factory)
    {
        Require(descriptor, TechniqueKinds.Environment);
        ArgumentNullException.ThrowIfNull(factory);
        Catalog.Add(descriptor);
        Environments.Register(descriptor.Name, factory);
    }

    /// <summary>Adds a task selectable as <c>task.name=</c> the descriptor's name (kind <see cref="TechniqueKinds.Task"/>).</summary>
    /// <param name="descriptor">Its descriptor; the task the factory builds must carry the same name.</param>
    /// <param name="factory">Builds the task from the run's task settings (answer format, system prompt).</param>
    public void AddTask(TechniqueDescriptor descriptor, Func<TaskSettings, ITask> factory)
    {
        Require(descriptor, TechniqueKinds.Task);
        ArgumentNullException.ThrowIfNull(factory);
        Catalog.Add(descriptor);
        Tasks.Register(descriptor.Name, factory);
    }

    /// <summary>Adds a reward function <c>reward.functions</c> can list (kind <see cref="TechniqueKinds.Reward"/>).</summary>
    public void AddRewardFunction(TechniqueDescriptor descriptor, Func<ResolvedTechnique, IRewardFunction> factory)
    {
        Require(descriptor, TechniqueKinds.Reward);
        Catalog.Add(descriptor);
        Rewards.Register(descriptor, factory);
    }

    /// <summary>Adds a reward shaper <c>reward.shaping</c> can list (kind <see cref="TechniqueKinds.Shaper"/>).</summary>
    public void AddShaper(TechniqueDescriptor descriptor, Func<ResolvedTechnique, TechniqueContext, IRewardShaper> factory)
    {
        Require(descriptor, TechniqueKinds.Shaper);
        Catalog.Add(descriptor);
        Shaping.RegisterReward(descriptor, factory);
    }

    /// <summary>Adds a token advantage shaper <c>rl.advantage_shaping</c> can list (kind <see cref="TechniqueKinds.AdvantageShaper"/>).</summary>
    public void AddAdvantageShaper(TechniqueDescriptor descriptor, Func<ResolvedTechnique, TechniqueContext, ITokenAdvantageShaper> factory)
    {
        Require(descriptor, TechniqueKinds.AdvantageShaper);
        Catalog.Add(descriptor);
        Shaping.RegisterTokenAdvantage(descriptor, factory);
    }

    /// <summary>
    /// Adds a prompt sampler <c>rl.sampler</c> can select (kind <see cref="TechniqueKinds.Sampler"/>). The factory gets the
    /// training pool, the run's sampler seed and the resolved parameters as a JSON object with the descriptor's names.
    /// </summary>
    public void AddSampler(TechniqueDescriptor descriptor, SamplerFactory factory)
    {
        Require(descriptor, TechniqueKinds.Sampler);
        ArgumentNullException.ThrowIfNull(factory);
        Catalog.Add(descriptor);
        Samplers.Register(descriptor.Name, factory);
    }

    private static void Require(TechniqueDescriptor descriptor, string kind)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (descriptor.Kind != kind)
            throw new ArgumentException($"the descriptor of '{descriptor.Name}' has kind '{descriptor.Kind}'; this registration needs kind '{kind}'", nameof(descriptor));
    }
}
