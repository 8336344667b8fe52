using System.Diagnostics;
using Rewire.Core.Rewards;
using Rewire.Core.Sampling;
using Rewire.Core.Shaping;
using Rewire.Torch.Generation;
using Rewire.Torch.Models;
using Rewire.Torch.Tokenizers;
using TorchSharp;

namespace Rewire.Torch.Training;

/// <summary>One generated completion with everything the update needs: tokens, behaviour log-probs, reward.</summary>
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
    double LossWeight = 1.0)
{
    public bool Correct => Reward.Correct == true;
}

/// <summary>
/// The "generate G rollouts per prompt -> score -> shape" part of a training step, as a callback
/// <see cref="DynamicBatch"/> can call once per generation round. It remembers the rollouts behind each group
/// outcome so the update can use their tokens, and times each phase.
/// </summary>
public sealed class RolloutCollector
{
    private readonly IPolicy _policy;
    private readonly ITokenizer _tokenizer;
    private readonly PromptTemplate _template;
    private readonly IRewardFunction _reward;
    private readonly ShapingPipeline? _shaping;
    private readonly GenerationOptions _generation;
    private readonly int _groupSize;
    private readonly int _generationBatch;
    private readonly Dictionary<GroupOutcome, RolloutRecord[]> _rollouts = new(ReferenceEqualityComparer.Instance);

    public RolloutCollector(IPolicy policy, ITokenizer tokenizer, PromptTemplate template, IRewardFunction reward,
        ShapingPipeline? shaping, GenerationOptions generation, int groupSize, int generationBatch = 256)
    {
        _policy = policy;
        _tokenizer = tokenizer;
        _template = template;
        _reward = reward;
        _shaping = shaping;
        _generation = generation;
        _groupSize = groupSize;
        _generationBatch = generationBatch;
    }

    public TimeSpan GenerateTime { get; private set; }
    public TimeSpan ScoreTime { get; private set; }
    public long GeneratedTokens { get; private set; }
    public int RewardFailures { get; private set; }

    /// <summary>Starts a new training step: forgets earlier rollouts and timings.</summary>
    public void Reset()
    {
        _rollouts.Clear();
        GenerateTime = ScoreTime = TimeSpan.Zero;
        GeneratedTokens = 0;
        RewardFailures = 0;
    }

    public IReadOnlyList<RolloutRecord> RolloutsOf(GroupOutcome group) => _rollouts[group];

    /// <summary>Generates G completions for each prompt with <paramref name="generator"/>, scores and shapes them.</summary>
    public IReadOnlyList<GroupOutcome> Collect(IReadOnlyList<Prompt> prompts, torch.Generator generator)
    {
        Rewire.Core.Runs.KillPoint.Reached("generate");
        var clock = Stopwatch.StartNew();
        var encoded = prompts.Select(p => _template.Encode(p, _tokenizer)).ToArray();
        var requests = new List<IReadOnlyList<int>>(prompts.Count * _groupSize);
        foreach (var tokens in encoded)
            for (int g = 0; g < _groupSize; g++) requests.Add(tokens);
        var sequences = new List<GeneratedSequence>(requests.Count);
        for (int start = 0; start < requests.Count; start += _generationBatch)
        {
            var chunk = requests.GetRange(start, Math.Min(_generationBatch, requests.Count - start));
            sequences.AddRange(_policy.Generate(chunk, _generation, generator));
        }
        GeneratedTokens += sequences.Sum(s => (long)s.Tokens.Length);
        GenerateTime += clock.Elapsed;

        clock.Restart();
        var records = new RolloutRecord[sequences.Count];
        var rewards = new double[sequences.Count];
        var groups = new int[sequences.Count];
        for (int i = 0; i < sequences.Count; i++)
        {
            var prompt = prompts[i / _groupSize];
            var seq = sequences[i];
            string completion = _tokenizer.Decode(seq.Tokens.Where(t => t != _tokenizer.EosId));
            var rollout = new Rollout(prompt, completion, seq.Tokens.Length, seq.Finish, prompt.Id);
            var result = _reward.Score(rollout);
            if (result.Failed) RewardFailures++;
            rewards[i] = result.Total;
            groups[i] = i / _groupSize;
            records[i] = new RolloutRecord(prompt, seq.PromptTokens, seq.Tokens, seq.LogProbs, seq.Entropies, seq.Finish, completion, result, result.Total);
        }
        if (_shaping is not null)
        {
            var batch = new ShapingBatch(rewards, groups)
            {
                Lengths = records.Select(r => r.ResponseTokens.Length).ToArray(),
                Truncated = records.Select(r => r.Finish == FinishReason.Length).ToArray(),
                Correct = records.Select(r => r.Correct).ToArray(),
            };
            _shaping.Apply(batch);
            for (int i = 0; i < records.Length; i++) records[i] = records[i] with { ShapedReward = batch.Rewards[i], LossWeight = batch.LossWeights[i] };
        }

        var outcomes = new List<GroupOutcome>(prompts.Count);
        for (int p = 0; p < prompts.Count; p++)
        {
            var members = records.AsSpan(p * _groupSize, _groupSize).ToArray();
            var outcome = new GroupOutcome(prompts[p], members.Select(r => r.ShapedReward).ToArray(),
                members.All(r => r.Reward.Correct is not null) ? members.Select(r => r.Correct).ToArray() : null);
            _rollouts[outcome] = members;
            outcomes.Add(outcome);
        }
        ScoreTime += clock.Elapsed;
        return outcomes;
    }
}
