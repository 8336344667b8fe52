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

    /// <summary>
    /// What each configured technique did, keyed by kind and name (shaping/NAME/changed_fraction,
    /// advantage_shaping/NAME/changed_fraction, rollout/METRIC, actor/METRIC, reward_weighting/OBJECTIVE); written as
    /// top-level keys of the metrics line.
    /// </summary>
    [System.Text.Json.Serialization.JsonExtensionData]
    public Dictionary<string, object>? Techniques { get; init; }

    /// <summary>The metrics of step <paramref name="step"/> from its trained rollouts, its batch statistics and its update.</summary>
    public static StepMetrics From(int step, IReadOnlyList<RolloutRecord> rows, Rewire.Core.Sampling.CollectedBatch batch, IRolloutCollector collector,
        IReadOnlyDictionary<string, double> update, TimeSpan updateTime, double learningRate, IReadOnlyDictionary<string, double> techniques)
    {
        var stats = batch.Statistics;
        var rewards = rows.Select(r => r.ShapedReward).ToArray();
        double mean = rewards.Length == 0 ? 0 : rewards.Average();
        double seconds = collector.GenerateTime.TotalSeconds + collector.ScoreTime.TotalSeconds + updateTime.TotalSeconds;
        double Metric(string k) => update.TryGetValue(k, out double v) ? v : 0;
        // Policy tokens only: an episode's observation tokens (mask 0) have no entropy.
        double entropyTokens = rows.Sum(r => r.TokenMask is { } m ? m.Sum(x => (double)x) : r.Entropies.Length);
        return new StepMetrics
        {
            Step = step,
            RewardMean = mean,
            RewardStd = rewards.Length == 0 ? 0 : Math.Sqrt(rewards.Sum(x => (x - mean) * (x - mean)) / rewards.Length),
            Accuracy = rows.Count == 0 ? 0 : rows.Count(r => r.Correct) / (double)rows.Count,
            ResponseLengthMean = rows.Count == 0 ? 0 : rows.Average(r => r.ResponseTokens.Length),
            ResponseLengthMax = rows.Count == 0 ? 0 : rows.Max(r => r.ResponseTokens.Length),
            PgLoss = Metric("pg_loss"),
            PgClipfrac = Metric(Objectives.Policy.PolicyMetricNames.ClipFraction),
            ClipfracLow = Metric(Objectives.Policy.PolicyMetricNames.ClipFractionLow),
            ClipfracHigh = Metric(Objectives.Policy.PolicyMetricNames.ClipFractionHigh),
            PpoKl = Metric(Objectives.Policy.PolicyMetricNames.ApproxKl),
            Kl = Metric("kl"),
            Entropy = entropyTokens == 0 ? 0 : rows.Sum(r => r.Entropies.Sum(e => (double)e)) / entropyTokens,
            GradNorm = Metric("grad_norm"),
            LearningRate = learningRate,
            ZeroVarianceShare = stats.GeneratedGroups == 0 ? 0 : stats.ZeroVarianceGroups / (double)stats.GeneratedGroups,
            GroupsGenerated = stats.GeneratedGroups,
            GroupsFiltered = stats.DroppedGroups,
            GroupsTrained = batch.Groups.Count,
            SamplingRounds = stats.Rounds,
            RewardFailures = collector.RewardFailures,
            NonFiniteSkipped = (int)Metric("non_finite_skipped"),
            SecondsGenerate = collector.GenerateTime.TotalSeconds,
            SecondsScore = collector.ScoreTime.TotalSeconds,
            SecondsUpdate = updateTime.TotalSeconds,
            TokensPerSecond = seconds > 0 ? collector.GeneratedTokens / seconds : 0,
            Techniques = techniques.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => (object)kv.Value, StringComparer.Ordinal),
        };
    }
}

/// <summary>A sample of one rollout for samples.jsonl; an episode also carries its turns (action, observation, reward).</summary>
public sealed record SampleRecord(int Step, string PromptId, string Prompt, string Completion, double Reward, double ShapedReward,
    bool? Correct, IReadOnlyDictionary<string, double> Components, string? FailureReason, string Finish,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<EpisodeTurn>? Turns = null);

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
    public string Recipe { get; init; } = "";
    public string Objective { get; init; } = "";
    public string Estimator { get; init; } = "";
    public string Sampler { get; init; } = "";
    public int NonFiniteSkipped { get; init; }
    public int RewardFailures { get; init; }
    public bool Completed { get; init; }
    public string? StopReason { get; init; }

    /// <summary>The Hugging Face folder a completed model.path run wrote (model.export); null otherwise.</summary>
    public string? ExportedModel { get; init; }
}
