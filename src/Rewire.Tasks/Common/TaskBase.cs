using Rewire.Core.Rewards;
using Rewire.Tasks.Chat;

namespace Rewire.Tasks.Common;

/// <summary>
/// The shared machinery of a task suite: argument checks, seeded rejection sampling into the requested split, prompt ids,
/// and a verifier wrapper that rejects over-long or non-ASCII text before the task's own parser sees it.
/// </summary>
public abstract class TaskBase : IChatTask
{
    private const int MaxAttempts = 100_000;

    /// <summary>Creates the task with its length- and character-checking verifier wrapper.</summary>
    protected TaskBase() => Verifier = new TaskVerifier(this);

    /// <inheritdoc />
    public abstract string Name { get; }
    /// <inheritdoc />
    public abstract IReadOnlyList<string> Domains { get; }
    /// <inheritdoc />
    public abstract int MaxDifficulty { get; }
    /// <inheritdoc />
    public abstract string Alphabet { get; }
    /// <summary>Grades completions: over-long or non-ASCII text gets zero with a reason before the task's own parser (<see cref="Check"/>) runs.</summary>
    public IRewardFunction Verifier { get; }

    /// <summary>Plain: the verifier reads the whole completion (wrap the task in <see cref="FormattedTask"/> for another format).</summary>
    public AnswerFormat Format => AnswerFormat.Plain;

    /// <summary>What the task asks, in words, for the system message of its chat form.</summary>
    protected abstract string Instruction { get; }

    /// <summary>A system message with the task's instruction, and the prompt text as the user's turn.</summary>
    public ChatForm Chat(Prompt prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        CheckOwn(prompt);
        return AnswerFormats.Form(AnswerFormat.Plain, Instruction, null, [new ChatMessage("user", prompt.Text)]);
    }

    /// <summary>The longest completion (after trimming) the verifier will parse; longer text gets zero.</summary>
    protected abstract int MaxCompletionLength { get; }

    /// <summary>Draws one candidate problem of the given difficulty.</summary>
    protected abstract Problem Create(Random random, int difficulty);

    /// <summary>Grades an already trimmed, length-checked, printable-ASCII completion.</summary>
    protected abstract RewardResult Check(Prompt prompt, string completion);

    /// <summary>A plausible wrong answer in the verifier's format.</summary>
    protected abstract string Corrupt(Prompt prompt, Random random);

    /// <summary>The component names every result of this verifier carries (for documentation and tests).</summary>
    public virtual IReadOnlyList<string> ComponentNames => ["format", "correct"];

    /// <inheritdoc />
    public Prompt Generate(Split split, int seed, int index, int difficulty = 1)
    {
        CheckDifficulty(difficulty);
        if (index < 0) throw new ArgumentOutOfRangeException(nameof(index), index, "index must be 0 or more");
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var random = new Random(TaskRandom.Mix(seed, index, attempt, difficulty, (long)TaskRandom.Hash(Name)));
            var p = Create(random, difficulty);
            if (SplitAssignment.Of(Name, p.Canonical) != split) continue;
            return new Prompt(
                Id: $"{Name}/{split.ToString().ToLowerInvariant()}/d{difficulty}/s{seed}/i{index}",
                Task: Name,
                Domain: p.Domain,
                Text: p.Text,
                Answer: p.Answer,
                Difficulty: difficulty,
                Metadata: p.Metadata);
        }
        throw new InvalidOperationException($"task '{Name}' found no {split} problem at difficulty {difficulty} in {MaxAttempts} attempts");
    }

    /// <inheritdoc />
    public IReadOnlyList<Prompt> GenerateMany(Split split, int seed, int count, int difficulty = 1)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "count must be 0 or more");
        var list = new Prompt[count];
        for (var i = 0; i < count; i++) list[i] = Generate(split, seed, i, difficulty);
        return list;
    }

    /// <inheritdoc />
    public string Demonstrate(Prompt prompt, double errorRate, Random random)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(random);
        CheckOwn(prompt);
        if (!(errorRate >= 0 && errorRate <= 1))
            throw new ArgumentOutOfRangeException(nameof(errorRate), errorRate, "errorRate must be in [0, 1]");
        if (prompt.Answer is null) throw new ArgumentException($"prompt {prompt.Id} has no reference answer", nameof(prompt));
        return errorRate > 0 && random.Chance(errorRate) ? Corrupt(prompt, random) : prompt.Answer;
    }

    private void CheckDifficulty(int difficulty)
    {
        if (difficulty < 1 || difficulty > MaxDifficulty)
            throw new ArgumentOutOfRangeException(nameof(difficulty), difficulty, $"task '{Name}' has difficulty levels 1..{MaxDifficulty}");
    }

    private void CheckOwn(Prompt prompt)
    {
        if (prompt.Task != Name)
            throw new ArgumentException($"prompt {prompt.Id} belongs to task '{prompt.Task}', not '{Name}'; score it with that task's verifier", nameof(prompt));
    }

    private sealed class TaskVerifier(TaskBase task) : IRewardFunction
    {
        public string Name => task.Name;

        public RewardResult Score(Rollout rollout)
        {
            ArgumentNullException.ThrowIfNull(rollout);
            task.CheckOwn(rollout.Prompt);
            var text = CompletionText.Normalize(rollout.Completion, task.MaxCompletionLength, out var reason);
            if (text is null) return Malformed(reason!);
            return task.Check(rollout.Prompt, text);
        }

        private RewardResult Malformed(string reason)
        {
            var c = new Dictionary<string, double>();
            foreach (var n in task.ComponentNames) c[n] = 0;
            return new RewardResult { Total = 0, Correct = false, Components = c, FailureReason = reason };
        }
    }
}
