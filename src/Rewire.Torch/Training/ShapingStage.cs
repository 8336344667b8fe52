// The shaping stage: the configured reward shapers, applied in order to one generation round's rollouts before groups
// are filtered (DAPO's overlong punishment and DOT both act there). The stage fills the batch columns the shapers read
// (lengths, truncation, correctness, hardness, per-test outcomes, reference rewards), and after a shaper that truncates
// responses (Dynamic Outlier Truncation) it cuts those responses and re-scores them with the reward stage, as the DOT
// paper does. Each shaper's effect is measured: shaping/<name>/changed_fraction is the share of rollouts whose reward,
// loss weight or length it changed.
using Rewire.Core.Rewards;
using Rewire.Core.Shaping;
using Rewire.Core.Techniques;
using Rewire.Torch.Generation;
using Rewire.Torch.Tokenizers;

namespace Rewire.Torch.Training;

/// <summary>One configured shaper and the columns it reads.</summary>
public sealed record ConfiguredShaper(IRewardShaper Shaper, TechniqueDescriptor Descriptor)
{
    /// <summary>The shaper's registry name.</summary>
    public string Name => Descriptor.Name;
    /// <summary>
    /// True when the shaper reads <paramref name="column"/> (one of its descriptor's required inputs).
    /// </summary>
    public bool Reads(string column) => Descriptor.Requires.Contains(column);
}

/// <summary>Applies the shapers to a round's rollouts and records what each changed.</summary>
public sealed class ShapingStage(IReadOnlyList<ConfiguredShaper> shapers, IRewardFunction reward, ITokenizer tokenizer,
    int maxDifficulty, IReadOnlyList<string> testComponents, ReferenceRewards? references)
{
    /// <summary>The configured shapers, in the order they run.</summary>
    public IReadOnlyList<ConfiguredShaper> Shapers { get; } = shapers;

    /// <summary>ONI's label table (reward.shaping=oni on episodes): fills the intrinsic rewards and message ids; null: none.</summary>
    public OniAnnotation? Oni { get; init; }

    /// <summary>Shapes <paramref name="records"/> in place (groups of <paramref name="groupSize"/> consecutive rows); adds each shaper's counts to <paramref name="counts"/>.</summary>
    public void Apply(RolloutRecord[] records, int groupSize, Dictionary<string, (int Changed, int Total)> counts)
    {
        if (Shapers.Count == 0) return;
        int n = records.Length;
        var rewards = records.Select(r => r.ShapedReward).ToArray();
        var groups = Enumerable.Range(0, n).Select(i => i / groupSize).ToArray();
        bool Needs(string column) => Shapers.Any(s => s.Reads(column));
        bool episodes = records.All(r => r.StepRewards is not null);
        // ONI (episodes): each turn's event message looked up in the label table (unseen ones queued for annotation).
        double[][]? intrinsic = null;
        int[][]? messageIds = null;
        if (Oni is { } oni && episodes && Needs(BatchColumns.IntrinsicRewards)) (intrinsic, messageIds) = oni.Label(records);
        var batch = new ShapingBatch(rewards, groups)
        {
            // An episode's length is its longest action: length shapers (DAPO's overlong punishment) measure a turn against
            // the generation budget rl.max_new_tokens, never the observations between turns.
            Lengths = records.Select(r => r.TokenMask is null ? r.ResponseTokens.Length : EpisodeCredit.LongestAction(r)).ToArray(),
            Truncated = records.Select(r => r.Finish == FinishReason.Length).ToArray(),
            Correct = records.Select(r => r.Correct).ToArray(),
            Hardness = records.Select(r => Math.Clamp(r.Prompt.Difficulty / (double)Math.Max(1, maxDifficulty), 0, 1)).ToArray(),
            TestOutcomes = Needs(BatchColumns.TestOutcomes) ? records.Select(TestOutcomes).ToArray() : null,
            ReferenceRewards = Needs(BatchColumns.ReferenceRewards) && references is not null ? records.Select(r => references.For(r.Prompt)).ToArray() : null,
            // Episodes (rl.environment): the per-turn rewards, which a shaper such as G-RA gates and writes back.
            StepRewards = records.All(r => r.StepRewards is not null) ? records.Select(r => (double[])r.StepRewards!.Clone()).ToArray() : null,
            // The named components of each turn (ReSeek reads each JUDGE step's judgment and relevance); none for a failed episode.
            StepComponents = Needs(BatchColumns.StepComponents) && records.All(r => r.StepRewards is not null) ? records.Select(StepComponents).ToArray() : null,
            IntrinsicRewards = intrinsic,
            MessageIds = messageIds,
        };
        foreach (var s in Shapers)
        {
            var before = (double[])batch.Rewards.Clone();
            var weightsBefore = (double[])batch.LossWeights.Clone();
            var lengthsBefore = (int[])batch.Lengths!.Clone();
            var stepsBefore = batch.StepRewards?.Select(x => (double[])x.Clone()).ToArray();
            s.Shaper.Apply(batch);
            if (batch.TruncateTo is { } cut)
            {
                for (int i = 0; i < n; i++)
                    if (cut[i] >= 0 && cut[i] < records[i].ResponseTokens.Length)
                    {
                        records[i] = Truncate(records[i], cut[i]);
                        batch.Rewards[i] = records[i].Reward.Total;
                        batch.Lengths[i] = cut[i];
                        batch.Truncated![i] = true;
                        batch.Correct![i] = records[i].Correct;
                    }
                batch.TruncateTo = null;
            }
            int changed = 0;
            for (int i = 0; i < n; i++)
                if (batch.Rewards[i] != before[i] || batch.LossWeights[i] != weightsBefore[i] || batch.Lengths[i] != lengthsBefore[i]
                    || (stepsBefore is not null && !stepsBefore[i].AsSpan().SequenceEqual(batch.StepRewards![i]))) changed++;
            var (c, t) = counts.GetValueOrDefault(s.Name);
            counts[s.Name] = (c + changed, t + n);
        }
        for (int i = 0; i < n; i++)
            records[i] = records[i] with { ShapedReward = batch.Rewards[i], LossWeight = batch.LossWeights[i], StepRewards = batch.StepRewards?[i] ?? records[i].StepRewards };
    }

    private static IReadOnlyDictionary<string, double>[] StepComponents(RolloutRecord r) =>
        r.Episode is not { } e || r.Reward.Failed ? new IReadOnlyDictionary<string, double>[r.StepRewards!.Length]
            .Select(_ => (IReadOnlyDictionary<string, double>)new Dictionary<string, double>()).ToArray()
            : e.Turns.Select(t => t.Components ?? new Dictionary<string, double>()).ToArray();

    private bool[] TestOutcomes(RolloutRecord r) => testComponents.Select(t => r.Reward.Components.GetValueOrDefault(t) >= 1.0).ToArray();

    /// <summary>The rollout cut to its first <paramref name="length"/> tokens and scored again.</summary>
    private RolloutRecord Truncate(RolloutRecord r, int length)
    {
        var tokens = r.ResponseTokens[..length];
        string completion = tokenizer.Decode(tokens.Where(t => t != tokenizer.EosId));
        var result = reward.Score(new Rollout(r.Prompt, completion, length, FinishReason.Length, r.Prompt.Id));
        return r with
        {
            ResponseTokens = tokens,
            OldLogProbs = r.OldLogProbs[..length],
            Entropies = r.Entropies[..length],
            RolloutLogProbs = r.RolloutLogProbs?[..length],
            Finish = FinishReason.Length,
            Completion = completion,
            Reward = result,
            ShapedReward = result.Total,
        };
    }
}
