// A text environment seen as a task, so the trainer's data side (pools, samplers, splits, the character tokenizer, the
// warm start) works unchanged: a prompt is a start state (the environment's seed and its first observation); the G
// rollouts of a prompt are G episodes from that same start state. The task's verifier replays a whole episode written
// as one completion (actions separated by newlines, open loop): the single-turn baseline of the multi-turn trainer.
using System.Globalization;
using Rewire.Core.Rewards;
using Rewire.Tasks.Common;

namespace Rewire.Tasks.Environments;

/// <summary>One turn of a scripted or replayed episode: the action and what the environment answered.</summary>
/// <param name="Action">The action text.</param>
/// <param name="Step">The environment's answer.</param>
public sealed record EnvironmentTurn(string Action, EnvironmentStep Step);

/// <summary>Start states of a text environment as the prompts of a task.</summary>
public sealed class EnvironmentTask : ITask
{
    private readonly Func<ITextEnvironment> _factory;

    /// <param name="name">The environment's registry name.</param>
    /// <param name="factory">Makes a fresh environment (one per episode).</param>
    /// <param name="maxTurns">Turns per episode at most (the trainer's env.max_turns).</param>
    public EnvironmentTask(string name, Func<ITextEnvironment> factory, int maxTurns)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTurns, 1);
        Name = name;
        _factory = factory;
        MaxTurns = maxTurns;
        var env = factory();
        Alphabet = new string(env.Alphabet.Concat(EpisodeFormat.Characters).Distinct().Order().ToArray());
        Verifier = new OpenLoopVerifier(this);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Turns per episode at most.</summary>
    public int MaxTurns { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> Domains => [Name];

    /// <inheritdoc />
    public int MaxDifficulty => 1;

    /// <inheritdoc />
    public string Alphabet { get; }

    /// <inheritdoc />
    public IRewardFunction Verifier { get; }

    /// <summary>A fresh environment.</summary>
    public ITextEnvironment Create() => _factory();

    /// <summary>The environment seed of a start state (train and test seeds are drawn from disjoint streams).</summary>
    public static int SeedOf(Prompt prompt) => int.Parse(prompt.Meta("env_seed"), CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public Prompt Generate(Split split, int seed, int index, int difficulty = 1)
    {
        int envSeed = TaskRandom.Mix(seed, index, split == Split.Train ? 0x7A1 : 0x7E5, 0xE9);
        var first = Create().Reset(envSeed);
        return new Prompt($"{Name}-{(split == Split.Train ? "train" : "test")}-{index.ToString(CultureInfo.InvariantCulture)}", Name, Name,
            EpisodeFormat.Prompt(first), null, 1, new Dictionary<string, string> { ["env_seed"] = envSeed.ToString(CultureInfo.InvariantCulture) });
    }

    /// <inheritdoc />
    public IReadOnlyList<Prompt> GenerateMany(Split split, int seed, int count, int difficulty = 1) =>
        Enumerable.Range(0, count).Select(i => Generate(split, seed, i, difficulty)).ToArray();

    /// <summary>The scripted expert's episode from <paramref name="prompt"/>'s start state (mistakes with probability <paramref name="errorRate"/> per turn).</summary>
    public IReadOnlyList<EnvironmentTurn> ScriptedEpisode(Prompt prompt, double errorRate, Random random)
    {
        var env = Create();
        env.Reset(SeedOf(prompt));
        var turns = new List<EnvironmentTurn>();
        for (int t = 0; t < MaxTurns; t++)
        {
            var action = env.Demonstrate(errorRate, random);
            var step = env.Step(action);
            turns.Add(new EnvironmentTurn(action, step));
            if (step.Done) break;
        }
        return turns;
    }

    /// <summary>The scripted episode's actions as one completion (the open-loop form the verifier replays).</summary>
    public string Demonstrate(Prompt prompt, double errorRate, Random random) =>
        string.Join(EpisodeFormat.ActionSeparator, ScriptedEpisode(prompt, errorRate, random).Select(t => t.Action));

    /// <summary>Replays actions from the start state; the turns taken (it stops at the end of the episode or of the actions).</summary>
    public IReadOnlyList<EnvironmentTurn> Replay(Prompt prompt, IEnumerable<string> actions)
    {
        var env = Create();
        env.Reset(SeedOf(prompt));
        var turns = new List<EnvironmentTurn>();
        foreach (var action in actions.Take(MaxTurns))
        {
            var step = env.Step(action);
            turns.Add(new EnvironmentTurn(action, step));
            if (step.Done) break;
        }
        return turns;
    }

    /// <summary>Whether an episode that ended with <paramref name="last"/> reached its goal.</summary>
    public static bool Succeeded(EnvironmentStep? last) => last is { Done: true } && (last.Success ?? last.Outcome > 0);

    /// <summary>Scores a completion as a whole episode written in advance: R = outcome + Σ step rewards, correct on success.</summary>
    private sealed class OpenLoopVerifier(EnvironmentTask task) : IRewardFunction
    {
        public string Name => "correct";

        public RewardResult Score(Rollout rollout)
        {
            var actions = rollout.Completion.Split(EpisodeFormat.ActionSeparator);
            var turns = task.Replay(rollout.Prompt, actions);
            var last = turns.Count == 0 ? null : turns[^1];
            double outcome = last?.Step.Outcome ?? 0;
            var steps = turns.Select(t => t.Step.Reward).ToArray();
            bool success = Succeeded(last?.Step);
            return new RewardResult
            {
                Total = outcome + steps.Sum(),
                Correct = success,
                StepRewards = steps,
                Components = new Dictionary<string, double> { ["correct"] = success ? 1 : 0, ["outcome"] = outcome, ["steps"] = steps.Sum() },
                FailureReason = success ? null : "the episode did not reach its goal",
            };
        }
    }
}
