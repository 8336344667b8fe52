// Mobile-R1's action-level stage ("Mobile-R1: Towards Interactive Reinforcement Learning for VLM-Based Mobile Agent via
// Task-Level Rewards", stage 2: single-step online training with action-level rewards) as a rollout collector. One round:
//
//   for each start state x:
//       s, a*   <- the environment's scripted expert rolled to a random prefix of its trajectory (ExpertPrefix)
//       G rows  <- G single next-turn actions sampled from the policy at s (the context is the row's prompt: the prefix's
//                  actions and observations are never trained; the sampled action and its end-of-turn token are)
//       reward  <- R_action = w_f·R_Fmt + w_a·R_Act (ActionLevelReward); correct = R_Act
//   groups    <- one GroupOutcome per start state: GRPO normalises R_action within the G actions of a state
//
// The expert roll-out runs under the environment guard (one guarded call per start state); a call that throws or hangs
// gives its group reward.failure_value and is counted, as a failed episode is.
using System.Diagnostics;
using Rewire.Classic.Control;
using Rewire.Core.Rewards;
using Rewire.Core.Sampling;
using Rewire.Tasks.Environments;
using Rewire.Torch.Generation;
using Rewire.Torch.Models;
using Rewire.Torch.Tokenizers;
using TorchSharp;

namespace Rewire.Torch.Training;

/// <summary>The settings of Mobile-R1's action-level stage.</summary>
/// <param name="GroupSize">G: actions sampled per state.</param>
/// <param name="FailureValue">The reward of a row whose expert roll-out failed (reward.failure_value).</param>
/// <param name="FormatWeight">w_f, the weight of R_Fmt (1 in the paper).</param>
/// <param name="ActionWeight">w_a, the weight of R_Act (1 in the paper).</param>
/// <param name="MaxContext">The model's context (a prefix is shortened so that the next action fits).</param>
internal sealed record ActionLevelSettings(int GroupSize, double FailureValue, double FormatWeight, double ActionWeight, int MaxContext);

