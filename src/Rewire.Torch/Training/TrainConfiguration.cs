// Resolving a `rewire train` configuration, before any work: legacy keys migrated, the recipe's settings applied under
// the user's keys, every selected technique found in the catalogue, its parameters checked against its descriptor and
// filled with its paper's defaults, and every batch column it reads checked to be provided. The result records where
// each value came from (`rewire train --dry-run` prints it).
using System.Text.Json.Nodes;
using Rewire.Core.Configuration;
using Rewire.Core.Techniques;
using Rewire.Tasks;

namespace Rewire.Torch.Training;

/// <summary>A training configuration with every technique resolved, and the source of every value.</summary>
public sealed class ResolvedTrainConfig
{
    /// <summary>The options with every default, recipe value and user value applied.</summary>
    public required TrainOptions Options { get; init; }
    /// <summary>The recipe, resolved.</summary>
    public required ResolvedTechnique Recipe { get; init; }
    /// <summary>The policy objective, resolved with its parameters.</summary>
    public required ResolvedTechnique Objective { get; init; }
    /// <summary>The advantage estimator, resolved with its parameters.</summary>
    public required ResolvedTechnique Estimator { get; init; }
    /// <summary>
    /// GRPO-N's base estimator (estimator.base_estimator, built with its own defaults), or null for any other estimator.
    /// It is one of <see cref="Techniques"/>, so the columns it reads are provided (a critic for gae, the greedy baseline
    /// for remax, ...) or the configuration is refused.
    /// </summary>
    public ResolvedTechnique? BaseEstimator { get; init; }
    /// <summary>The prompt sampler, resolved with its parameters.</summary>
    public required ResolvedTechnique Sampler { get; init; }
    /// <summary>The rollout strategy, resolved with its parameters.</summary>
    public required ResolvedTechnique Rollout { get; init; }
    /// <summary>The KL estimator when KL is in use, else null.</summary>
    public ResolvedTechnique? KlEstimator { get; init; }
    /// <summary>The reward weighting, or null for the fixed weights.</summary>
    public ResolvedTechnique? Weighting { get; init; }
    /// <summary>The reward shapers, in pipeline order.</summary>
    public required IReadOnlyList<ResolvedTechnique> Shapers { get; init; }
    /// <summary>The token-advantage shapers, in pipeline order.</summary>
    public required IReadOnlyList<ResolvedTechnique> AdvantageShapers { get; init; }
    /// <summary>The reward functions (the task's verifier terms and the named reward terms).</summary>
    public required IReadOnlyList<ResolvedTechnique> RewardFunctions { get; init; }

    /// <summary>The registries the run's components are built from (the built-in set unless a program gave its own).</summary>
    public TrainingRegistries Registries { get; init; } = TrainingRegistries.Builtin;

    /// <summary>The checked stage=rm plan of reward.model=inline (the reward model the run trains first), or null.</summary>
    internal Preferences.PreferencePlan? InlineRewardModel { get; set; }

    /// <summary>Dotted key → "default", "recipe NAME", "user" or "KIND NAME default".</summary>
    public required IReadOnlyDictionary<string, string> Sources { get; init; }

    /// <summary>
    /// What techniques may read about the run (vocabulary, lengths, group size, ...), derived from the options.
    /// </summary>
    public TechniqueContext Context => TrainConfiguration.ContextOf(Options);

    /// <summary>Every selected technique, in pipeline order.</summary>
    public IEnumerable<ResolvedTechnique> Techniques()
    {
        yield return Rollout;
        foreach (var f in RewardFunctions) yield return f;
        if (Weighting is not null) yield return Weighting;
        foreach (var s in Shapers) yield return s;
        yield return Sampler;
        yield return Estimator;
        if (BaseEstimator is not null) yield return BaseEstimator;
        foreach (var s in AdvantageShapers) yield return s;
        yield return Objective;
        if (KlEstimator is not null) yield return KlEstimator;
    }

