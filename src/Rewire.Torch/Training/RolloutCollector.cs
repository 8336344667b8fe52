using System.Diagnostics;
using Rewire.Core.Rewards;
using Rewire.Core.Sampling;
using Rewire.Torch.Generation;
using Rewire.Torch.Models;
using Rewire.Torch.Tokenizers;
using TorchSharp;

namespace Rewire.Torch.Training;

/// <summary>One generated completion with everything the update needs: tokens, behaviour log-probs, reward; with remote
/// rollouts also the log-probs the inference server reported (<see cref="RolloutLogProbs"/>, for truncated importance sampling).</summary>
public sealed record RolloutRecord(
    Prompt Prompt,
    int[] PromptTokens,
    int[] ResponseTokens,
    float[] OldLogProbs,
    float[] Entropies,
    FinishReason Finish,
    string Completion,
    RewardResult Reward,
    double ShapedReward,
    double LossWeight = 1.0,
    double? Baseline = null,
    float[]? RolloutLogProbs = null)
{
    /// <summary>True when the verifier judged the completion correct.</summary>
    public bool Correct => Reward.Correct == true;

    /// <summary>Per response token: 1 where the policy wrote it, 0 where the environment did (never trained); null: all 1.</summary>
    public float[]? TokenMask { get; init; }

    /// <summary>The step (per-turn) rewards of an episode, after shaping; null for a single-turn rollout.</summary>
    public double[]? StepRewards { get; init; }

    /// <summary>Per turn, the index in the response of its action's last token (the turn boundaries); null for a single-turn rollout.</summary>
    public int[]? TurnEnds { get; init; }

    /// <summary>The episode behind this row (turns, observations, rewards); null for a single-turn rollout.</summary>
    public Episode? Episode { get; init; }
}

