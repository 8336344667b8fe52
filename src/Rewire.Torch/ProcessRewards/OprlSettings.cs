// What rl.estimator=oprl with estimator.step_reward=learned adds to `rewire train`: OPRL's implicit PRM (ImplicitPrm with
// the trajectory-preference objective, the ratio taken to π_old), built from the estimator's own parameters, and the
// checks that refuse a configuration it cannot run in, before any work. estimator.step_reward=environment keeps the
// environment's per-turn rewards as the step rewards (the paper's "environment step rewards" ablation) and builds no PRM.
using Rewire.Torch.Training;

namespace Rewire.Torch.ProcessRewards;

/// <summary>OPRL's trainer-side settings, read from the resolved <c>oprl</c> estimator.</summary>
internal static class OprlSettings
{
    /// <summary>The value of <c>estimator.step_reward</c> that trains the implicit PRM (the paper's method).</summary>
    public const string Learned = "learned";

    /// <summary>The value of <c>estimator.step_reward</c> that reads the environment's per-turn rewards.</summary>
    public const string Environment = "environment";

    /// <summary>True when the run uses OPRL with the learned step reward.</summary>
    public static bool LearnedActive(ResolvedTrainConfig c) => c.Estimator.Name == "oprl" && c.Estimator.String("step_reward") == Learned;

    /// <summary>The implicit PRM's options (trajectory preference against π_old).</summary>
    public static ImplicitPrmOptions Prm(ResolvedTrainConfig c) => new(
        c.Estimator.Double("beta"), c.Estimator.Double("prm_lr_ratio"), c.Estimator.Double("prm_max_grad_norm"), c.Estimator.String("prm_update") == "before",
        ImplicitPrmObjective.TrajectoryPreference);

    /// <summary>Problems of an OPRL configuration with the learned step reward (none otherwise).</summary>
    public static IEnumerable<string> Check(ResolvedTrainConfig c)
    {
        if (!LearnedActive(c)) yield break;
        var o = c.Options;
        if (o.Model.IsHuggingFace)
            yield return $"'model.path' = '{o.Model.Path}': OPRL's learned step reward trains an implicit PRM that rewire train builds for the small GPT only; set estimator.step_reward=environment (the environment's step rewards) or use the small GPT";
        if (o.Rl.GroupSize < 2)
            yield return $"'rl.group_size' = {o.Rl.GroupSize}: OPRL's PRM learns from (success, failure) pairs of episodes from the same start state, so it needs at least 2 per start state (paper: 8); or set estimator.step_reward=environment";
    }
}
