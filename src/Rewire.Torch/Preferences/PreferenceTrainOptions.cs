// The configuration of `rewire train stage=rm` and `stage=dpo`. The run, task, model and warm-start sections are the RL
// trainer's own (same keys, same defaults); `prefs.*` says where the preference data comes from (a file, or built inline
// from the task with a known utility), `rm.*` and `dpo.*` drive the two stages, and the selected technique's parameters
// live in the section of its kind (`reward_model.*`, `objective.*`).
using System.ComponentModel.DataAnnotations;
using Rewire.Core.Configuration;
using Rewire.Torch.Training;

namespace Rewire.Torch.Preferences;

/// <summary>Where a preference stage's pairs come from.</summary>
public sealed class PreferenceDataOptions
{
    /// <summary>A preference JSONL file (rewire prefs make writes one); empty (the default): pairs built inline from the task.</summary>
    public string Path { get; set; } = "";

    /// <summary>Training pairs built inline from the task's training prompts.</summary>
    [Range(1, 10_000_000)] public int Pairs { get; set; } = 2000;

    /// <summary>Held-out pairs built inline from the task's test prompts (a file holds out every tenth record instead).</summary>
    [Range(1, 1_000_000)] public int HeldoutPairs { get; set; } = 300;

    /// <summary>Probability that a Bradley–Terry label is flipped.</summary>
    [Range(0.0, 0.5)] public double Noise { get; set; } = 0.1;

    /// <summary>The proxy feature the labeller favours: none, length or token.</summary>
    public string Proxy { get; set; } = "none";

    /// <summary>The labeller's bias towards the proxy, in logits.</summary>
    [Range(0.0, 1e3)] public double ProxyStrength { get; set; } = 8.0;

    /// <summary>Bradley–Terry logits per unit of true utility.</summary>
    [Range(1e-6, 1e6)] public double Scale { get; set; } = 20.0;

    /// <summary>Where inline completions come from: scripted (0..3 corruptions) or strong (a near-oracle, exact with probability prefs.quality).</summary>
    public string Source { get; set; } = "scripted";

    /// <summary>With prefs.source=strong, the probability that a completion is exactly right.</summary>
    [Range(0.0, 0.999999)] public double Quality { get; set; } = 0.8;

    /// <summary>stage=dpo: the share of the warm start's demonstrations that carry the proxy, so the reference writes it sometimes (0: never).</summary>
    [Range(0.0, 1.0)] public double ProxyDemos { get; set; }
}

/// <summary>`rewire train stage=rm`: the reward model and its optimisation.</summary>
public sealed class RewardModelStageOptions
{
    /// <summary>The reward model (kind reward_model; parameters reward_model.*).</summary>
    public string Model { get; set; } = "bradley_terry";

    /// <summary>Optimiser steps.</summary>
    [Range(1, 1_000_000)] public int Steps { get; set; } = 400;

    /// <summary>Pairs per step.</summary>
    [Range(1, 65_536)] public int BatchSize { get; set; } = 32;

    /// <summary>AdamW learning rate (linear warm-up over the first 20 steps).</summary>
    [Range(1e-8, 1.0)] public double LearningRate { get; set; } = 1e-3;
}

/// <summary>`rewire train stage=dpo`: the preference objective, its optimisation and the evaluation of the policy.</summary>
public sealed class DpoStageOptions
{
    /// <summary>The objective (kind objective of the preference stage; parameters objective.*).</summary>
    public string Objective { get; set; } = "dpo";

    /// <summary>Optimiser steps.</summary>
    [Range(0, 1_000_000)] public int Steps { get; set; } = 150;

    /// <summary>Pairs per step.</summary>
    [Range(1, 65_536)] public int BatchSize { get; set; } = 32;

    /// <summary>AdamW learning rate (linear warm-up over the first 20 steps).</summary>
    [Range(1e-8, 1.0)] public double LearningRate { get; set; } = 3e-4;

    /// <summary>The policy's generation budget when it is evaluated.</summary>
    [Range(1, 4096)] public int MaxNewTokens { get; set; } = 16;

