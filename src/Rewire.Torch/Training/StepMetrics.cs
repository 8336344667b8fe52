namespace Rewire.Torch.Training;

/// <summary>One line of metrics.jsonl: what one RL step did (field names are the file's snake_case keys).</summary>
public sealed record StepMetrics
{
    /// <summary>The 1-based RL step.</summary>
    public int Step { get; init; }
    /// <summary>Mean shaped reward of the trained rollouts.</summary>
    public double RewardMean { get; init; }
    /// <summary>Population standard deviation of the shaped rewards of the trained rollouts.</summary>
    public double RewardStd { get; init; }
    /// <summary>Share of the step's trained rollouts the verifier judged correct.</summary>
    public double Accuracy { get; init; }
    /// <summary>Mean response length in tokens (an episode's: its policy tokens, observations excluded).</summary>
    public double ResponseLengthMean { get; init; }
    /// <summary>Longest response in tokens.</summary>
    public int ResponseLengthMax { get; init; }
    /// <summary>The policy loss of the step (mean over its updates).</summary>
    public double PgLoss { get; init; }
    /// <summary>
    /// Fraction of tokens where the objective's clipped branch was active (verl's actor/pg_clipfrac).
    /// </summary>
    public double PgClipfrac { get; init; }
    /// <summary>Fraction of tokens clipped at the lower ratio bound (A &lt; 0).</summary>
    public double ClipfracLow { get; init; }
    /// <summary>Fraction of tokens clipped at the upper ratio bound (A &gt; 0).</summary>
    public double ClipfracHigh { get; init; }
    /// <summary>Approximate KL(π_old ‖ π_θ) over the update (verl's actor/ppo_kl).</summary>
    public double PpoKl { get; init; }
    /// <summary>KL to the reference policy (masked token mean of the configured estimator), 0 without a reference.</summary>
    public double Kl { get; init; }
    /// <summary>Mean token entropy of the behaviour policy over the trained rollouts.</summary>
    public double Entropy { get; init; }
    /// <summary>Global gradient norm before clipping.</summary>
    public double GradNorm { get; init; }
    /// <summary>Learning rate of the step (after warm-up).</summary>
    public double LearningRate { get; init; }
    /// <summary>Share of generated groups whose rewards were all equal (no learning signal for group methods).</summary>
    public double ZeroVarianceShare { get; init; }
    /// <summary>Groups generated, including those dynamic sampling dropped.</summary>
    public int GroupsGenerated { get; init; }
    /// <summary>Groups dropped by dynamic sampling (e.g. all rewards equal).</summary>
    public int GroupsFiltered { get; init; }
    /// <summary>Groups the update trained on.</summary>
    public int GroupsTrained { get; init; }
    /// <summary>Generation rounds needed to fill the batch.</summary>
    public int SamplingRounds { get; init; }
    /// <summary>Reward calls that failed in this step (isolated, counted, scored with the failure value).</summary>
    public int RewardFailures { get; init; }
    /// <summary>Mini-batch updates skipped because the loss was not finite, in this step.</summary>
    public int NonFiniteSkipped { get; init; }
    /// <summary>Seconds spent generating.</summary>
    public double SecondsGenerate { get; init; }
    /// <summary>Seconds spent scoring rewards.</summary>
    public double SecondsScore { get; init; }
    /// <summary>Seconds spent in the policy update.</summary>
    public double SecondsUpdate { get; init; }
    /// <summary>Generated tokens per second over the whole step.</summary>
    public double TokensPerSecond { get; init; }

    /// <summary>
    /// What each configured technique did, keyed by kind and name (shaping/NAME/changed_fraction,
    /// advantage_shaping/NAME/changed_fraction, rollout/METRIC, actor/METRIC, reward_weighting/OBJECTIVE); written as
    /// top-level keys of the metrics line.
    /// </summary>
    [System.Text.Json.Serialization.JsonExtensionData]
    public Dictionary<string, object>? Techniques { get; init; }

    /// <summary>The tokens of <paramref name="r"/> the policy wrote: all of a single-turn response, an episode's actions only.</summary>
    internal static int PolicyTokens(RolloutRecord r) => r.TokenMask is { } m ? m.Count(x => x > 0) : r.ResponseTokens.Length;

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
            // An episode's length is the tokens the policy wrote (its actions), not the environment's observations.
            ResponseLengthMean = rows.Count == 0 ? 0 : rows.Average(PolicyTokens),
            ResponseLengthMax = rows.Count == 0 ? 0 : rows.Max(PolicyTokens),
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
    /// <summary>RL steps completed.</summary>
    public int Steps { get; init; }
    /// <summary>Wall-clock seconds of the run.</summary>
    public double Seconds { get; init; }
    /// <summary>Held-out accuracy (mean correctness at the rollout temperature) before RL.</summary>
    public double AccuracyBeforeRl { get; init; }
    /// <summary>Held-out accuracy after RL.</summary>
    public double AccuracyAfterRl { get; init; }
    /// <summary>Greedy held-out accuracy before RL.</summary>
    public double GreedyAccuracyBeforeRl { get; init; }
    /// <summary>Greedy held-out accuracy after RL.</summary>
    public double GreedyAccuracyAfterRl { get; init; }
    /// <summary>Unbiased pass@k after RL.</summary>
    public double PassAtKAfterRl { get; init; }
    /// <summary>The k of pass@k.</summary>
    public int K { get; init; }
    /// <summary>Mean completion length in tokens after RL.</summary>
    public double MeanLengthAfterRl { get; init; }
    /// <summary>The run's master seed.</summary>
    public int Seed { get; init; }
    /// <summary>Hash of the resolved configuration (identifies runs with identical settings).</summary>
    public string ConfigHash { get; init; } = "";
    /// <summary>The task trained on.</summary>
    public string Task { get; init; } = "";
    /// <summary>The recipe applied.</summary>
    public string Recipe { get; init; } = "";
    /// <summary>The policy objective.</summary>
    public string Objective { get; init; } = "";
    /// <summary>The advantage estimator.</summary>
    public string Estimator { get; init; } = "";
    /// <summary>The prompt sampler.</summary>
    public string Sampler { get; init; } = "";
    /// <summary>Updates skipped over the run because the loss was not finite.</summary>
    public int NonFiniteSkipped { get; init; }
    /// <summary>Reward calls that failed over the run.</summary>
    public int RewardFailures { get; init; }
    /// <summary>True when the run reached its last step.</summary>
    public bool Completed { get; init; }
    /// <summary>
    /// Why the run stopped early (e.g. <c>interrupted</c>, too many non-finite losses), or null when it completed.
    /// </summary>
    public string? StopReason { get; init; }

    /// <summary>The Hugging Face folder a completed model.path run wrote (model.export); null otherwise.</summary>
    public string? ExportedModel { get; init; }
}
