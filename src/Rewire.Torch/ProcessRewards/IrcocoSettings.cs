// What rl.estimator=ircoco adds to `rewire train`: IRCoCo's evaluator (IrcocoEvaluator), built from the estimator's own
// parameters, and the checks that refuse a configuration it cannot run in, before any work. IRCoCo is line-level code
// completion: the prompts are the `programs` task's (input/output examples ending in "f(x)=") and each completion is
// compared with the task's reference program, the line the paper's metrics (edit similarity, BLEU) score.
using Rewire.Core.Sampling;
using Rewire.Torch.Training;

namespace Rewire.Torch.ProcessRewards;

/// <summary>IRCoCo's trainer-side settings, read from the resolved <c>ircoco</c> estimator.</summary>
internal static class IrcocoSettings
{
    /// <summary>The estimator's registry name.</summary>
    public const string Name = "ircoco";

    /// <summary>The one task whose completions are lines of code with a reference line.</summary>
    public const string CodeTask = "programs";

    /// <summary>True when the run uses IRCoCo.</summary>
    public static bool Active(ResolvedTrainConfig c) => c.Estimator.Name == Name;

    /// <summary>The evaluator's options.</summary>
    public static IrcocoOptions Options(ResolvedTrainConfig c) => new(
        c.Estimator.String("metric") == "bleu" ? IrcocoMetric.Bleu : IrcocoMetric.EditSimilarity,
        c.Estimator.Double("evaluator_lr_ratio"), c.Estimator.Double("evaluator_max_grad_norm"), c.Estimator.Int("evaluator_updates"), c.Estimator.Int("evaluator_warmup"),
        c.Estimator.String("reward") == "delayed");

    /// <summary>Problems of an IRCoCo configuration (none when IRCoCo is not used); the model and environment are checked through the immediate_rewards column.</summary>
    public static IEnumerable<string> Check(ResolvedTrainConfig c)
    {
        if (!Active(c)) yield break;
        var o = c.Options;
        if (o.Task.Name != CodeTask)
            yield return $"'task.name' = '{o.Task.Name}': IRCoCo is line-level code completion, its evaluator learns the similarity of a completed line of code to the reference line; set task.name={CodeTask}";
        if (c.Sampler.Name is DapoSampler.RegistryName or DotPdsSampler.RegistryName)
            yield return $"'rl.sampler' = '{c.Sampler.Name}' keeps or drops groups by the verifier's rewards, which are not IRCoCo's reward (the evaluator's immediate rewards are): set rl.sampler=uniform";
    }
}
