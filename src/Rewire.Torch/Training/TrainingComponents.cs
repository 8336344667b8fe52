// The composition root of one training run: every technique built from its resolved descriptor (ResolvedTrainConfig),
// so each gets exactly its paper's defaults unless a key says otherwise. Nothing here is specific to one technique;
// a new technique needs its file and its descriptor only.
using Rewire.Core.Advantages;
using Rewire.Core.Configuration;
using Rewire.Core.MultiObjective;
using Rewire.Core.Rewards;
using Rewire.Core.Sampling;
using Rewire.Core.Shaping;
using Rewire.Core.Techniques;
using Rewire.Tasks;
using Rewire.Tasks.Chat;
using Rewire.Tasks.Dataset;
using Rewire.Torch.Generation;
using Rewire.Torch.Objectives;
using Rewire.Torch.Objectives.Aggregation;
using Rewire.Torch.Objectives.Kl;
using Rewire.Torch.Objectives.Policy;

namespace Rewire.Torch.Training;

/// <summary>Builds the run's techniques from a resolved configuration.</summary>
public static class TrainingComponents
{
    /// <summary>The seed streams derived from the master seed (one per purpose, so adding one never shifts another).</summary>
    public static class Streams
    {
        /// <summary>Stream of the task data (training pool and test set).</summary>
        public const ulong Data = 1;

        /// <summary>Stream of the model initialisation.</summary>
        public const ulong Init = 2;

        /// <summary>Stream of the warm-start demonstrations.</summary>
        public const ulong Demonstrations = 3;

        /// <summary>Stream of the warm start's batch order.</summary>
        public const ulong Sft = 4;

        /// <summary>Stream of the prompt sampler.</summary>
        public const ulong Sampler = 5;

        /// <summary>Stream of the rollout sampling.</summary>
        public const ulong Generation = 6;

        /// <summary>Stream of the mini-batch shuffling.</summary>
        public const ulong Shuffle = 7;

        /// <summary>Stream of the evaluation sampling.</summary>
        public const ulong Eval = 8;

        /// <summary>Stream of the reference-policy responses.</summary>
        public const ulong ReferenceRewards = 9;

        /// <summary>Stream of the techniques' own randomness (e.g. Clip-Cov's subset).</summary>
        public const ulong Techniques = 10;
    }

    /// <summary>
    /// The seed of stream <paramref name="stream"/> (one of <see cref="Streams"/>) derived from master seed
    /// <paramref name="seed"/>.
    /// </summary>
    public static ulong Derive(int seed, ulong stream) => Xoshiro256StarStar.Derive((ulong)seed, stream);

    /// <summary>
    /// The run's task, with its answer format and (task.name=dataset) its file read and checked. A bad setting or a
    /// malformed record is a <see cref="ConfigurationException"/> (exit code 2) naming the file and line or row.
    /// </summary>
    /// <param name="o">The run's options.</param>
    /// <param name="registries">The tasks and environments to pick from; null for the built-in ones.</param>
    public static ITask CreateTask(TrainOptions o, TrainingRegistries? registries = null)
    {
        registries ??= TrainingRegistries.Builtin;
        if (EpisodeSettings.OpenLoop(o))  // the single-turn baseline: the whole episode as one completion, replayed
            return new Rewire.Tasks.Environments.OpenLoopEnvironmentTask(EpisodeSettings.CreateTask(o, registries.Environments), o.Rl.MaxNewTokens);
        if (o.Rl.Environment.Length > 0) return EpisodeSettings.CreateTask(o, registries.Environments);
        var t = o.Task;
        try
        {
            var settings = new TaskSettings
            {
                Format = AnswerFormats.Parse(t.Format),
                System = t.System,
                Dataset = t.Name == DatasetTask.TaskName && t.Path.Length > 0
                    ? new DatasetOptions
                    {
                        Path = t.Path, PromptField = t.PromptField, MessagesField = t.MessagesField, AnswerField = t.AnswerField,
                        TestsField = t.TestsField, DomainField = t.DomainField, DifficultyField = t.DifficultyField, SplitField = t.SplitField,
                        Verifier = t.Verifier, Tolerance = t.Tolerance, Pattern = t.Pattern, TestFraction = t.TestFraction,
                        SplitSeed = t.SplitSeed, MaxAlphabet = t.MaxAlphabet,
                    }
                    : null,
            };
            return registries.Tasks.Create(t.Name, settings);
        }
        catch (Exception e) when (e is ArgumentException or DatasetFormatException or IOException or UnauthorizedAccessException or Rewire.Tasks.Sandbox.SandboxUnavailableException)
        {
            throw new ConfigurationException([e.Message]);
        }
    }