/// <summary>
/// The "rollout strategy → rewards → shaping" part of a training step, as a callback <see cref="DynamicBatch"/> can
/// call once per generation round. It remembers the rollouts behind each group outcome so the update can use their
/// tokens, and times each phase and counts what the rollout strategy and the shapers did.
/// </summary>
public sealed class RolloutCollector(IPolicy policy, ITokenizer tokenizer, PromptTemplate template, IRolloutStrategy rollout,
    IRewardFunction reward, ShapingStage? shaping, GenerationOptions generation, int groupSize, bool greedyBaseline = false) : IRolloutCollector
{
    /// <summary>Sequences generated per call of the rollout strategy (the last chunk may be smaller).</summary>
    public const int GenerationBatch = 256;

    private readonly Dictionary<GroupOutcome, RolloutRecord[]> _rollouts = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, double> _rolloutMetrics = new(StringComparer.Ordinal);

    /// <summary>Time spent generating in this step.</summary>
    public TimeSpan GenerateTime { get; private set; }
    /// <summary>Time spent scoring rewards in this step.</summary>
    public TimeSpan ScoreTime { get; private set; }
    /// <summary>Tokens generated in this step.</summary>
    public long GeneratedTokens { get; private set; }
    /// <summary>Reward calls that failed (isolated and counted) in this step.</summary>
    public int RewardFailures { get; private set; }

    /// <summary>Per shaper: rollouts it changed and rollouts it saw in this step.</summary>
    public Dictionary<string, (int Changed, int Total)> ShapingCounts { get; } = new(StringComparer.Ordinal);

    /// <summary>The rollout strategy's diagnostics summed over this step's rounds (e.g. LATR's branch points).</summary>
    public IReadOnlyDictionary<string, double> RolloutMetrics => _rolloutMetrics;

    /// <summary>The rollouts behind <paramref name="group"/>.</summary>
    public IReadOnlyList<RolloutRecord> RolloutsOf(GroupOutcome group) => _rollouts[group];

    /// <summary>Generates G completions for each prompt with <paramref name="generator"/>, scores and shapes them.</summary>
    public IReadOnlyList<GroupOutcome> Collect(IReadOnlyList<Prompt> prompts, torch.Generator generator)
    {
        Rewire.Core.Runs.KillPoint.Reached("generate");
        var clock = Stopwatch.StartNew();
        var encoded = prompts.Select(p => (IReadOnlyList<int>)template.Encode(p, tokenizer)).ToArray();
        // Generate in chunks of about GenerationBatch sequences: on a CPU, much larger batches are slower per token.
        int chunk = Math.Max(1, GenerationBatch / groupSize);
        var sequences = new List<GeneratedSequence>(prompts.Count * groupSize);
        for (int start = 0; start < encoded.Length; start += chunk)
        {
            var produced = rollout.Rollout(policy, encoded[start..Math.Min(encoded.Length, start + chunk)], groupSize, generation, generator);
            foreach (var (k, v) in produced.Metrics) _rolloutMetrics[k] = _rolloutMetrics.GetValueOrDefault(k) + v;
            foreach (var g in produced.Groups) sequences.AddRange(g);
        }
        GeneratedTokens += sequences.Sum(s => (long)s.Tokens.Length);
        GenerateTime += clock.Elapsed;

        clock.Restart();
        var records = new RolloutRecord[sequences.Count];
        // A reward that compares the rollouts of a group (BRPO's judge) scores whole groups together, about 64 rollouts
        // per call (each call has the reward time budget); other rewards score one rollout at a time.
        RewardResult[]? batched = null;
        if (reward is RewardStage { ScoresGroups: true } stage)
        {
            var all = sequences.Select((seq, i) => new Rollout(prompts[i / groupSize], tokenizer.Decode(seq.Tokens.Where(t => t != tokenizer.EosId)),
                seq.Tokens.Length, seq.Finish, prompts[i / groupSize].Id)).ToArray();
            int perCall = Math.Max(1, 64 / groupSize) * groupSize;
            batched = new RewardResult[all.Length];
            for (int at = 0; at < all.Length; at += perCall)
            {
                var part = stage.ScoreAll(all[at..Math.Min(all.Length, at + perCall)]);
                for (int k = 0; k < part.Count; k++) batched[at + k] = part[k];
            }
        }
        for (int i = 0; i < sequences.Count; i++)
        {
            var prompt = prompts[i / groupSize];
            var seq = sequences[i];
            string completion = tokenizer.Decode(seq.Tokens.Where(t => t != tokenizer.EosId));
            var result = batched?[i] ?? reward.Score(new Rollout(prompt, completion, seq.Tokens.Length, seq.Finish, prompt.Id));
            if (result.Failed) RewardFailures++;
            records[i] = new RolloutRecord(prompt, seq.PromptTokens, seq.Tokens, seq.LogProbs, seq.Entropies, seq.Finish, completion, result, result.Total,
                RolloutLogProbs: seq.RolloutLogProbs);
        }
        if (greedyBaseline) AddGreedyBaselines(prompts, encoded, records);
        shaping?.Apply(records, groupSize, ShapingCounts);

        var outcomes = new List<GroupOutcome>(prompts.Count);
        for (int p = 0; p < prompts.Count; p++)
        {
            var members = records.AsSpan(p * groupSize, groupSize).ToArray();
            var outcome = new GroupOutcome(prompts[p], members.Select(r => r.ShapedReward).ToArray(),
                members.All(r => r.Reward.Correct is not null) ? members.Select(r => r.Correct).ToArray() : null);
            _rollouts[outcome] = members;
            outcomes.Add(outcome);
        }
        ScoreTime += clock.Elapsed;
        return outcomes;
    }

    /// <summary>
    /// ReMax's baseline ("ReMax: A Simple, Effective, and Efficient Reinforcement Learning Method for Aligning Large
    /// Language Models"): the reward of the greedy response of the same policy to the same prompt, one per prompt.
    /// </summary>
    private void AddGreedyBaselines(IReadOnlyList<Prompt> prompts, IReadOnlyList<IReadOnlyList<int>> encoded, RolloutRecord[] records)
    {
        using var unused = new torch.Generator(0); // greedy decoding draws nothing from it
        var greedy = policy.Generate(encoded, generation with { Greedy = true }, unused);
        for (int p = 0; p < prompts.Count; p++)
        {
            string text = tokenizer.Decode(greedy[p].Tokens.Where(t => t != tokenizer.EosId));
            double baseline = reward.Score(new Rollout(prompts[p], text, greedy[p].Tokens.Length, greedy[p].Finish, prompts[p].Id)).Total;
            for (int g = 0; g < groupSize; g++) records[p * groupSize + g] = records[p * groupSize + g] with { Baseline = baseline };
        }
    }
}