    /// <summary>Samples per held-out prompt for the true utility, the proxy and the win rate against the reference.</summary>
    [Range(1, 1024)] public int EvalSamples { get; set; } = 2;
}

/// <summary>The whole configuration of a preference stage.</summary>
public sealed class PreferenceTrainOptions : IValidatableOptions
{
    /// <summary>rm or dpo (rl is the RL trainer's own configuration).</summary>
    public string Stage { get; set; } = "rm";

    /// <summary>run.*: name, seed and device, as in RL.</summary>
    public RunOptions Run { get; set; } = new();

    /// <summary>task.*: the task whose prompts and true utility the stage uses.</summary>
    public TaskOptions Task { get; set; } = new();

    /// <summary>model.*: the small GPT (its context is derived from the data when 0).</summary>
    public ModelOptions Model { get; set; } = new();

    /// <summary>sft.*: the supervised warm start of the policy (DPO's reference, the reward model's backbone).</summary>
    public SftOptions Sft { get; set; } = new();

    /// <summary>prefs.*: the preference data.</summary>
    public PreferenceDataOptions Prefs { get; set; } = new();

    /// <summary>rm.*: stage=rm.</summary>
    public RewardModelStageOptions Rm { get; set; } = new();

    /// <summary>dpo.*: stage=dpo.</summary>
    public DpoStageOptions Dpo { get; set; } = new();

    /// <summary>objective.PARAM: parameters of dpo.objective.</summary>
    public Dictionary<string, string> Objective { get; set; } = new(StringComparer.Ordinal);

    /// <summary>reward_model.PARAM: parameters of rm.model.</summary>
    public Dictionary<string, string> RewardModel { get; set; } = new(StringComparer.Ordinal);

    /// <summary>judge.PARAM: parameters of rm.model when it names a judge (genrm).</summary>
    public Dictionary<string, string> Judge { get; set; } = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public void Validate(string prefix, ICollection<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (Stage is not ("rm" or "dpo")) errors.Add($"'stage' = '{Stage}' is not a preference stage; allowed: rm, dpo (or rl, the default)");
        if (Prefs.Proxy is not ("none" or "length" or "token")) errors.Add($"'prefs.proxy' = '{Prefs.Proxy}' is not allowed; allowed: none, length, token");
        if (Rewire.Tasks.Preferences.PreferenceSetBuilder.ParseSource(Prefs.Source) is null) errors.Add($"'prefs.source' = '{Prefs.Source}' is not allowed; allowed: scripted, strong");
        if (Prefs.ProxyDemos > 0 && Prefs.Proxy == "none") errors.Add($"'prefs.proxy_demos' = {Prefs.ProxyDemos} needs a proxy; set prefs.proxy=length or token, or drop prefs.proxy_demos");
        if (Prefs.ProxyDemos > 0 && Stage != "dpo") errors.Add("'prefs.proxy_demos' puts the proxy into the warm start of stage=dpo; drop it or set stage=dpo");
        if (Model.IsHuggingFace) errors.Add($"'model.path': stage={Stage} trains the small GPT only for now; drop model.path");
        if (Run.Device is not ("cpu" or "cuda" or "auto")) errors.Add($"'run.device' = '{Run.Device}' is not allowed; allowed: cpu, cuda, auto");
        if (Model.Width % Model.Heads != 0) errors.Add($"'model.width' = {Model.Width} must be a multiple of 'model.heads' = {Model.Heads}");
        if (Stage == "rm" && (Objective.Count > 0 || Dpo.Objective != "dpo")) errors.Add("'objective.*' and 'dpo.*' belong to stage=dpo; drop them or set stage=dpo");
        if (Stage == "dpo" && RewardModel.Count > 0) errors.Add("'reward_model.*' belongs to stage=rm; drop it or set stage=rm");
        if (Stage == "dpo" && Judge.Count > 0) errors.Add("'judge.*' belongs to stage=rm rm.model=genrm; drop it or set stage=rm");
    }
}
