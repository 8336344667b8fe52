// The multi-turn counterpart of RolloutCollector: a group is G episodes from the same start state. One round:
//
//   episodes  <- EpisodeRunner: G episodes per start state, batched across episodes   (guarded environment calls)
//   rewards   <- per episode: outcome r_high (the scalar), step rewards r_low_t (one per turn, column step_rewards),
//                turn boundaries (column turn_boundaries); a failed environment call gives reward.failure_value
//   return    <- direct accumulation R = r_high + Σ_t r_low_t, unless a shaper accumulates the step rewards itself
//                (reward.shaping=gated: G-RA), then the shaping stage
//   groups    <- one GroupOutcome per start state (what samplers and DAPO's filter see)
//   guidance  <- rl.rollout=agent_rlvr: every all-fail group is re-rolled with the environment's hint (AgentGuidance)
using System.Diagnostics;
using Rewire.Core.Rewards;
using Rewire.Core.Sampling;
using Rewire.Core.Shaping;
using Rewire.Core.Techniques;
using Rewire.Torch.Tokenizers;
using TorchSharp;

namespace Rewire.Torch.Training;

/// <summary>Collects groups of episodes for a training step.</summary>
public sealed class EpisodeCollector(EpisodeRunner runner, ITokenizer tokenizer, ShapingStage? shaping, int groupSize, double failureValue) : IRolloutCollector
{
    private readonly Dictionary<GroupOutcome, RolloutRecord[]> _rollouts = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, double> _metrics = new(StringComparer.Ordinal);
    private readonly List<Episode> _episodes = [];

    /// <inheritdoc />
    public TimeSpan GenerateTime => runner.GenerateTime;

    /// <inheritdoc />
    public TimeSpan ScoreTime { get; private set; }

    /// <inheritdoc />
    public long GeneratedTokens => runner.GeneratedTokens;

    /// <inheritdoc />
    public int RewardFailures => runner.Failures;

    /// <inheritdoc />
    public Dictionary<string, (int Changed, int Total)> ShapingCounts { get; } = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> RolloutMetrics => _metrics;

    /// <inheritdoc />
    public IReadOnlyList<RolloutRecord> RolloutsOf(GroupOutcome group) => _rollouts[group];

    /// <summary>Agent-RLVR's guidance (rl.rollout=agent_rlvr): all-fail groups are re-rolled with a hint; null: none.</summary>
    public AgentGuidance? Guidance { get; init; }

    /// <summary>True when a configured shaper reads the step rewards (and so accumulates them itself, as G-RA does).</summary>
    private bool ShaperAccumulates => shaping?.Shapers.Any(s => s.Reads(BatchColumns.StepRewards)) == true;

    /// <summary>
    /// True when the advantage estimator reads the step rewards itself (OPRL's step advantage): the scalar is then the
    /// outcome alone (no accumulation), so the episode advantage is the outcome's and the step rewards enter once, as steps.
    /// </summary>
    public bool EstimatorReadsStepRewards { get; init; }

    private bool Accumulate => !ShaperAccumulates && !EstimatorReadsStepRewards;

    /// <inheritdoc />
    public IReadOnlyList<GroupOutcome> Collect(IReadOnlyList<Prompt> prompts, torch.Generator generator)
    {
        Rewire.Core.Runs.KillPoint.Reached("generate");
        var before = runner.EnvironmentTime;
        var episodes = runner.Run(prompts, groupSize, generator);
        _episodes.AddRange(episodes);
        var clock = Stopwatch.StartNew();
        var records = episodes.Select(e => Record(e, Accumulate, tokenizer.EosId, failureValue)).ToArray();
        shaping?.Apply(records, groupSize, ShapingCounts);
        var guided = new Dictionary<int, RolloutRecord[]>();
        if (Guidance is { } guidance && AgentGuidance.FailedGroups(records, groupSize) is { Count: > 0 } failed)
        {
            var extra = guidance.Reroll(failed.Select(g => prompts[g]).ToArray(), groupSize, generator,
                e => Record(e, Accumulate, tokenizer.EosId, failureValue));
            shaping?.Apply(extra, groupSize, ShapingCounts);
            for (int k = 0; k < failed.Count; k++) guided[failed[k]] = extra.AsSpan(k * groupSize, groupSize).ToArray();
        }
        if (Guidance is { } g)
        {
            // rollout/guidance/groups: all-fail groups re-rolled this step; rollout/guidance/success_rate: of their guided attempts.
            _metrics["guidance/groups"] = g.GuidedGroups;
            _metrics["guidance/success_rate"] = g.GuidedEpisodes.Episodes == 0 ? 0 : g.GuidedEpisodes.Successes / (double)g.GuidedEpisodes.Episodes;
        }
        var outcomes = new List<GroupOutcome>(prompts.Count);
        for (int p = 0; p < prompts.Count; p++)
        {
            var members = records.AsSpan(p * groupSize, groupSize).ToArray();
            if (guided.TryGetValue(p, out var attempts)) members = Guidance!.KeepFailures ? [.. members, .. attempts] : attempts;
            var outcome = new GroupOutcome(prompts[p], members.Select(r => r.ShapedReward).ToArray(), members.Select(r => r.Correct).ToArray());
            _rollouts[outcome] = members;
            outcomes.Add(outcome);
        }
        ScoreTime += clock.Elapsed + (runner.EnvironmentTime - before);
        return outcomes;
    }