/// <summary>Collects groups of single next-turn actions at states of the environment's expert trajectories.</summary>
internal sealed class ActionLevelCollector(IPolicy policy, ITokenizer tokenizer, IEpisodeFormat format, EnvironmentTask task,
    GenerationOptions generation, EnvironmentCallGuard guard, ActionLevelSettings settings, Random prefixes) : IRolloutCollector
{
    private readonly Dictionary<GroupOutcome, RolloutRecord[]> _rollouts = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, double> _metrics = new(StringComparer.Ordinal);
    private double _format, _match, _prefix;
    private int _rows, _states;

    /// <inheritdoc />
    public TimeSpan GenerateTime { get; private set; }

    /// <inheritdoc />
    public TimeSpan ScoreTime { get; private set; }

    /// <inheritdoc />
    public long GeneratedTokens { get; private set; }

    /// <inheritdoc />
    public int RewardFailures { get; private set; }

    /// <inheritdoc />
    public Dictionary<string, (int Changed, int Total)> ShapingCounts { get; } = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> RolloutMetrics => _metrics;

    /// <inheritdoc />
    public IReadOnlyList<RolloutRecord> RolloutsOf(GroupOutcome group) => _rollouts[group];

    /// <summary>
    /// The stage's figures over this step's rows: mobile_r1/action_match (mean R_Act), mobile_r1/format (mean R_Fmt),
    /// mobile_r1/prefix_turns (mean k of the states).
    /// </summary>
    public Dictionary<string, double> StageMetrics() => new(StringComparer.Ordinal)
    {
        ["mobile_r1/action_match"] = _rows == 0 ? 0 : _match / _rows,
        ["mobile_r1/format"] = _rows == 0 ? 0 : _format / _rows,
        ["mobile_r1/prefix_turns"] = _states == 0 ? 0 : _prefix / _states,
    };

    /// <inheritdoc />
    public IReadOnlyList<GroupOutcome> Collect(IReadOnlyList<Prompt> prompts, torch.Generator generator)
    {
        Rewire.Core.Runs.KillPoint.Reached("generate");
        var clock = Stopwatch.StartNew();
        int g = settings.GroupSize;
        var states = new ExpertState?[prompts.Count];
        var failures = new string?[prompts.Count];
        for (int p = 0; p < prompts.Count; p++)
        {
            var start = prompts[p];
            // One draw per start state, made before the guarded call so that a failed call does not shift the others' prefixes.
            int draw = prefixes.Next();
            try
            {
                if (guard.TryCall(() => ExpertPrefix.Sample(task, start, format, new Random(draw), settings.MaxContext, generation.MaxNewTokens), out var state))
                {
                    states[p] = state;
                    _states++;
                    _prefix += state.PrefixTurns;
                }
                else
                {
                    guard.ThrowIfAtLimit($"environment '{task.Name}' expert");
                    failures[p] = $"environment '{task.Name}' expert roll-out ran past its time budget";
                }
            }
            catch (EnvironmentHangException) { throw; }
            catch (Exception e) { failures[p] = $"environment '{task.Name}' expert roll-out failed: {e.GetType().Name}: {e.Message}"; }
            if (failures[p] is not null) RewardFailures++;
        }
        ScoreTime += clock.Elapsed;

        clock.Restart();
        var live = Enumerable.Range(0, prompts.Count).Where(p => states[p] is not null).ToArray();
        var contexts = live.SelectMany(p => Enumerable.Repeat((IReadOnlyList<int>)states[p]!.Context, g)).ToArray();
        var produced = new List<GeneratedSequence>(contexts.Length);
        for (int s = 0; s < contexts.Length; s += EpisodeRunner.GenerationBatch)
            produced.AddRange(policy.Generate(contexts[s..Math.Min(contexts.Length, s + EpisodeRunner.GenerationBatch)], generation, generator));
        GeneratedTokens += produced.Sum(q => (long)q.Tokens.Length);
        GenerateTime += clock.Elapsed;

        clock.Restart();
        var outcomes = new List<GroupOutcome>(prompts.Count);
        int next = 0;
        for (int p = 0; p < prompts.Count; p++)
        {
            var rows = states[p] is { } state
                ? Enumerable.Range(0, g).Select(_ => Row(prompts[p], state, produced[next++])).ToArray()
                : Enumerable.Range(0, g).Select(_ => FailedRow(prompts[p], failures[p]!)).ToArray();
            var outcome = new GroupOutcome(prompts[p], rows.Select(r => r.ShapedReward).ToArray(), rows.Select(r => r.Correct).ToArray());
            _rollouts[outcome] = rows;
            outcomes.Add(outcome);
        }
        ScoreTime += clock.Elapsed;
        return outcomes;
    }

    private RolloutRecord Row(Prompt prompt, ExpertState state, GeneratedSequence seq)
    {
        string action = tokenizer.Decode(seq.Tokens.Where(t => t != tokenizer.EosId));
        bool finished = seq.Finish == FinishReason.Stop;
        var score = ActionLevelReward.Score(state.Environment, action, finished, state.ExpertAction, settings.FormatWeight, settings.ActionWeight);
        _rows++;
        _format += score.Format;
        _match += score.Action;
        var reward = new RewardResult
        {
            Total = score.Total,
            Correct = score.Action > 0,
            FailureReason = score.Action > 0 ? null : $"expert's action '{state.ExpertAction}'",
            Components = new Dictionary<string, double>
            {
                ["format"] = score.Format,
                ["action_match"] = score.Action,
                ["prefix_turns"] = state.PrefixTurns,
            },
        };
        return new RolloutRecord(prompt, state.Context, seq.Tokens, seq.LogProbs, seq.Entropies, seq.Finish, action, reward, score.Total);
    }

    private RolloutRecord FailedRow(Prompt prompt, string failure)
    {
        // No state to act in: one untrained end token keeps the row well-formed (no gradient reaches it), as for an episode whose reset failed.
        var reward = new RewardResult
        {
            Total = settings.FailureValue,
            Correct = false,
            Failed = true,
            FailureReason = failure,
            Components = new Dictionary<string, double> { ["format"] = 0, ["action_match"] = 0 },
        };
        return new RolloutRecord(prompt, format.Start(prompt, task.Create()).PromptTokens, [tokenizer.EosId], [0f], [0f], FinishReason.Stop, "", reward, settings.FailureValue)
        {
            TokenMask = [0f],
        };
    }
}
