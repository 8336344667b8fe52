// Agent-RLVR's guidance ("Agent-RLVR: Training Software Engineering Agents via Guidance and Environment Rewards", Da et
// al. 2025) in the trainer (rl.rollout=agent_rlvr with rl.environment):
//
//   groups     <- G episodes per start state x, as usual
//   for every group in which no episode succeeded (an all-fail group: zero advantage, no learning signal):
//       h       <- the environment's plan hint for x (EnvironmentGuidance.Plan: its scripted expert, no mistakes)
//       guided  <- G new episodes from the guided prompt (h, separator, x)           (behaviour: π_old(·|h, x))
//       rows    <- each guided episode scored under the UNGUIDED prompt x:
//                    prompt tokens = x, log π_old(a_t|x, ...) recomputed (no gradient) as the rows' old log-probs,
//                    the behaviour log π_old(a_t|h, x, ...) kept as the rows' rollout log-probs
//       group   <- the failures followed by the guided attempts (rollout.keep_failures), or the guided attempts alone
//
// The update then trains the unguided policy: the clipped ratio π_θ(a|x)/π_old(a|x) starts at 1 as on-policy, and each
// guided token's loss is weighted by the truncated importance ratio w_t = min(π_old(a_t|x)/π_old(a_t|h,x), C)
// (TruncatedImportanceSampling, C = rollout.tis_cap), because the attempt was sampled from the guided context, not from
// the context the policy will meet at test time: w corrects the expectation towards the unguided policy (as Guide, the
// authors' companion method, "Adaptive Guidance Accelerates Reinforcement Learning of Reasoning Models", does with its
// ratio), and C bounds its variance where the hint made a token less likely than the policy alone would.
using Rewire.Core.Rewards;
using Rewire.Tasks.Environments;
using Rewire.Torch.Generation;
using Rewire.Torch.Models;
using Rewire.Torch.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Training;

/// <summary>Re-rolls all-fail groups of episodes with the environment's plan hint and scores the guided attempts under the unguided prompt.</summary>
/// <param name="policy">The policy that re-scores the guided attempts under the unguided prompts.</param>
/// <param name="runner">Runs the guided episodes; its format renders a guided start (the hint in the character layout's
/// alphabet, or in words in a chat model's first user message) and the unguided prompts the attempts are scored under.</param>
/// <param name="keepFailures">rollout.keep_failures.</param>
public sealed class AgentGuidance(IPolicy policy, EpisodeRunner runner, bool keepFailures)
{
    /// <summary>True: a re-rolled group is its failures followed by the guided attempts; false: the guided attempts alone.</summary>
    public bool KeepFailures { get; } = keepFailures;

    /// <summary>Groups re-rolled with guidance so far.</summary>
    public int GuidedGroups { get; private set; }

    /// <summary>Guided episodes so far, and how many of them succeeded.</summary>
    public (int Episodes, int Successes) GuidedEpisodes { get; private set; }

    /// <summary>The indices of the groups (consecutive blocks of <paramref name="groupSize"/> rows) in which no row succeeded.</summary>
    public static IReadOnlyList<int> FailedGroups(IReadOnlyList<RolloutRecord> records, int groupSize)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentOutOfRangeException.ThrowIfLessThan(groupSize, 1);
        var failed = new List<int>();
        for (int g = 0; g * groupSize < records.Count; g++)
        {
            bool any = false;
            for (int k = g * groupSize; k < Math.Min(records.Count, (g + 1) * groupSize); k++) any |= records[k].Correct;
            if (!any) failed.Add(g);
        }
        return failed;
    }

    /// <summary>
    /// <paramref name="perStart"/> guided episodes from each of <paramref name="starts"/> (consecutive), as rows of the
    /// unguided prompts; <paramref name="record"/> turns an episode into its row (rewards as for unguided episodes).
    /// </summary>
    public RolloutRecord[] Reroll(IReadOnlyList<Prompt> starts, int perStart, torch.Generator generator, Func<Episode, RolloutRecord> record)
    {
        ArgumentNullException.ThrowIfNull(starts);
        ArgumentNullException.ThrowIfNull(record);
        var task = runner.Task;
        var guidedStarts = starts.Select(s => EnvironmentGuidance.Guided(s, EnvironmentGuidance.Plan(task, s))).ToArray();
        var episodes = runner.Run(guidedStarts, perStart, generator);
        GuidedGroups += starts.Count;
        GuidedEpisodes = (GuidedEpisodes.Episodes + episodes.Count, GuidedEpisodes.Successes + episodes.Count(e => e.Success));
        var rows = new RolloutRecord[episodes.Count];
        for (int i = 0; i < rows.Length; i++) rows[i] = record(episodes[i]) with { Prompt = starts[i / perStart] };
        // The unguided prompt of each start, in the runner's own format (for a chat model: the same system message and
        // first user message without the hint; the later turns' tokens do not depend on it, the template being prefix-stable).
        var unguided = starts.Select(s => runner.Format.Start(s, task.Create()).PromptTokens).ToArray();
        return Unguided(policy, rows, rows.Select((_, i) => unguided[i / perStart]).ToArray(), runner.PadId);
    }

    /// <summary>
    /// Guided rows re-scored under their unguided prompts: each row's prompt tokens become <paramref name="unguidedPrompts"/>[i],
    /// its old log-probs log π(a_t | unguided context) from <paramref name="policy"/> (no gradient; 0 on observation tokens),
    /// and its behaviour log-probs (sampled under the hint) move to <see cref="RolloutRecord.RolloutLogProbs"/>, where the
    /// update's truncated importance weight reads them.
    /// </summary>
    public static RolloutRecord[] Unguided(IPolicy policy, IReadOnlyList<RolloutRecord> rows, IReadOnlyList<int[]> unguidedPrompts, int padId)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(unguidedPrompts);
        if (rows.Count != unguidedPrompts.Count) throw new ArgumentException($"{rows.Count} rows but {unguidedPrompts.Count} unguided prompts");
        var result = new RolloutRecord[rows.Count];
        if (rows.Count == 0) return result;
        using var scope = NewDisposeScope();
        using var scored = policy.Score(unguidedPrompts.Select(p => (IReadOnlyList<int>)p).ToArray(),
            rows.Select(r => (IReadOnlyList<int>)r.ResponseTokens).ToArray(), new ScoreOptions(MiniBatchSize: 64, PadId: padId));
        var lp = scored.LogProbs.to(ScalarType.Float32).cpu();
        int width = (int)lp.shape[1];
        var data = lp.data<float>().ToArray();
        for (int i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            int n = r.ResponseTokens.Length;
            var old = new float[n];
            for (int t = 0; t < n; t++) old[t] = r.TokenMask is { } m && m[t] == 0 ? 0f : data[i * width + t];
            result[i] = r with { PromptTokens = unguidedPrompts[i], OldLogProbs = old, RolloutLogProbs = r.OldLogProbs };
        }
        return result;
    }
}
