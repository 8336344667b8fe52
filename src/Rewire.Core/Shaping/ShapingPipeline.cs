namespace Rewire.Core.Shaping;

/// <summary>Applies named shapers in order: the pipeline a trainer builds from configuration.</summary>
public sealed class ShapingPipeline : IRewardShaper
{
    private readonly IRewardShaper[] _stages;

    /// <summary>Creates a pipeline that applies <paramref name="stages"/> in the given order, each to the output of the previous.</summary>
    public ShapingPipeline(IEnumerable<IRewardShaper> stages)
    {
        ArgumentNullException.ThrowIfNull(stages);
        _stages = stages.ToArray();
    }

    /// <summary>
    /// Builds the pipeline from (name, settings) pairs through <paramref name="registry"/>; parameters derived from the run
    /// (generation budget) come from <paramref name="context"/> (<see cref="Techniques.TechniqueContext.Default"/> when null).
    /// </summary>
    public static ShapingPipeline FromConfig(ShapingRegistry registry, IEnumerable<(string Name, IReadOnlyDictionary<string, string>? Settings)> stages, Techniques.TechniqueContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(stages);
        return new ShapingPipeline(stages.Select(s => registry.CreateReward(s.Name, s.Settings, context)));
    }

    /// <inheritdoc />
    public string Name => string.Join("+", _stages.Select(s => s.Name));

    /// <summary>The stages, in order.</summary>
    public IReadOnlyList<IRewardShaper> Stages => _stages;

    /// <inheritdoc />
    public void Apply(ShapingBatch batch)
    {
        foreach (var stage in _stages)
        {
            stage.Apply(batch);
        }
    }
}
