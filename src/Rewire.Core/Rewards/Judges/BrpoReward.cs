// Writing-Zero's bootstrapped relative policy optimisation (BRPO) reward. For each group of rollouts of one prompt
// {o_1..o_G}: a reference o_ref is drawn uniformly from the group itself (a bootstrap reference that changes with every
// group, no external reference); every other rollout is compared with it by a pairwise judge, in both orders when
// position swapping is on (SwapVoting), and gets the pairwise reward r_i = +1 when it beats the reference, −1 when it
// loses, 0 on a tie. That is exactly G − 1 comparisons per group. The reference itself gets 0 and is marked by the
// component `reference` = 1. A group of one rollout has nothing to compare and gets 0 without a judge call. The draw of
// the reference is seeded by the seed, the group label and the group's completions, so the same batch always gets the
// same reference while every new batch gets a fresh one. All comparisons of a batch go to the judge in one call; a
// judge that throws fails the whole batch, which the reward pipeline counts and scores with its failure value.
// Components of each rollout: reference, win, loss, tie (1 or 0), malformed (the count of malformed verdicts in its
// comparison) and consistent (1 when the two orders agreed), reported by the pipeline as brpo/NAME.
namespace Rewire.Core.Rewards.Judges;

/// <summary>The BRPO pairwise reward against a bootstrapped in-group reference (see the file header).</summary>
public sealed class BrpoReward : IGroupRewardFunction, ICriterionReporter
{
    private readonly IPairwiseJudge _judge;

    /// <param name="judge">The pairwise judge.</param>
    /// <param name="swap">Judge each comparison in both orders and vote (true), or once in a random order (false).</param>
    /// <param name="seed">Seed of the reference draws (and of the order when <paramref name="swap"/> is false).</param>
    /// <param name="name">The name its results are logged under.</param>
    public BrpoReward(IPairwiseJudge judge, bool swap = true, ulong seed = 0, string name = "brpo")
    {
        _judge = judge ?? throw new ArgumentNullException(nameof(judge));
        Swap = swap;
        Seed = seed;
        Name = name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>True when each comparison is judged in both orders.</summary>
    public bool Swap { get; }

    /// <summary>The seed of the reference draws.</summary>
    public ulong Seed { get; }

    /// <summary>The index within <paramref name="group"/> of its bootstrapped reference (uniform over the group, seeded).</summary>
    public int ReferenceOf(string label, IReadOnlyList<Rollout> group)
    {
        ArgumentNullException.ThrowIfNull(group);
        return (int)(Hash(label, group, 0x5eed) % (ulong)group.Count);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RewardResult>> ScoreAsync(IReadOnlyList<Rollout> rollouts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rollouts);
        var results = new RewardResult[rollouts.Count];
        var queries = new List<PairwiseQuery>();
        // Per compared rollout: its index, the index of its first query, whether that query reads it first.
        var plan = new List<(int Index, int Query, bool ItFirst)>();
        foreach (var group in Enumerable.Range(0, rollouts.Count).GroupBy(i => Label(rollouts[i]), StringComparer.Ordinal))
        {
            var members = group.ToArray();
            if (members.Length < 2)
            {
                foreach (var i in members) results[i] = Result(0, reference: true, default);
                continue;
            }
            var rows = members.Select(i => rollouts[i]).ToArray();
            int reference = members[ReferenceOf(group.Key, rows)];
            results[reference] = Result(0, reference: true, default);
            var refText = rollouts[reference].Completion ?? "";
            foreach (var i in members)
            {
                if (i == reference) continue;
                var text = rollouts[i].Completion ?? "";
                bool itFirst = Swap || Hash(group.Key, rows, (ulong)i + 1) % 2 == 0;
                plan.Add((i, queries.Count, itFirst));
                queries.Add(itFirst ? new PairwiseQuery(rollouts[i].Prompt, text, refText) : new PairwiseQuery(rollouts[i].Prompt, refText, text));
                if (Swap) queries.Add(new PairwiseQuery(rollouts[i].Prompt, refText, text));
            }
        }
        if (queries.Count > 0)
        {
            var verdicts = _judge.Judge(queries, cancellationToken);
            if (verdicts is null || verdicts.Count != queries.Count)
                throw new InvalidOperationException($"judge '{_judge.Name}' returned {verdicts?.Count ?? 0} verdicts for {queries.Count} comparisons.");
            foreach (var (i, q, itFirst) in plan)
            {
                var outcome = itFirst
                    ? SwapVoting.Vote(verdicts[q], Swap ? verdicts[q + 1] : null)
                    : SwapVoting.Vote(Flip(verdicts[q]), null);
                results[i] = Result(outcome.Outcome, reference: false, outcome);
            }
        }
        return ValueTask.FromResult<IReadOnlyList<RewardResult>>(results);
    }

    /// <summary>The verdict as seen from the other order.</summary>
    private static PairwiseVerdict Flip(PairwiseVerdict v) => v switch
    {
        PairwiseVerdict.First => PairwiseVerdict.Second,
        PairwiseVerdict.Second => PairwiseVerdict.First,
        _ => v,
    };

    private static RewardResult Result(int reward, bool reference, PairOutcome outcome) => new()
    {
        Total = reward,
        Components = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["reference"] = reference ? 1 : 0,
            ["win"] = !reference && reward > 0 ? 1 : 0,
            ["loss"] = !reference && reward < 0 ? 1 : 0,
            ["tie"] = !reference && reward == 0 ? 1 : 0,
            ["malformed"] = outcome.Malformed,
            ["consistent"] = outcome.Consistent ? 1 : 0,
        },
        FailureReason = outcome.Malformed > 0 ? $"{outcome.Malformed} malformed verdict(s)" : null,
    };

    private static string Label(Rollout r) => r.Group.Length > 0 ? r.Group : r.Prompt.Id;

    private ulong Hash(string label, IReadOnlyList<Rollout> group, ulong salt)
    {
        // FNV-1a over the seed, the salt, the label and the completions, then a SplitMix64 finaliser.
        ulong h = 14695981039346656037UL;
        void Mix(ulong x) { h ^= x; h *= 1099511628211UL; }
        Mix(Seed);
        Mix(salt);
        foreach (char c in label) Mix(c);
        foreach (var r in group)
        {
            Mix(0xff);
            foreach (char c in r.Completion ?? "") Mix(c);
        }
        h += 0x9E3779B97F4A7C15UL;
        h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9UL;
        h = (h ^ (h >> 27)) * 0x94D049BB133111EBUL;
        return h ^ (h >> 31);
    }
}