    /// <summary>The fixed records of a file-backed task, or null for a generated task.</summary>
    public static DatasetTask? DatasetOf(ITask task) => task switch
    {
        DatasetTask d => d,
        FormattedTask f => DatasetOf(f.Inner),
        _ => null,
    };

    /// <summary>The configured prompt sampler over <paramref name="pool"/>, seeded from its own stream.</summary>
    public static IPromptSampler CreateSampler(ResolvedTrainConfig c, IReadOnlyList<Prompt> pool) =>
        c.Registries.Samplers.Get(c.Sampler.Name)(pool, Derive(c.Options.Run.Seed, Streams.Sampler), SamplerRegistry.Options(c.Sampler));

    /// <summary>
    /// The reward stage: the task's verifier (its total, or its named components weighted by reward.weights) plus the
    /// functions of reward.functions (weight 1 unless reward.weights names them), each behind failure isolation.
    /// </summary>
    /// <param name="custom">Reward functions given in code (like TRL's reward_funcs), each a term of weight 1 unless
    /// reward.weights names it, failure-isolated like the others.</param>
    /// <param name="c">The resolved configuration.</param>
    /// <param name="task">The task whose verifier is the first reward term.</param>
    public static RewardStage CreateReward(ResolvedTrainConfig c, ITask task, IReadOnlyList<IRewardFunction>? custom = null)
    {
        var o = c.Options;
        var policy = new FailurePolicy { FailureValue = o.Reward.FailureValue, TimeBudget = TimeSpan.FromMilliseconds(o.Reward.TimeoutMs) };
        var modelPolicy = policy with { TimeBudget = TimeSpan.FromMilliseconds(o.Reward.ModelTimeoutMs) };
        var functionNames = c.RewardFunctions.Select(f => f.Name).Concat((custom ?? []).Select(f => f.Name)).ToHashSet(StringComparer.Ordinal);
        if (o.Reward.Model.Length > 0) functionNames.Add(Preferences.RewardModelReward.ComponentName);
        if (o.Reward.Judge.Length > 0) functionNames.Add(JudgeRewards.ComponentName);
        var componentWeights = o.Reward.Weights.Where(kv => !functionNames.Contains(kv.Key)).OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        var terms = new List<RewardTerm>();
        if (componentWeights.Count == 0) terms.Add(RewardTerm.Of(task.Verifier, 1.0, policy, "verifier"));
        else
            foreach (var (component, weight) in componentWeights)
                terms.Add(RewardTerm.Of(new ComponentReward(task.Verifier, component), weight, policy, component));
        var registry = c.Registries.Rewards;
        foreach (var f in c.RewardFunctions)
            terms.Add(RewardTerm.Of(registry.Create(f), o.Reward.Weights.GetValueOrDefault(f.Name, 1.0), policy, f.Name));
        foreach (var f in custom ?? [])
            terms.Add(RewardTerm.Of(f, o.Reward.Weights.GetValueOrDefault(f.Name, 1.0), policy, f.Name));
        // reward.model=inline: the trainer trains the reward model at the start of the run (or finds it in the run folder).
        var rewardModel = o.Reward.Model == Preferences.InlineRewardModel.Value ? Preferences.RewardModelReward.Pending(task)
            : o.Reward.Model.Length > 0 ? Preferences.RewardModelReward.Load(o.Reward.Model, task) : null;
        if (rewardModel is not null) rewardModel.Sigmoid = o.Reward.ModelSigmoid;
        if (rewardModel is not null)
            terms.Add(RewardTerm.Of(rewardModel,
                o.Reward.Weights.GetValueOrDefault(Preferences.RewardModelReward.ComponentName, 1.0), modelPolicy, Preferences.RewardModelReward.ComponentName));
        if (o.Reward.Judge.Length > 0)
            terms.Add(RewardTerm.Of(JudgeRewards.Create(o.Reward.Judge, task, Derive(o.Run.Seed, Streams.Techniques)),
                o.Reward.Weights.GetValueOrDefault(JudgeRewards.ComponentName, 1.0), modelPolicy, JudgeRewards.ComponentName));
        var pipeline = new RewardPipeline(terms, "reward");
        var names = terms.Select(t => t.Name).ToArray();
        if (c.Weighting is null) return new RewardStage(pipeline, (IRewardWeighting?)null) { RewardModel = rewardModel };
        // Hypervolume guidance measures gains against the initial model's validation scores unless a reference is given.
        if (c.Weighting.Values.TryGetValue("reference", out var reference) && reference.Length == 0 && c.Weighting.Name == HypervolumeGuidedWeighting.RegistryName)
            return new RewardStage(pipeline, initial => WeightingRegistry.Create(c.Weighting, names, initial)) { RewardModel = rewardModel };
        return new RewardStage(pipeline, WeightingRegistry.Create(c.Weighting, names)) { RewardModel = rewardModel };
    }

