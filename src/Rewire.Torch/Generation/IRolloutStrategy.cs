using Rewire.Core;
using Rewire.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Generation;

/// <summary>G responses per prompt (<see cref="Groups"/>[i] answers prompt i) and the strategy's diagnostics by name.</summary>
public sealed record RolloutBatch(IReadOnlyList<IReadOnlyList<GeneratedSequence>> Groups, IReadOnlyDictionary<string, double> Metrics);

/// <summary>How a group of responses per prompt is produced: plain sampling, tree search (LATR), ...</summary>
public interface IRolloutStrategy
{
    /// <summary>The registry name.</summary>
    string Name { get; }

    /// <summary>Produces <paramref name="groupSize"/> responses for each prompt. Deterministic for a generator state.</summary>
    RolloutBatch Rollout(IPolicy policy, IReadOnlyList<IReadOnlyList<int>> prompts, int groupSize, GenerationOptions options, Generator generator);
}

/// <summary>The rollout-strategy registry of the strategies that need no settings: <c>sampling</c> (default) and
/// <c>latr</c> (with default <see cref="LatrOptions"/>). <c>remote</c> needs an endpoint and is built from the
/// configuration by <see cref="RolloutDescriptors.Create"/>.</summary>
public static class RolloutStrategies
{
    /// <summary>The strategies that need no settings, by name: <c>sampling</c> and <c>latr</c>.</summary>
    public static NamedRegistry<Func<IRolloutStrategy>> Registry { get; } = Build();

    /// <summary>
    /// A new instance of strategy <paramref name="name"/>; throws with the valid names when it is unknown.
    /// </summary>
    public static IRolloutStrategy Create(string name) => Registry.Get(name)();

    private static NamedRegistry<Func<IRolloutStrategy>> Build()
    {
        var r = new NamedRegistry<Func<IRolloutStrategy>>("rollout strategy");
        r.Register("sampling", () => new SamplingRollout());
        r.Register("latr", () => new LatrRollout(new LatrOptions()));
        return r;
    }
}
