// The composition root of technique descriptors for `rewire train`: every kind the trainer can run. `Full` is what
// configuration resolves against (so a technique whose input is missing is refused with the reason, not "unknown");
// `Listed` keeps only the techniques whose every batch column some configuration of the trainer provides, which is
// what `rewire list` shows. A new technique is its file plus its descriptor in its kind's descriptor list: nothing here
// or in the trainer changes.
using Rewire.Core.Advantages;
using Rewire.Core.MultiObjective;
using Rewire.Core.Rewards;
using Rewire.Core.Sampling;
using Rewire.Core.Shaping;
using Rewire.Core.Techniques;
using Rewire.Tasks;
using Rewire.Torch.Generation;
using Rewire.Torch.Objectives.Aggregation;
using Rewire.Torch.Objectives.Kl;
using Rewire.Torch.Objectives.Policy;

namespace Rewire.Torch.Training;

/// <summary>The descriptors of everything `rewire train` can select.</summary>
public static class TrainingCatalog
{
    /// <summary>Every described technique of the trainer's kinds.</summary>
    public static TechniqueCatalog Default { get; } = new TechniqueCatalog()
        .AddRange(Recipes.All)
        .AddRange(TaskDescriptors.All.Where(d => d.Kind == TechniqueKinds.Task))
        .AddRange(TaskDescriptors.Environments)
        .AddRange(ObjectiveDescriptors.All)
        .AddRange(AggregationDescriptors.All)
        .AddRange(KlDescriptors.All)
        .AddRange(EstimatorDescriptors.All)
        .AddRange(ShapingDescriptors.All)
        .AddRange(SamplerDescriptors.All)
        .AddRange(WeightingDescriptors.All)
        .AddRange(RewardDescriptors.All)
        .AddRange(RolloutDescriptors.All);

    /// <summary>True when some configuration of the trainer provides every column <paramref name="d"/> reads.</summary>
    public static bool Runnable(TechniqueDescriptor d) => d.Requires.All(c => TrainingColumns.Providable(c, d.Name));

    /// <summary>The trainer's techniques that `rewire list` shows.</summary>
    public static IEnumerable<TechniqueDescriptor> Listed => Default.All.Where(Runnable);
}