    /// <summary>{"config": {section: {key: typed value}}, "sources": {dotted key: source}}.</summary>
    public JsonObject ToJson()
    {
        var config = OptionsBinder.ToJson(Options);
        config["objective"] = Params(Objective);
        config["estimator"] = Params(Estimator);
        config["sampler"] = Params(Sampler);
        config["rollout"] = Params(Rollout);
        config["shaping"] = Nested(Shapers);
        config["advantage_shaping"] = Nested(AdvantageShapers);
        config["reward_function"] = Nested(RewardFunctions);
        config["reward_weighting"] = Weighting is null ? new JsonObject() : Params(Weighting);
        var sources = new JsonObject();
        foreach (var (k, v) in Sources.OrderBy(kv => kv.Key, StringComparer.Ordinal)) sources[k] = v;
        return new JsonObject { ["config"] = config, ["sources"] = sources };
    }

    private static JsonObject Params(ResolvedTechnique t)
    {
        var o = t.ToJson();
        o.Remove("name");
        return o;
    }

    private static JsonObject Nested(IEnumerable<ResolvedTechnique> ts)
    {
        var o = new JsonObject();
        foreach (var t in ts) o[t.Name] = Params(t);
        return o;
    }
}

/// <summary>Builds a <see cref="ResolvedTrainConfig"/> from configuration keys.</summary>
public static class TrainConfiguration
{
    /// <summary>The schema of config.json and checkpoints this version writes.</summary>
    public const int SchemaVersion = 2;

    /// <summary>The recipe applied when <c>rl.recipe</c> is not given.</summary>
    public const string DefaultRecipe = "dapo";

    /// <summary>Schema-1 keys and where they live now. They still work as aliases (only when set).</summary>
    private static readonly Dictionary<string, string> Legacy = new(StringComparer.Ordinal)
    {
        ["rl.clip_low"] = "objective.clip_low",
        ["rl.clip_high"] = "objective.clip_high",
        ["rl.loss_agg_mode"] = "objective.loss_agg_mode",
        ["rl.max_sampling_rounds"] = "sampler.max_rounds",
    };

    /// <summary>Resolves <paramref name="keys"/> (file entries then overrides, in order) against <paramref name="catalog"/>.</summary>
    /// <param name="keys">The configuration keys, later ones winning.</param>
    /// <param name="catalog">The descriptors to resolve against; null for <paramref name="registries"/>' catalogue.</param>
    /// <param name="registries">The registries the run's components come from; null for the built-in ones.</param>
    /// <exception cref="ConfigurationException">Every problem found, each naming the key and what to write.</exception>
    public static ResolvedTrainConfig Resolve(IReadOnlyList<KeyValuePair<string, string>> keys, TechniqueCatalog? catalog = null, TrainingRegistries? registries = null)
    {
        registries ??= TrainingRegistries.Builtin;
        catalog ??= registries == TrainingRegistries.Builtin ? TrainingCatalog.Default : registries.Catalog;
        var user = Migrate(keys);
        string recipeName = user.LastOrDefault(kv => kv.Key == "rl.recipe").Value ?? DefaultRecipe;
        var recipe = catalog.Find(TechniqueKinds.Recipe, recipeName)
            ?? throw new ConfigurationException([Unknown("rl.recipe", recipeName, catalog.Names(TechniqueKinds.Recipe))]);
        var all = new List<KeyValuePair<string, string>>(recipe.Sets) { new("rl.recipe", recipeName) };
        all.AddRange(user);
        var options = OptionsBinder.Bind<TrainOptions>(all);
        var errors = new List<string>();

        if (catalog.Find(TechniqueKinds.Task, options.Task.Name) is null)
            errors.Add(Unknown("task.name", options.Task.Name, catalog.Names(TechniqueKinds.Task)));

        var userKeys = user.Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);
        var context = ContextOf(options);
        var resolvedSections = new List<(string Prefix, ResolvedTechnique Technique)>();

