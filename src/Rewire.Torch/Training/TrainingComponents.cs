using System.Text.Json.Nodes;
using Rewire.Core.Advantages;
using Rewire.Core.Configuration;
using Rewire.Core.Rewards;
using Rewire.Core.Sampling;
using Rewire.Core.Shaping;
using TokenMatrix = Rewire.Core.Stats.TokenMatrix;
using Rewire.Tasks;
using Rewire.Torch.Objectives;
using Rewire.Torch.Objectives.Aggregation;
using Rewire.Torch.Objectives.Kl;
using Rewire.Torch.Objectives.Policy;

namespace Rewire.Torch.Training;

/// <summary>
/// Resolves every name in a <see cref="TrainOptions"/> against its registry, before any work starts, so that a typo in
/// `rl.objective` fails in milliseconds with the list of valid names instead of after the warm start.
/// </summary>
public static class TrainingComponents
{
    /// <summary>The seed streams derived from the master seed (one per purpose, so adding one never shifts another).</summary>
    public static class Streams
    {
        public const ulong Data = 1, Init = 2, Demonstrations = 3, Sft = 4, Sampler = 5, Generation = 6, Shuffle = 7, Eval = 8;
    }

    public static ulong Derive(int seed, ulong stream) => Xoshiro256StarStar.Derive((ulong)seed, stream);

    /// <summary>Throws <see cref="ConfigurationException"/> listing every name that no registry knows.</summary>
    public static void ValidateNames(TrainOptions o)
    {
        var errors = new List<string>();
        var tasks = TaskRegistry.CreateDefault();
        if (!tasks.Names.Contains(o.Task.Name))
            errors.Add(Unknown("task.name", o.Task.Name, tasks.Names));
        else if (o.Task.Difficulty > tasks.Create(o.Task.Name).MaxDifficulty)
            errors.Add($"'task.difficulty' = {o.Task.Difficulty} exceeds the {o.Task.Name} task's maximum of {tasks.Create(o.Task.Name).MaxDifficulty}");

        var estimators = AdvantageEstimatorRegistry.Default;
        if (!estimators.Contains(o.Rl.Estimator)) errors.Add(Unknown("rl.estimator", o.Rl.Estimator, estimators.Names));
        else if (!WorksWithoutCritic(estimators.Create(o.Rl.Estimator)))
            errors.Add($"'rl.estimator' = '{o.Rl.Estimator}' needs inputs `rewire train` does not produce (critic values, baseline rewards or policy statistics); choose one of: {string.Join(", ", estimators.Names.Where(n => WorksWithoutCritic(estimators.Create(n))))}");

        if (!PolicyObjectives.Registry.Contains(o.Rl.Objective)) errors.Add(Unknown("rl.objective", o.Rl.Objective, PolicyObjectives.Registry.Names));
        if (!LossAggregators.Registry.Contains(o.Rl.LossAggMode)) errors.Add(Unknown("rl.loss_agg_mode", o.Rl.LossAggMode, LossAggregators.Registry.Names));
        if (!SamplerRegistry.Default.Contains(o.Rl.Sampler)) errors.Add(Unknown("rl.sampler", o.Rl.Sampler, SamplerRegistry.Default.Names));
        if (o.Rl.KlMode != "none" && !KlEstimators.Registry.Contains(o.Rl.KlEstimator)) errors.Add(Unknown("rl.kl_estimator", o.Rl.KlEstimator, KlEstimators.Registry.Names));
        var shaping = ShapingRegistry.CreateDefault();
        foreach (var s in o.Reward.Shaping)
            if (!shaping.Rewards.Names.Contains(s)) errors.Add(Unknown("reward.shaping", s, shaping.Rewards.Names));
        if (tasks.Names.Contains(o.Task.Name)) errors.AddRange(TrainSettingsChecks.Check(o, tasks.Create(o.Task.Name)));
        if (errors.Count > 0) throw new ConfigurationException(errors);
    }

