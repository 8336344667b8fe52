using Rewire.Core.Rewards;

namespace Rewire.Tasks.Chat;

/// <summary>
/// A task whose answers are written in an <see cref="AnswerFormat"/> other than plain: its verifier first reads the
/// answer out of the format (no answer in the format gets zero with the reason, and the inner verifier's components
/// at zero), then grades that answer with the inner task's verifier; its demonstrations are written in the format; its
/// alphabet adds the format's characters. Prompts, splits and domains are the inner task's.
/// </summary>
public sealed class FormattedTask : IChatTask
{
    private readonly ITask _inner;
    private readonly string? _system;

    /// <summary>Wraps <paramref name="inner"/> so its answers are written in <paramref name="format"/>.</summary>
    /// <param name="inner">The task whose prompts, splits and verifier are used.</param>
    /// <param name="format">How the answer is written in the completion (tags, boxed, JSON, ...).</param>
    /// <param name="system">An extra system message for the chat form, or null.</param>
    public FormattedTask(ITask inner, AnswerFormat format, string? system = null)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        Format = format;
        _system = system;
        var chars = new SortedSet<char>(inner.Alphabet);
        foreach (var c in AnswerFormats.Render(format, "")) chars.Add(c);
        Alphabet = string.Concat(chars);
        Verifier = new FormatVerifier(this);
    }

    /// <summary>The task this one formats.</summary>
    public ITask Inner => _inner;

    /// <summary>The format answers are written in.</summary>
    public AnswerFormat Format { get; }
    /// <summary>The inner task's name.</summary>
    public string Name => _inner.Name;
    /// <summary>The inner task's domains.</summary>
    public IReadOnlyList<string> Domains => _inner.Domains;
    /// <summary>The inner task's highest difficulty.</summary>
    public int MaxDifficulty => _inner.MaxDifficulty;
    /// <summary>The inner task's alphabet plus the characters of the format.</summary>
    public string Alphabet { get; }
    /// <summary>Reads the answer out of the format, then grades it with the inner task's verifier.</summary>
    public IRewardFunction Verifier { get; }

    /// <inheritdoc />
    public Prompt Generate(Split split, int seed, int index, int difficulty = 1) => _inner.Generate(split, seed, index, difficulty);

    /// <inheritdoc />
    public IReadOnlyList<Prompt> GenerateMany(Split split, int seed, int count, int difficulty = 1) => _inner.GenerateMany(split, seed, count, difficulty);

    /// <summary>The inner task's demonstration, rendered in <see cref="Format"/>.</summary>
    public string Demonstrate(Prompt prompt, double errorRate, Random random) =>
        AnswerFormats.Render(Format, _inner.Demonstrate(prompt, errorRate, random));

    /// <inheritdoc />
    public ChatForm Chat(Prompt prompt)
    {
        var plain = _inner is IChatTask chat ? chat.Chat(prompt) : AnswerFormats.Form(AnswerFormat.Plain, "", null, [new ChatMessage("user", prompt.Text)]);
        // Replace the plain form's format instruction (the last paragraph of its system message) by this format's.
        var conversation = plain.Messages.Skip(1).ToList();
        string system = plain.Messages[0].Content;
        string instruction = system.EndsWith(AnswerFormats.Instruction(AnswerFormat.Plain), StringComparison.Ordinal)
            ? system[..^AnswerFormats.Instruction(AnswerFormat.Plain).Length].TrimEnd()
            : system;
        return AnswerFormats.Form(Format, instruction, _system, conversation);
    }

    private sealed class FormatVerifier(FormattedTask task) : IRewardFunction
    {
        public string Name => task.Name;

        public RewardResult Score(Rollout rollout)
        {
            ArgumentNullException.ThrowIfNull(rollout);
            var answer = AnswerFormats.Extract(task.Format, rollout.Completion);
            if (answer.Found) return task._inner.Verifier.Score(rollout with { Completion = answer.Value });
            // The inner verifier's components, all zero: the same names whatever the completion.
            var zero = task._inner.Verifier.Score(rollout with { Completion = "" });
            return new RewardResult
            {
                Total = 0,
                Correct = false,
                Components = zero.Components.ToDictionary(kv => kv.Key, _ => 0.0),
                FailureReason = answer.Reason,
            };
        }
    }
}