        // A recipe's parameter keys apply to the technique it selects; when the user selects another technique that lacks
        // the parameter, the recipe's key is dropped (a user's key never is).
        ResolvedTechnique Resolve1(TechniqueDescriptor d, IReadOnlyDictionary<string, string> given, string prefix)
        {
            var kept = given.Where(kv => d.Parameter(kv.Key) is not null || userKeys.Contains(prefix + kv.Key))
                .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            var t = TechniqueCatalog.Resolve(d, kept, prefix, errors, context);
            resolvedSections.Add((prefix, t));
            return t;
        }

        ResolvedTechnique? One(string kind, string selector, string name, Dictionary<string, string> section, string prefix)
        {
            var d = catalog.Find(kind, name);
            if (d is null) { errors.Add(Unknown(selector, name, catalog.Names(kind))); return null; }
            return Resolve1(d, section, prefix);
        }

        List<ResolvedTechnique> Many(string kind, string selector, IReadOnlyList<string> names, Dictionary<string, string> section, string prefix)
        {
            var list = new List<ResolvedTechnique>();
            foreach (var group in section.Keys.GroupBy(k => k.Split('.')[0]))
                if (!names.Contains(group.Key))
                    errors.Add($"'{prefix}{group.First()}' is set but '{group.Key}' is not in {selector}; add it there (e.g. {selector}={string.Join(",", names.Append(group.Key))}) or drop the key");
            foreach (var name in names)
            {
                var given = section.Where(kv => kv.Key.StartsWith(name + ".", StringComparison.Ordinal))
                    .ToDictionary(kv => kv.Key[(name.Length + 1)..], kv => kv.Value, StringComparer.Ordinal);
                var d = catalog.Find(kind, name);
                if (d is null) { errors.Add(Unknown(selector, name, catalog.Names(kind))); continue; }
                list.Add(Resolve1(d, given, $"{prefix}{name}."));
            }
            return list;
        }

        var rl = options.Rl;
        var objective = One(TechniqueKinds.Objective, "rl.objective", rl.Objective, options.Objective, "objective.");
        var estimator = One(TechniqueKinds.Estimator, "rl.estimator", rl.Estimator, options.Estimator, "estimator.");
        var sampler = One(TechniqueKinds.Sampler, "rl.sampler", rl.Sampler, options.Sampler, "sampler.");
        var rollout = One(TechniqueKinds.Rollout, "rl.rollout", rl.Rollout, options.Rollout, "rollout.");
        var kl = rl.KlMode == "none" ? null : One(TechniqueKinds.KlEstimator, "rl.kl_estimator", rl.KlEstimator, [], "kl.");
        ResolvedTechnique? weighting = null;
        if (options.Reward.Weighting == "none")
        {
            if (options.RewardWeighting.Count > 0)
                errors.Add($"'reward_weighting.{options.RewardWeighting.Keys.First()}' is set but reward.weighting = none; choose a weighting (one of: {string.Join(", ", catalog.Names(TechniqueKinds.RewardWeighting))}) or drop the key");
        }
        else weighting = One(TechniqueKinds.RewardWeighting, "reward.weighting", options.Reward.Weighting, options.RewardWeighting, "reward_weighting.");
        var shapers = Many(TechniqueKinds.Shaper, "reward.shaping", options.Reward.Shaping, options.Shaping, "shaping.");
        var advantageShapers = Many(TechniqueKinds.AdvantageShaper, "rl.advantage_shaping", rl.AdvantageShaping, options.AdvantageShaping, "advantage_shaping.");
        var functions = Many(TechniqueKinds.Reward, "reward.functions", options.Reward.Functions, options.RewardFunction, "reward_function.");
        ResolvedTechnique? baseEstimator = null;
        if (estimator is { Name: "grpo_n" } && catalog.Find(TechniqueKinds.Estimator, estimator.String("base_estimator")) is { } baseDescriptor)
            baseEstimator = TechniqueCatalog.Resolve(baseDescriptor, new Dictionary<string, string>(), "estimator.base_estimator: ", errors);
        if (errors.Count > 0) throw new ConfigurationException(errors);

