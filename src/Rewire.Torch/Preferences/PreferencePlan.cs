// Everything a preference stage needs, resolved and checked before any work or run folder: the options bound from
// configuration keys, the selected technique with its parameters, the task, the pairs (tokenised, fitted to the model's
// context, which is derived from the data and the evaluation budget when model.context is 0), and the TrainOptions of
// the policy session (the RL trainer's own task, model and warm-start sections).
using System.Text.Json.Nodes;
using Rewire.Core.Configuration;
using Rewire.Core.Techniques;
using Rewire.Tasks;
using Rewire.Torch.Tokenizers;
using Rewire.Torch.Training;

namespace Rewire.Torch.Preferences;

/// <summary>A checked preference-stage configuration (see the file header).</summary>
public sealed class PreferencePlan
{
    private PreferencePlan(PreferenceTrainOptions options, ResolvedTechnique technique, TrainOptions session, ITask task, PreferenceData data,
        IReadOnlyList<TokenizedPair> train, IReadOnlyList<TokenizedPair> heldout)
    {
        Options = options;
        Technique = technique;
        Session = session;
        Task = task;
        Data = data;
        Train = train;
        Heldout = heldout;
    }

    /// <summary>The bound options.</summary>
    public PreferenceTrainOptions Options { get; }

    /// <summary>The reward model (stage=rm) or objective (stage=dpo), with its parameters.</summary>
    public ResolvedTechnique Technique { get; }

    /// <summary>The options of the policy session (task, model with its context, warm start, generation budget).</summary>
    public TrainOptions Session { get; }

    /// <summary>The task.</summary>
    public ITask Task { get; }

    /// <summary>The pairs as read or built.</summary>
    public PreferenceData Data { get; }

    /// <summary>The training pairs, tokenised.</summary>
    public IReadOnlyList<TokenizedPair> Train { get; }

    /// <summary>The held-out pairs, tokenised.</summary>
    public IReadOnlyList<TokenizedPair> Heldout { get; }

    /// <summary>True when <paramref name="keys"/> set a stage other than rl (the last `stage` wins); an unknown stage is refused when the plan is resolved.</summary>
    public static bool Selects(IEnumerable<KeyValuePair<string, string>> keys) =>
        keys.LastOrDefault(kv => kv.Key == "stage").Value is { } stage && stage != "rl";

    /// <summary>Binds and checks <paramref name="keys"/>; every problem is a <see cref="ConfigurationException"/>.</summary>
    public static PreferencePlan Resolve(IReadOnlyList<KeyValuePair<string, string>> keys) => Resolve(OptionsBinder.Bind<PreferenceTrainOptions>(keys));

