namespace Rewire.Torch.Training;

/// <summary>One line of metrics.jsonl: what one RL step did (field names are the file's snake_case keys).</summary>
public sealed record StepMetrics
{
    public int Step { get; init; }
    public double RewardMean { get; init; }
    public double RewardStd { get; init; }
    /// <summary>Share of the step's trained rollouts the verifier judged correct.</summary>
    public double Accuracy { get; init; }
    public double ResponseLengthMean { get; init; }
    public int ResponseLengthMax { get; init; }
    public double PgLoss { get; init; }
    public double PgClipfrac { get; init; }
    public double ClipfracLow { get; init; }
    public double ClipfracHigh { get; init; }
    public double PpoKl { get; init; }
    /// <summary>KL to the reference policy (masked token mean of the configured estimator), 0 without a reference.</summary>
    public double Kl { get; init; }
    /// <summary>Mean token entropy of the behaviour policy over the trained rollouts.</summary>
    public double Entropy { get; init; }
    public double GradNorm { get; init; }
    public double LearningRate { get; init; }
    /// <summary>Share of generated groups whose rewards were all equal (no learning signal for group methods).</summary>
    public double ZeroVarianceShare { get; init; }
    public int GroupsGenerated { get; init; }
    public int GroupsFiltered { get; init; }
    public int GroupsTrained { get; init; }
    public int SamplingRounds { get; init; }
    public int RewardFailures { get; init; }
    /// <summary>Mini-batch updates skipped because the loss was not finite, in this step.</summary>
    public int NonFiniteSkipped { get; init; }
    public double SecondsGenerate { get; init; }
    public double SecondsScore { get; init; }
    public double SecondsUpdate { get; init; }
    public double TokensPerSecond { get; init; }
}

/// <summary>A sample of one rollout for samples.jsonl.</summary>
public sealed record SampleRecord(int Step, string PromptId, string Prompt, string Completion, double Reward, double ShapedReward,
    bool? Correct, IReadOnlyDictionary<string, double> Components, string? FailureReason, string Finish);

/// <summary>summary.json of a run.</summary>
public sealed record RunSummary
{
    public int Steps { get; init; }
    public double Seconds { get; init; }
    public double AccuracyBeforeRl { get; init; }
    public double AccuracyAfterRl { get; init; }
    public double GreedyAccuracyBeforeRl { get; init; }
    public double GreedyAccuracyAfterRl { get; init; }
    public double PassAtKAfterRl { get; init; }
    public int K { get; init; }
    public double MeanLengthAfterRl { get; init; }
    public int Seed { get; init; }
    public string ConfigHash { get; init; } = "";
    public string Task { get; init; } = "";
    public string Objective { get; init; } = "";
    public string Estimator { get; init; } = "";
    public string Sampler { get; init; } = "";
    public int NonFiniteSkipped { get; init; }
    public int RewardFailures { get; init; }
    public bool Completed { get; init; }
    public string? StopReason { get; init; }
}
