// `reward.model=inline`: RL against a reward model the run trains itself, at its start, from the keys of `stage=rm`
// (prefs.* for the pairs, built inline or read from prefs.path; rm.* for the optimisation; reward_model.* for the
// Bradley–Terry margin). The run, task, model and warm-start keys are the RL run's own, so the reward model is exactly the
// one `rewire train stage=rm` trains with the same keys (and dpo.max_new_tokens = rl.max_new_tokens, so that the RL
// rollouts fit its context). It is saved in the run's reward_model/ folder, marker last, and used from there exactly as
// `reward.model=RUN` uses a stage=rm run's: a resumed run finds it there and does not train it again.
using System.Text.Json.Nodes;
using Rewire.Core.Configuration;
using Rewire.Core.Runs;
using Rewire.Torch.Training;

namespace Rewire.Torch.Preferences;

/// <summary>The reward model that <c>reward.model=inline</c> trains at the start of an RL run (see the file header).</summary>
internal static class InlineRewardModel
{
    /// <summary>The value of reward.model that selects it.</summary>
    public const string Value = "inline";

    /// <summary>The stage=rm options that the RL run's options <paramref name="o"/> give.</summary>
    public static PreferenceTrainOptions StageOptions(TrainOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return new PreferenceTrainOptions
        {
            Stage = "rm",
            Run = o.Run,
            Task = o.Task,
            // A warm start loaded from model.init_from fixes the context (its weights have that many positions); otherwise
            // the reward model's context is derived from the pairs and rl.max_new_tokens, as stage=rm derives it.
            Model = new ModelOptions
            {
                Layers = o.Model.Layers, Width = o.Model.Width, Heads = o.Model.Heads, InitFrom = o.Model.InitFrom,
                Context = o.Model.InitFrom.Length > 0 ? o.Model.Context : 0,
            },
            Sft = o.Sft,
            Prefs = o.Prefs,
            Rm = o.Rm,
            Dpo = new DpoStageOptions { MaxNewTokens = o.Rl.MaxNewTokens },
            RewardModel = o.RewardModel,
        };
    }

    /// <summary>
    /// Adds to <paramref name="errors"/> what makes no sense in <paramref name="o"/>: prefs.*, rm.* or reward_model.* without
    /// reward.model=inline; with it, a Hugging Face model, a reward model other than bradley_terry, and everything stage=rm
    /// would refuse for these keys (a bad preference file, a task without a known utility, pairs that do not fit). Returns
    /// the checked plan when reward.model is inline and nothing was refused. No native code and no training.
    /// </summary>
    public static PreferencePlan? Check(TrainOptions o, ICollection<string> errors)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(errors);
        bool changed = OptionsBinder.ToJson(o.Prefs).ToJsonString() != OptionsBinder.ToJson(new PreferenceDataOptions()).ToJsonString()
            || OptionsBinder.ToJson(o.Rm).ToJsonString() != OptionsBinder.ToJson(new RewardModelStageOptions()).ToJsonString()
            || o.RewardModel.Count > 0;
        if (o.Reward.Model != Value)
        {
            if (changed)
                errors.Add("'prefs.*', 'rm.*' and 'reward_model.*' configure the reward model that reward.model=inline trains at the start of the run; set reward.model=inline, or drop them (a stage=rm run takes them with stage=rm)");
            return null;
        }
        int before = errors.Count;
        if (o.Model.IsHuggingFace)
            errors.Add($"'reward.model' = 'inline' builds the reward model on the small GPT's trunk, and 'model.path' = '{o.Model.Path}' is a Hugging Face model; drop model.path or give reward.model=RUN");
        if (o.Rm.Model != "bradley_terry")
            errors.Add($"'rm.model' = '{o.Rm.Model}': reward.model=inline trains the scalar Bradley–Terry reward model (bradley_terry); drop rm.model (a generative judge rewards RL through reward.judge=RUN)");
        if (o.Rl.Environment.Length > 0)
            errors.Add($"'reward.model' = 'inline' builds its preference pairs from a task with a known utility, and rl.environment = '{o.Rl.Environment}' trains on episodes; drop one of them");
        if (errors.Count > before) return null;
        var options = StageOptions(o);
        var stageErrors = new List<string>();
        options.Validate("", stageErrors);
        if (stageErrors.Count > 0)
        {
            foreach (var e in stageErrors) errors.Add(e);
            return null;
        }
        try { return PreferencePlan.Resolve(options); }
        catch (ConfigurationException e)
        {
            foreach (var m in e.Errors) errors.Add($"reward.model=inline: {m}");
            return null;
        }
    }

    /// <summary>True when the run folder <paramref name="runPath"/> holds a saved reward model (its marker, written last).</summary>
    public static bool Saved(string runPath) => File.Exists(Path.Combine(runPath, RewardModel.Folder, RewardModel.MarkerFile));

    /// <summary>
    /// Trains the reward model of <paramref name="plan"/> and saves it in <paramref name="run"/>'s reward_model/ folder
    /// (its steps' figures in reward_model/metrics.jsonl, the held-out figures in the marker). Returns false, saving
    /// nothing, when <paramref name="cancel"/> stopped it.
    /// </summary>
    public static bool Train(PreferencePlan plan, RunDirectory run, ITrainingObserver observer, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(run);
        string dir = Path.Combine(run.Path, RewardModel.Folder);
        Directory.CreateDirectory(dir);
        RewardModelTrainer.Trained trained;
        using (var metrics = new JsonLinesWriter(Path.Combine(dir, "metrics.jsonl")))
            trained = RewardModelTrainer.Train(plan, metrics, observer, cancel);
        using var rm = trained.Model;
        if (trained.Steps < plan.Options.Rm.Steps) return false;
        var heldout = PairwiseFigures.Of(RewardModelTrainer.Margins(rm, plan.Heldout, trained.PadId));
        var facts = new JsonObject
        {
            ["trained_by"] = "reward.model=inline",
            ["data"] = plan.Data.Source,
            ["steps"] = trained.Steps,
            ["skipped_non_finite"] = trained.Skipped,
            ["pairwise_accuracy_heldout"] = Math.Round(heldout.Accuracy, 4),
            ["log_loss_heldout"] = Math.Round(heldout.LogLoss, 4),
            ["margin"] = plan.Technique.Double("margin"),
        };
        var known = plan.Heldout.Where(p => p.Record.ChosenUtility is not null && p.Record.RejectedUtility is not null).ToArray();
        if (known.Length > 0)
            facts["label_agreement_heldout"] = Math.Round(known.Average(p => p.Record.ChosenUtility > p.Record.RejectedUtility ? 1.0 : 0.0), 4);
        rm.Save(run.Path, facts);
        observer.Stage("rm", FormattableString.Invariant($"reward model saved in {dir}: held-out pairwise accuracy {heldout.Accuracy:0.000}"));
        return true;
    }
}
