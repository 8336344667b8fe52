// What rl.estimator=prime adds to `rewire train`: the implicit PRM (ImplicitPrm) and the accuracy filter
// (PrimeAccuracyFilter), both built from the estimator's own parameters, and the checks that refuse a configuration
// they cannot run in, before any work.
using Rewire.Core.Sampling;
using Rewire.Torch.Training;

namespace Rewire.Torch.ProcessRewards;

/// <summary>PRIME's trainer-side settings, read from the resolved <c>prime</c> estimator.</summary>
internal static class PrimeSettings
{
    /// <summary>True when the run uses PRIME.</summary>
    public static bool Active(ResolvedTrainConfig c) => c.Estimator.Name == "prime";

    /// <summary>The implicit PRM's options.</summary>
    public static ImplicitPrmOptions Prm(ResolvedTrainConfig c) => new(
        c.Estimator.Double("beta"), c.Estimator.Double("prm_lr_ratio"), c.Estimator.Double("prm_max_grad_norm"), c.Estimator.String("prm_update") == "before");

    /// <summary>The configured sampler wrapped by PRIME's accuracy filter.</summary>
    public static IPromptSampler Filter(ResolvedTrainConfig c, IPromptSampler inner) =>
        new PrimeAccuracyFilter(inner, c.Estimator.Double("accuracy_low"), c.Estimator.Double("accuracy_high"), c.Estimator.Double("oversample_factor"));

    /// <summary>Problems of a PRIME configuration (none when PRIME is not used).</summary>
    public static IEnumerable<string> Check(ResolvedTrainConfig c)
    {
        if (!Active(c)) yield break;
        var o = c.Options;
        if (c.Estimator.Double("accuracy_low") > c.Estimator.Double("accuracy_high"))
            yield return $"'estimator.accuracy_low' = {c.Estimator.Double("accuracy_low")} is above 'estimator.accuracy_high' = {c.Estimator.Double("accuracy_high")}; PRIME keeps prompts whose accuracy lies between them (paper: 0.2 and 0.8)";
        if (o.Rl.GroupSize < 2)
            yield return $"'rl.group_size' = {o.Rl.GroupSize}: PRIME's leave-one-out baselines need at least 2 responses per prompt (paper: 4)";
        if (c.Sampler.Name is DapoSampler.RegistryName or DotPdsSampler.RegistryName)
            yield return $"'rl.sampler' = '{c.Sampler.Name}' filters groups itself, and PRIME's accuracy filter (estimator.accuracy_low/high) replaces it: choose a sampler that does not filter (e.g. rl.sampler=uniform), or take the whole method with rl.recipe=prime";
    }
}