    /// <summary>The configured reward shapers, each with its descriptor.</summary>
    public static IReadOnlyList<ConfiguredShaper> CreateShapers(ResolvedTrainConfig c)
    {
        var registry = c.Registries.Shaping;
        return c.Shapers.Select(s => new ConfiguredShaper(registry.CreateReward(s, c.Context), s.Descriptor)).ToArray();
    }

    /// <summary>The configured token-advantage shapers.</summary>
    public static IReadOnlyList<ITokenAdvantageShaper> CreateAdvantageShapers(ResolvedTrainConfig c)
    {
        var registry = c.Registries.Shaping;
        return c.AdvantageShapers.Select(s => registry.CreateTokenAdvantage(s, c.Context)).ToArray();
    }

    /// <summary>The configured advantage estimator.</summary>
    public static IAdvantageEstimator CreateEstimator(ResolvedTrainConfig c) => AdvantageEstimatorRegistry.Default.Create(c.Estimator);

    /// <summary>The configured rollout strategy.</summary>
    public static IRolloutStrategy CreateRollout(ResolvedTrainConfig c) => RolloutDescriptors.Create(c.Rollout);

    /// <summary>The configured policy objective with its resolved parameters.</summary>
    public static IPolicyObjective CreateObjective(ResolvedTrainConfig c) =>
        PolicyObjectives.Create(c.Objective.Name, ObjectiveDescriptors.Options(c.Objective, Derive(c.Options.Run.Seed, Streams.Techniques)));

    /// <summary>The loss aggregation context: Dr. GRPO's constant divisor when the objective uses seq-mean-token-sum-norm.</summary>
    public static AggregationContext CreateAggregation(ResolvedTrainConfig c) =>
        new() { LossScaleFactor = ObjectiveDescriptors.LossScaleFactor(c.Objective, c.Context) };

    /// <summary>The actor loss: the objective plus the KL term (in loss mode) and the entropy bonus.</summary>
    public static ActorLoss CreateLoss(ResolvedTrainConfig c)
    {
        var o = c.Options.Rl;
        var objective = CreateObjective(c);
        string aggregation = c.Objective.Values.TryGetValue("loss_agg_mode", out var mode) ? mode : TokenMean.RegistryName;
        if (o.KlMode == "loss")
            return new ActorLoss(objective, new KlPenaltyLoss(o.KlEstimator, aggregation), new Rewire.Core.Kl.FixedKlController(o.KlCoef), o.EntropyCoef);
        return new ActorLoss(objective, entropyCoefficient: o.EntropyCoef);
    }

    /// <summary>The update's techniques and settings.</summary>
    public static UpdateSettings CreateUpdate(ResolvedTrainConfig c, int padId, RewardStage reward)
    {
        var rl = c.Options.Rl;
        return new UpdateSettings
        {
            Estimator = CreateEstimator(c),
            AdvantageShapers = CreateAdvantageShapers(c),
            Loss = CreateLoss(c),
            Aggregation = CreateAggregation(c),
            KlMode = rl.KlMode,
            KlEstimator = rl.KlMode == "none" ? null : KlEstimators.Get(rl.KlEstimator),
            KlCoef = rl.KlCoef,
            Epochs = rl.Epochs,
            MiniBatchSize = rl.MiniBatchSize,
            MicroBatchSize = rl.MicroBatchSize,
            MaxGradNorm = rl.MaxGradNorm,
            PadId = padId,
            Seed = c.Options.Run.Seed,
            GradientFeedback = reward.Weighting as IGradientFeedback,
            ObjectiveValues = r => reward.ObjectiveValues(r.Reward),
            FreshEstimator = () => CreateEstimator(c),
            NeedsSumPiSquared = c.Techniques().Any(t => t.Descriptor.Requires.Contains(BatchColumns.SumPiSquared)),
            TisCap = c.Rollout.Name is "remote" or "agent_rlvr" ? c.Rollout.Double("tis_cap") : null,
        };
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
