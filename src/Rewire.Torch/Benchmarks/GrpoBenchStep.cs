// One GRPO step of the step benchmark, built from the trainer's own parts so that a faster step here is a faster
// `rewire train`: RolloutCollector (SamplingRollout: G samples per prompt with the KV cache, recording log π_old; the
// reward pipeline with the trainer's failure isolation), then PolicyUpdate (GRPO advantages
// Â_i = (r_i − mean_g r) / (std_g r + 1e-6) with the unbiased std, one mini-batch of every rollout: rescoring
// log π_θ over prompt + response, the PPO clipped surrogate ("Proximal Policy Optimization Algorithms") averaged over
// every valid response token of the batch (token-mean, EOS included), backward, AdamW).
using System.Diagnostics;
using Rewire.Core.Advantages;
using Rewire.Core.Rewards;
using Rewire.Torch.Generation;
using Rewire.Torch.Models;
using Rewire.Torch.Objectives;
using Rewire.Torch.Objectives.Policy;
using Rewire.Torch.Tokenizers;
using Rewire.Torch.Training;
using TorchSharp;

namespace Rewire.Torch.Benchmarks;

/// <summary>The phases of one GRPO step, the rollouts it trained on and the update's diagnostics (pg_loss, ...).</summary>
public sealed record GrpoStepTiming(double GenerateSeconds, double ScoreSeconds, double UpdateSeconds,
    IReadOnlyList<RolloutRecord> Rollouts, int[] GroupOf, IReadOnlyDictionary<string, double> Metrics)
{
    /// <summary>Wall-clock seconds of the whole step: generation plus scoring plus update.</summary>
    public double TotalSeconds => GenerateSeconds + ScoreSeconds + UpdateSeconds;
}

/// <summary>The GRPO step of a <see cref="StepWorkload"/> on a policy and optimiser (see the file header).</summary>
public sealed class GrpoBenchStep
{
    /// <summary>The trainer's default reward time budget (reward.timeout_ms), so scoring takes the trainer's path.</summary>
    private static readonly TimeSpan RewardBudget = TimeSpan.FromMilliseconds(2000);

    private readonly IPolicy _policy;
    private readonly StepWorkload _workload;
    private readonly StepBenchTokenizer _tokenizer;
    private readonly PromptTemplate _template;
    private readonly RewardStage _reward;
    private readonly GenerationOptions _generation;
    private readonly PolicyUpdate _update;

    /// <summary>The step's prompts (the same every step).</summary>
    public IReadOnlyList<Prompt> Prompts { get; }

    /// <summary>Builds the step's prompts from <paramref name="workload"/> and the trainer parts that run it.</summary>
    /// <param name="policy">The policy that generates and is updated.</param>
    /// <param name="optimizer">The AdamW optimiser of the update.</param>
    /// <param name="workload">Batch shapes, prompts and reward of the step.</param>
    /// <param name="seed">Seed of the prompts and of the sampling stream.</param>
    public GrpoBenchStep(IPolicy policy, AdamW optimizer, StepWorkload workload, long seed)
    {
        _policy = policy;
        _workload = workload;
        _tokenizer = new StepBenchTokenizer(workload.VocabSize);
        var (prompts, encoded) = MakePrompts(workload, _tokenizer, seed);
        Prompts = prompts;
        _template = new PromptTemplate { Encoder = encoded.Count == 0 ? null : p => encoded[p.Id] };
        var reward = DelegateReward.Scalar("reward", workload.Reward);
        _reward = new RewardStage(new RewardPipeline([RewardTerm.Of(reward, 1.0, new FailurePolicy { TimeBudget = RewardBudget }, "reward")], "reward"), (Rewire.Core.MultiObjective.IRewardWeighting?)null);
        _generation = new GenerationOptions
        {
            MaxNewTokens = workload.GrpoMaxNewTokens,
            Temperature = 1.0,
            StopTokens = [_tokenizer.EosId],
            PadId = _tokenizer.PadId,
            UseKvCache = true,
        };
        var objective = new PpoClipObjective(new PolicyObjectiveOptions { ClipRatio = workload.ClipEpsilon, DualClip = false, LossAggMode = "token-mean" });
        int rows = workload.GrpoPrompts * workload.GrpoGroupSize;
        _update = new PolicyUpdate(policy, optimizer, new UpdateSettings
        {
            Estimator = new GrpoAdvantage(new GrpoOptions { Epsilon = 1e-6, UnbiasedStd = true }),
            Loss = new ActorLoss(objective),
            Epochs = 1,
            MiniBatchSize = rows,
            MicroBatchSize = 0,
            MaxGradNorm = 0,   // no clipping (the norm is still computed: the trainer reports it)
            PadId = _tokenizer.PadId,
            Seed = (int)(seed & 0x7fffffff),
        });
    }

    /// <summary>Generates, scores and updates once; <paramref name="step"/> numbers the step (the mini-batch shuffle's stream).</summary>
    public GrpoStepTiming Run(int step, torch.Generator generator)
    {
        var collector = new RolloutCollector(_policy, _tokenizer, _template, new SamplingRollout(), _reward, shaping: null, _generation, _workload.GrpoGroupSize);
        var outcomes = collector.Collect(Prompts, generator);
        var rows = new List<RolloutRecord>(outcomes.Count * _workload.GrpoGroupSize);
        var groupOf = new List<int>(rows.Capacity);
        for (int g = 0; g < outcomes.Count; g++)
            foreach (var r in collector.RolloutsOf(outcomes[g])) { rows.Add(r); groupOf.Add(g); }
        var labels = outcomes.Select(o => o.Prompt.Id).ToArray();
        var clock = Stopwatch.StartNew();
        var metrics = _update.Run(rows, groupOf.ToArray(), labels, step, _workload.LearningRate);
        double update = clock.Elapsed.TotalSeconds;
        return new GrpoStepTiming(collector.GenerateTime.TotalSeconds, collector.ScoreTime.TotalSeconds, update, rows, groupOf.ToArray(), metrics);
    }

    /// <summary>
    /// The workload's prompts: addition prompts (text "a+b=", answer a+b, encoded with BOS in front) or random token
    /// prompts (answer none; their tokens in the returned map, by prompt id).
    /// </summary>
    private static (IReadOnlyList<Prompt> Prompts, IReadOnlyDictionary<string, int[]> Encoded) MakePrompts(StepWorkload w, StepBenchTokenizer tokenizer, long seed)
    {
        var random = new Random((int)(seed & 0x7fffffff) ^ 0x5eed);
        var prompts = new Prompt[w.GrpoPrompts];
        var encoded = new Dictionary<string, int[]>(StringComparer.Ordinal);
        for (int i = 0; i < prompts.Length; i++)
        {
            string id = "p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (w.GrpoRandomPromptTokens == 0)
            {
                int a = random.Next(10, 100), b = random.Next(10, 100);
                prompts[i] = new Prompt(id, "addition", "addition", $"{a}+{b}=", (a + b).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                var tokens = new int[w.GrpoRandomPromptTokens];
                tokens[0] = tokenizer.BosId;
                for (int t = 1; t < tokens.Length; t++) tokens[t] = random.Next(StepBenchTokenizer.Zero + 10, w.VocabSize);
                encoded[id] = tokens;
                prompts[i] = new Prompt(id, "random", "random", "", null);
            }
        }
        return (prompts, encoded);
    }
}