    /// <summary>
    /// An episode as a training row: the response holds every action and observation, the token mask keeps the
    /// observations out of the loss; the reward is the outcome with the step rewards beside it (added to the scalar here
    /// when <paramref name="accumulate"/>: direct accumulation, the environment's own return). An episode whose environment
    /// failed gets <paramref name="failureValue"/> (reward.failure_value) and no step rewards.
    /// </summary>
    public static RolloutRecord Record(Episode e, bool accumulate, int eosId, double failureValue)
    {
        var tokens = e.Tokens.ToArray();
        var mask = e.Mask.ToArray();
        var logProbs = e.LogProbs.ToArray();
        var entropies = e.Entropies.ToArray();
        if (tokens.Length == 0)
        {
            // The environment failed at reset: one untrained end token keeps the row well-formed (no gradient reaches it).
            tokens = [eosId];
            mask = [0f];
            logProbs = [0f];
            entropies = [0f];
        }
        bool failed = e.Failure is not null;
        double[] steps = failed ? new double[e.Turns.Count] : e.StepRewards;
        double outcome = failed ? failureValue : e.Outcome;
        var reward = new RewardResult
        {
            Total = outcome,
            Correct = e.Success,
            StepRewards = steps,
            Failed = failed,
            FailureReason = e.Failure ?? (e.Success ? null : e.EndedByEnvironment ? "the episode ended without reaching the goal" : "out of turns (env.max_turns)"),
            Components = new Dictionary<string, double>
            {
                ["outcome"] = outcome,
                ["steps"] = steps.Sum(),
                ["turns"] = e.Turns.Count,
                ["success"] = e.Success ? 1 : 0,
            },
        };
        var finish = e.Turns.Count > 0 && e.Turns[^1].Truncated && !e.EndedByEnvironment ? Rewire.Core.Rewards.FinishReason.Length : Rewire.Core.Rewards.FinishReason.Stop;
        return new RolloutRecord(e.Prompt, e.PromptTokens, tokens, logProbs, entropies, finish, e.Transcript(), reward,
            accumulate ? outcome + steps.Sum() : outcome)
        {
            TokenMask = mask,
            StepRewards = steps,
            TurnEnds = e.Turns.Select(t => Math.Max(0, t.End)).ToArray(),
            Episode = e,
        };
    }

    /// <summary>
    /// The agent's figures over every episode of this step: agent/success_rate, agent/mean_turns, agent/reward_per_turn
    /// (mean step reward per turn), agent/step_reward_total (mean Σ_t r_low,t per episode, the environment's step rewards
    /// before any shaper), agent/failed_step_reward (the same over the episodes that did not reach their goal: step
    /// rewards farmed without success), agent/truncated_turns (share of actions cut by rl.max_new_tokens), agent/tool_calls
    /// (per episode) and agent/tool_call_validity (share of tool calls that parsed and named a known tool), env/failures,
    /// env/timeouts.
    /// </summary>
    public Dictionary<string, double> AgentMetrics()
    {
        var m = new Dictionary<string, double>(StringComparer.Ordinal);
        int n = _episodes.Count, turns = _episodes.Sum(e => e.Turns.Count);
        m["agent/success_rate"] = n == 0 ? 0 : _episodes.Count(e => e.Success) / (double)n;
        m["agent/mean_turns"] = n == 0 ? 0 : turns / (double)n;
        m["agent/reward_per_turn"] = turns == 0 ? 0 : _episodes.Sum(e => e.Turns.Sum(t => t.Reward)) / turns;
        m["agent/step_reward_total"] = n == 0 ? 0 : _episodes.Sum(e => e.Turns.Sum(t => t.Reward)) / n;
        var failed = _episodes.Where(e => !e.Success).ToArray();
        m["agent/failed_step_reward"] = failed.Length == 0 ? 0 : failed.Sum(e => e.Turns.Sum(t => t.Reward)) / failed.Length;
        m["agent/truncated_turns"] = turns == 0 ? 0 : _episodes.Sum(e => e.Turns.Count(t => t.Truncated)) / (double)turns;
        // Tool use (environments with tools): calls made, and the share that parsed and named a known tool.
        double calls = _episodes.Sum(e => e.Turns.Sum(t => t.Components?.GetValueOrDefault("tool_call") ?? 0));
        double valid = _episodes.Sum(e => e.Turns.Sum(t => t.Components?.GetValueOrDefault("tool_call_valid") ?? 0));
        m["agent/tool_calls"] = n == 0 ? 0 : calls / n;
        m["agent/tool_call_validity"] = calls == 0 ? 0 : valid / calls;
                m["env/failures"] = runner.Failures;
        m["env/timeouts"] = runner.Timeouts;
        return m;
    }
}