        var resolved = new ResolvedTrainConfig
        {
            Options = options,
            Recipe = TechniqueCatalog.Resolve(recipe, new Dictionary<string, string>(), "", errors),
            Objective = objective!,
            Estimator = estimator!,
            BaseEstimator = baseEstimator,
            Sampler = sampler!,
            Rollout = rollout!,
            KlEstimator = kl,
            Weighting = weighting,
            Shapers = shapers,
            AdvantageShapers = advantageShapers,
            RewardFunctions = functions,
            Sources = Sources(options, recipe, user, resolvedSections),
            Registries = registries,
        };
        var task = TrainingComponents.CreateTask(options, registries);
        if (options.Model.IsHuggingFace)
        {
            // The folder's config.json gives the context; the trainer's critic (GAE) is a head on the small GPT only.
            // The folder is kept as a full path, so `rewire eval`/`sample`/--resume find it from any working directory.
            options.Model.Path = System.IO.Path.GetFullPath(options.Model.Path);
            if (resolved.Techniques().Any(t => t.Descriptor.Requires.Contains(BatchColumns.Values)))
                errors.Add($"'model.path' = '{options.Model.Path}': a critic (GAE, the ppo recipe) is only built for the small GPT; choose a critic-free estimator (grpo, rloo, reinforce_plus_plus, ...) with a Hugging Face model");
        }
        else if (options.Model.Context == 0)
        {
            // The model's context follows the task: the longest prompt (in tokens) plus the generation budget.
            var tokenizer = new Tokenizers.CharTokenizer(task.Alphabet);
            var template = new Tokenizers.PromptTemplate();
            options.Model.Context = PolicySession.Prompts(task, options, Split.Train).Concat(PolicySession.Prompts(task, options, Split.Test))
                .Max(p => template.Encode(p, tokenizer).Length) + EpisodeSettings.ResponseBudget(options);
            // Guided prompts (rl.rollout=agent_rlvr, env.demo_hint_share) carry the plan hint in front of the first observation.
            if (EpisodeSettings.Guided(options) && task is Rewire.Tasks.Environments.EnvironmentTask environment)
                options.Model.Context = Math.Max(options.Model.Context, PolicySession.Prompts(task, options, Split.Train)
                    .Max(p => template.Encode(Rewire.Tasks.Environments.EnvironmentGuidance.Guided(p, Rewire.Tasks.Environments.EnvironmentGuidance.Plan(environment, p)), tokenizer).Length)
                    + EpisodeSettings.ResponseBudget(options));
            ((Dictionary<string, string>)resolved.Sources)["model.context"] = EpisodeSettings.Multiturn(options)
                ? "derived from the longest first observation and env.max_turns × (rl.max_new_tokens + env.max_observation_tokens)"
                : "derived from the task's longest prompt and rl.max_new_tokens";
        }
        else if (options.Model.Context < 8)
            errors.Add($"'model.context' = {options.Model.Context} is too small; give at least 8, or 0 to fit the task's prompts");
        if (options.Task.Difficulty > task.MaxDifficulty)
            errors.Add($"'task.difficulty' = {options.Task.Difficulty} exceeds the {task.Name} task's maximum of {task.MaxDifficulty}");
        errors.AddRange(EpisodeSettings.Check(options));
        if (errors.Count > 0) throw new ConfigurationException(errors);
        errors.AddRange(TrainSettingsChecks.Check(options, task));
        // reward.model=inline: the run trains its reward model first (prefs.*, rm.*, reward_model.*), checked here like stage=rm.
        var inlineRewardModel = Preferences.InlineRewardModel.Check(options, errors);
        if (options.Reward.Model.Length > 0 && options.Reward.Model != Preferences.InlineRewardModel.Value)
        {
            options.Reward.Model = System.IO.Path.GetFullPath(options.Reward.Model); // found from any working directory on resume
            if (Preferences.RewardModelReward.Problem(options.Reward.Model, task) is { } rmProblem) errors.Add(rmProblem);
        }
        if (options.Reward.ModelUpdate is not ("none" or "cooper"))
            errors.Add($"'reward.model_update' = '{options.Reward.ModelUpdate}' is not known; give none (the reward model stays frozen) or cooper (Cooper's co-training)");
        else if (options.Reward.ModelUpdate == "cooper")
        {
            if (options.Reward.Model.Length == 0)
                errors.Add("'reward.model_update' = 'cooper' co-trains the reward model of reward.model, which is not set; give reward.model=inline (trained at the start of the run) or reward.model=RUN (a `rewire train stage=rm` run)");
            else if (Rewire.Tasks.Preferences.PreferenceSetBuilder.Unfit(task, new Rewire.Tasks.Preferences.PreferenceSetOptions(1, options.Run.Seed)) is { } unfit)
                errors.Add($"'reward.model_update' = 'cooper' builds its negatives by rewriting correct answers, and {unfit}");
            // Cooper's reward is σ(r), the sigmoid of the reward model's logit (the paper's): the default whenever Cooper
            // is selected; an explicit reward.model_sigmoid=false keeps the raw score (an ablation, said in the sources).
            if (!userKeys.Contains("reward.model_sigmoid"))
            {
                options.Reward.ModelSigmoid = true;
                ((Dictionary<string, string>)resolved.Sources)["reward.model_sigmoid"] = "Cooper's reward σ(r) (reward.model_update=cooper)";
            }
        }
        if (options.Reward.Judge.Length > 0 && options.Reward.Judge != JudgeRewards.Oracle)
        {
            options.Reward.Judge = System.IO.Path.GetFullPath(options.Reward.Judge);
            if (Preferences.GenerativeJudge.Problem(options.Reward.Judge, task) is { } judgeProblem) errors.Add(judgeProblem);
        }
        CheckColumns(resolved, task, errors);
        errors.AddRange(ProcessRewards.PrimeSettings.Check(resolved));
        errors.AddRange(MobileR1Stages.Check(resolved, task));
        errors.AddRange(ProcessRewards.OprlSettings.Check(resolved));
        errors.AddRange(OniSettings.Check(resolved));
        errors.AddRange(ProcessRewards.IrcocoSettings.Check(resolved));
        if (errors.Count > 0) throw new ConfigurationException(errors);
        FillSections(resolved);
        resolved.InlineRewardModel = inlineRewardModel;
        return resolved;
    }

    /// <summary>Resolves a run folder's config.json (any schema this version reads), for --resume, eval and sample.</summary>
    public static ResolvedTrainConfig FromRunConfig(string json, string source)
    {
        var keys = OptionsBinder.FlattenJson(json, source);
        int schema = keys.Where(kv => kv.Key == "schema_version").Select(kv => int.TryParse(kv.Value, out int v) ? v : -1).LastOrDefault(1);
        if (schema > SchemaVersion || schema < 1)
            throw new ConfigurationException([$"{source} has schema_version {schema}; this rewire reads schema 1 to {SchemaVersion}: use the rewire version that wrote the run"]);
        if (schema == 1)
        {
            // Schema 1 ran every objective with the then-global clip 0.2/0.28 and token-mean and DAPO's 4 sampling rounds:
            // keep exactly those values, so a resumed run continues as it started.
            var migrated = keys.Where(kv => kv.Key != "schema_version").ToList();
            foreach (var (old, value) in new[] { ("rl.clip_low", "0.2"), ("rl.clip_high", "0.28"), ("rl.loss_agg_mode", "token-mean") })
                if (!migrated.Any(kv => kv.Key == old)) migrated.Add(new(old, value));
            migrated.Add(new("rl.recipe", "dapo"));
            keys = migrated;
        }
        return Resolve(keys);
    }

    /// <summary>The facts of a run that techniques' run-relative defaults are derived from.</summary>
    public static TechniqueContext ContextOf(TrainOptions o) =>
        new() { MaxNewTokens = o.Rl.MaxNewTokens, GroupSize = o.Rl.GroupSize, Seed = (ulong)o.Run.Seed };

    /// <summary>Resolves options built in code (every key of <paramref name="options"/> counts as set by the user).</summary>
    /// <param name="options">The options; every key counts as set.</param>
    /// <param name="registries">The registries the run's components come from; null for the built-in ones.</param>
    public static ResolvedTrainConfig FromOptions(TrainOptions options, TrainingRegistries? registries = null) =>
        Resolve(OptionsBinder.FlattenJson(OptionsBinder.ToJson(options).ToJsonString(), "the trainer's options"), registries: registries);

    private static List<KeyValuePair<string, string>> Migrate(IReadOnlyList<KeyValuePair<string, string>> keys)
    {
        var result = new List<KeyValuePair<string, string>>(keys.Count);
        foreach (var (key, value) in keys)
        {
            if (key == "schema_version") continue;
            if (Legacy.TryGetValue(key, out var now))
            {
                if (keys.Any(kv => kv.Key == now))
                    throw new ConfigurationException([$"'{key}' and '{now}' are both set; '{key}' is the old name of '{now}': keep only '{now}'"]);
                if (key == "rl.max_sampling_rounds" && !keys.Any(kv => kv.Key == "rl.sampler"))
                    result.Add(new("rl.sampler", "dapo"));
                result.Add(new(now, value));
                continue;
            }
            result.Add(new(key, value));
        }
        return result;
    }

    private static void CheckColumns(ResolvedTrainConfig c, ITask task, List<string> errors)
    {
        var provided = TrainingColumns.Provided(task, c.Options);
        foreach (var t in c.Techniques())
            foreach (var column in t.Descriptor.Requires)
                if (!provided.Contains(column))
                    errors.Add($"{t.Descriptor.Kind} '{t.Name}' reads the batch column '{column}', which nothing in this configuration provides: {TrainingColumns.Hint(column)}");
    }

    /// <summary>Writes every resolved parameter into the options' sections, so config.json (and its hash) records them.</summary>
    private static void FillSections(ResolvedTrainConfig c)
    {
        static void Fill(Dictionary<string, string> section, ResolvedTechnique t, string prefix = "")
        {
            foreach (var (k, v) in t.Values) section[prefix + k] = v;
        }
        var o = c.Options;
        Fill(o.Objective, c.Objective);
        Fill(o.Estimator, c.Estimator);
        Fill(o.Sampler, c.Sampler);
        Fill(o.Rollout, c.Rollout);
        foreach (var s in c.Shapers) Fill(o.Shaping, s, s.Name + ".");
        foreach (var s in c.AdvantageShapers) Fill(o.AdvantageShaping, s, s.Name + ".");
        foreach (var f in c.RewardFunctions) Fill(o.RewardFunction, f, f.Name + ".");
        if (c.Weighting is not null) Fill(o.RewardWeighting, c.Weighting);
    }

    private static Dictionary<string, string> Sources(TrainOptions o, TechniqueDescriptor recipe, List<KeyValuePair<string, string>> user,
        List<(string Prefix, ResolvedTechnique Technique)> sections)
    {
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, type, _) in OptionsBinder.Keys(o))
            if (type != typeof(Dictionary<string, string>)) sources[key] = "default";
        foreach (var (key, _) in recipe.Sets) sources[key] = $"recipe {recipe.Name}";
        foreach (var (key, _) in user) sources[key] = "user";
        foreach (var (prefix, t) in sections)
            foreach (var p in t.Descriptor.Parameters)
                sources.TryAdd(prefix + p.Name, t.Derived.Contains(p.Name) ? "derived from rl.max_new_tokens" : $"{t.Descriptor.Kind} {t.Name} default");
        return sources;
    }

    private static string Unknown(string key, string value, IEnumerable<string> valid)
    {
        var list = valid.ToList();
        string? suggestion = OptionsBinder.Suggest(value, list);
        return $"'{key}' = '{value}' is not available in rewire train" + (suggestion is null ? "" : $" (did you mean '{suggestion}'?)") + $"; valid: {string.Join(", ", list)}";
    }
}
