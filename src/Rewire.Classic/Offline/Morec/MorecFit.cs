using Rewire.Core.Sampling;

namespace Rewire.Classic.Offline.Morec;

/// <summary>What MOREC learns from a dataset before policy optimisation: the dynamics ensemble and, with the filter, the dynamics reward.</summary>
public sealed record MorecModels(OfflineData Data, DynamicsEnsemble Ensemble, DynamicsRewardModel? Reward);

/// <summary>MOREC's model learning: the ensemble by likelihood, then (with the filter) the dynamics reward by adversarial learning.</summary>
public static class MorecFit
{
    /// <summary>Fits the models to <paramref name="data"/>; the same seed gives the same models.</summary>
    public static MorecModels Fit(OfflineData data, MorecOptions options, int seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems));
        // Both arms of the filter comparison train the same ensemble from the same stream.
        var ensemble = DynamicsEnsemble.Train(data, options.Members, options.EliteCount, options.ModelHidden, options.ModelEpochs,
            options.ModelBatchSize, options.ModelLearningRate, new Xoshiro256StarStar(Xoshiro256StarStar.Derive(unchecked((ulong)seed), 11)));
        var reward = options.Filter
            ? DynamicsRewardModel.Learn(data, ensemble, options, new Xoshiro256StarStar(Xoshiro256StarStar.Derive(unchecked((ulong)seed), 12)))
            : null;
        return new MorecModels(data, ensemble, reward);
    }
}