    /// <summary>Checks bound options <paramref name="o"/> (reward.model=inline builds them from an RL run's keys).</summary>
    internal static PreferencePlan Resolve(PreferenceTrainOptions o)
    {
        bool explicitContext = o.Model.Context != 0;
        var errors = new List<string>();
        string kind = o.Stage == "rm" ? TechniqueKinds.RewardModel : TechniqueKinds.Objective;
        string selector = o.Stage == "rm" ? "rm.model" : "dpo.objective";
        string name = o.Stage == "rm" ? o.Rm.Model : o.Dpo.Objective;
        // stage=rm trains a scalar reward model or a pairwise generative judge (kind judge), both selected by rm.model.
        bool judge = o.Stage == "rm" && PreferenceDescriptors.Catalog.Find(TechniqueKinds.Judge, name) is not null && name == GenerativeJudge.RegistryName;
        if (judge) kind = TechniqueKinds.Judge;
        var valid = o.Stage == "rm"
            ? PreferenceDescriptors.Catalog.Names(TechniqueKinds.RewardModel).Append(GenerativeJudge.RegistryName)
            : PreferenceDescriptors.Catalog.Names(kind);
        var d = PreferenceDescriptors.Catalog.Find(kind, name)
            ?? throw new ConfigurationException([$"'{selector}' = '{name}' is not available in stage={o.Stage}; valid: {string.Join(", ", valid)}"]);
        if (!judge && o.Judge.Count > 0) errors.Add($"'judge.*' are parameters of rm.model={GenerativeJudge.RegistryName}; drop them or set rm.model={GenerativeJudge.RegistryName}");
        if (judge && o.RewardModel.Count > 0) errors.Add($"'reward_model.*' are parameters of the scalar reward models; rm.model={GenerativeJudge.RegistryName} takes judge.*");
        var technique = TechniqueCatalog.Resolve(d, judge ? o.Judge : o.Stage == "rm" ? o.RewardModel : o.Objective, judge ? "judge." : o.Stage == "rm" ? "reward_model." : "objective.", errors);
        if (errors.Count > 0) throw new ConfigurationException(errors);

        var session = new TrainOptions
        {
            Run = o.Run,
            Task = o.Task,
            Model = o.Model,
            Sft = o.Sft,
            Rl = new RlOptions { MaxNewTokens = o.Dpo.MaxNewTokens, Temperature = 1.0 },
        };
        var task = TrainingComponents.CreateTask(session);
        if (o.Task.Difficulty > task.MaxDifficulty)
            throw new ConfigurationException([$"'task.difficulty' = {o.Task.Difficulty} exceeds the {task.Name} task's maximum of {task.MaxDifficulty}"]);
        var data = PreferenceData.Load(o, task);
        var tokenizer = new CharTokenizer(task.Alphabet);
        var template = new PromptTemplate();
        int longestPrompt = PolicySession.Prompts(task, session, Split.Train).Concat(PolicySession.Prompts(task, session, Split.Test))
            .Max(p => template.Encode(p, tokenizer).Length);
        if (o.Model.Context == 0)
            o.Model.Context = Math.Max(data.LongestPair(tokenizer, template, task.Name), longestPrompt + o.Dpo.MaxNewTokens);
        // The judge reads the prompt and both sides: its context must hold the longest pair's reading and verdict, and
        // (for RL with reward.judge) two responses of dpo.max_new_tokens each.
        int judgeContext = judge ? 2 * longestPrompt + 2 * o.Dpo.MaxNewTokens + 4 : 0;
        if (judge && !explicitContext)
            o.Model.Context = Math.Max(o.Model.Context, judgeContext);
        if (longestPrompt + o.Dpo.MaxNewTokens > o.Model.Context)
            throw new ConfigurationException([$"'model.context' = {o.Model.Context} is too short: the task's prompts of up to {longestPrompt} tokens plus 'dpo.max_new_tokens' = {o.Dpo.MaxNewTokens} need {longestPrompt + o.Dpo.MaxNewTokens}; raise model.context (0 fits the data) or lower dpo.max_new_tokens"]);
        var train = data.Tokenize(data.Train, tokenizer, template, task.Name, o.Model.Context);
        var heldout = data.Tokenize(data.Heldout, tokenizer, template, task.Name, o.Model.Context);
        if (o.Stage == "dpo" && name == MmDpoObjective.RegistryName && data.Train.FirstOrDefault(r => r.ChosenUtility is null || r.RejectedUtility is null) is { } bare)
            throw new ConfigurationException([$"{data.Source}: line {bare.Line} has no chosen_utility/rejected_utility; mm_dpo scales β by each pair's reward margin, so give a file from rewire prefs make (or build the pairs inline: drop prefs.path)"]);
        if (o.Stage == "dpo" && name == DnoObjective.RegistryName && technique.String("reward_model") is { Length: > 0 } rm && RewardModelReward.Problem(rm, task) is { } problem)
            throw new ConfigurationException([$"'objective.reward_model': {problem}"]);
        if (judge)
        {
            if (!explicitContext) o.Model.Context = Math.Max(o.Model.Context, train.Concat(heldout).Max(JudgeFormat.Length));
            foreach (var (pair, record) in train.Zip(data.Train).Concat(heldout.Zip(data.Heldout)))
                if (JudgeFormat.Length(pair) > o.Model.Context)
                    throw new ConfigurationException([$"{data.Source}: line {record.Line}: the judge's reading of the pair (prompt, both completions, verdict) takes {JudgeFormat.Length(pair)} tokens, more than 'model.context' = {o.Model.Context}; raise model.context (0 fits the data) or drop the record"]);
        }
        PolicySession.CheckFits(session);
        return new PreferencePlan(o, technique, session, task, data, train, heldout);
    }

    /// <summary>The configuration as config.json records it: every key with its value, and the technique's parameters.</summary>
    public JsonObject ToJson()
    {
        var config = OptionsBinder.ToJson(Options);
        var section = Technique.ToJson();
        section.Remove("name");
        config[Technique.Descriptor.Kind == TechniqueKinds.Judge ? "judge" : Options.Stage == "rm" ? "reward_model" : "objective"] = section;
        return config;
    }
}