    private static string Unknown(string key, string value, IEnumerable<string> valid)
    {
        string? suggestion = OptionsBinder.Suggest(value, valid);
        return $"'{key}' = '{value}' is not registered" + (suggestion is null ? "" : $" (did you mean '{suggestion}'?)") + $"; valid: {string.Join(", ", valid)}";
    }

    /// <summary>True when the estimator computes advantages from rewards, mask and group index alone.</summary>
    public static bool WorksWithoutCritic(IAdvantageEstimator estimator)
    {
        var rewards = new TokenMatrix(4, 2, [0, 1, 0, 0, 0, 1, 0, 0]);
        var mask = new TokenMatrix(4, 2, [1, 1, 1, 1, 1, 1, 1, 1]);
        try
        {
            estimator.Compute(new AdvantageInput(rewards, mask) { Index = Rewire.Core.Stats.GroupIndex.FromLabels(["a", "a", "b", "b"]) });
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public static ITask CreateTask(TrainOptions o) => TaskRegistry.CreateDefault().Create(o.Task.Name);

    public static IPromptSampler CreateSampler(TrainOptions o, IReadOnlyList<Prompt> pool)
    {
        var options = o.Rl.Sampler is "dapo" or "dot_pds"
            ? new JsonObject { ["max_rounds"] = o.Rl.MaxSamplingRounds, ["when_short"] = "partial" }
            : null;
        return SamplerRegistry.Create(o.Rl.Sampler, pool, Derive(o.Run.Seed, Streams.Sampler), options);
    }

    /// <summary>The task's verifier behind failure isolation: a throw, a non-finite value or a timeout yields the failure value.</summary>
    public static RewardPipeline CreateReward(TrainOptions o, ITask task)
    {
        var policy = new FailurePolicy { FailureValue = o.Reward.FailureValue, TimeBudget = TimeSpan.FromMilliseconds(o.Reward.TimeoutMs) };
        var terms = new List<RewardTerm>();
        if (o.Reward.Weights.Count == 0) terms.Add(RewardTerm.Of(task.Verifier, 1.0, policy, "verifier"));
        else
            foreach (var (component, weight) in o.Reward.Weights.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                terms.Add(RewardTerm.Of(new ComponentReward(task.Verifier, component), weight, policy, component));
        return new RewardPipeline(terms, "reward");
    }

    public static ShapingPipeline? CreateShaping(TrainOptions o) =>
        o.Reward.Shaping.Count == 0 ? null
            : ShapingPipeline.FromConfig(ShapingRegistry.CreateDefault(), o.Reward.Shaping.Select(n => (n, (IReadOnlyDictionary<string, string>?)null)));

    public static IAdvantageEstimator CreateEstimator(TrainOptions o) => AdvantageEstimatorRegistry.Default.Create(o.Rl.Estimator);

    public static ActorLoss CreateLoss(TrainOptions o)
    {
        var objective = PolicyObjectives.Create(o.Rl.Objective, new PolicyObjectiveOptions
        {
            ClipRatio = o.Rl.ClipLow,
            ClipRatioLow = o.Rl.ClipLow,
            ClipRatioHigh = o.Rl.ClipHigh,
            LossAggMode = o.Rl.LossAggMode,
        });
        if (o.Rl.KlMode == "loss")
            return new ActorLoss(objective, new KlPenaltyLoss(o.Rl.KlEstimator, o.Rl.LossAggMode), new Rewire.Core.Kl.FixedKlController(o.Rl.KlCoef), o.Rl.EntropyCoef);
        return new ActorLoss(objective, entropyCoefficient: o.Rl.EntropyCoef);
    }

    /// <summary>One named component of a verifier as a reward function (for `reward.weights.NAME=w`).</summary>
    private sealed class ComponentReward(IRewardFunction inner, string component) : IRewardFunction
    {
        public string Name => component;

        public RewardResult Score(Rollout rollout)
        {
            var r = inner.Score(rollout);
            if (!r.Components.TryGetValue(component, out double value))
                throw new InvalidOperationException($"the verifier gave no component '{component}'; it gives: {string.Join(", ", r.Components.Keys)}");
            return r with { Total = value, Components = new Dictionary<string, double> { [component] = value } };
        }
    }
}
