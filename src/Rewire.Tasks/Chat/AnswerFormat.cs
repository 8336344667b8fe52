using Rewire.Core.Verifiers;

namespace Rewire.Tasks.Chat;

/// <summary>How a completion marks its final answer (<c>task.format</c>).</summary>
public enum AnswerFormat
{
    /// <summary>The completion is the answer (what the small character-level models are trained to write).</summary>
    Plain,
    /// <summary>The final answer inside <c>\boxed{...}</c>, as math-trained instruct models write it.</summary>
    Boxed,
    /// <summary>The final answer between <c>&lt;answer&gt;</c> and <c>&lt;/answer&gt;</c> (the DeepSeek-R1 format).</summary>
    AnswerTag,
}

/// <summary>What each <see cref="AnswerFormat"/> asks for, how an answer is written in it, and how it is read back.</summary>
public static class AnswerFormats
{
    /// <summary>The names accepted by <c>task.format</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["plain", "boxed", "answer_tag"];

    /// <summary>The format named <paramref name="name"/>; an unknown name throws with the valid names.</summary>
    public static AnswerFormat Parse(string name) => name switch
    {
        "plain" => AnswerFormat.Plain,
        "boxed" => AnswerFormat.Boxed,
        "answer_tag" => AnswerFormat.AnswerTag,
        _ => throw new ArgumentException($"'task.format' = '{name}' is not a format; use one of: {string.Join(", ", Names)}"),
    };

    /// <summary>The instruction appended to the system message.</summary>
    public static string Instruction(AnswerFormat format) => format switch
    {
        AnswerFormat.Plain => "Reply with the answer only.",
        AnswerFormat.Boxed => "Reason step by step, then put the final answer in \\boxed{}.",
        AnswerFormat.AnswerTag => "Reason step by step, then write the final answer between <answer> and </answer>.",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    /// <summary>A reference answer written in the format (a demonstration).</summary>
    public static string Render(AnswerFormat format, string answer) => format switch
    {
        AnswerFormat.Plain => answer,
        AnswerFormat.Boxed => "\\boxed{" + answer + "}",
        AnswerFormat.AnswerTag => "<answer>" + answer + "</answer>",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    /// <summary>
    /// The answer a completion gives in the format (linear time, never throws): the whole completion for
    /// <see cref="AnswerFormat.Plain"/>, the last completed <c>\boxed{}</c> (nested braces balanced) or the last
    /// <c>&lt;answer&gt;</c> pair otherwise.
    /// </summary>
    public static ExtractedAnswer Extract(AnswerFormat format, string? completion) => format switch
    {
        AnswerFormat.Plain => string.IsNullOrEmpty(completion) ? ExtractedAnswer.None("empty completion") : ExtractedAnswer.Of(completion, AnswerSource.Whole),
        AnswerFormat.Boxed => AnswerExtractor.Boxed(completion),
        AnswerFormat.AnswerTag => AnswerExtractor.Tag(completion),
        _ => ExtractedAnswer.None($"unknown answer format {format}"),
    };

    /// <summary>The chat form: a system message (<paramref name="system"/> or the task's instruction, then the format's instruction) and the conversation.</summary>
    public static ChatForm Form(AnswerFormat format, string instruction, string? system, IReadOnlyList<ChatMessage> conversation)
    {
        string head = string.IsNullOrWhiteSpace(system) ? instruction : system;
        var messages = new List<ChatMessage>(conversation.Count + 1);
        var own = conversation.Where(m => m.Role == "system").Select(m => m.Content).ToList();
        messages.Add(new ChatMessage("system", string.Join("\n\n", [head, .. own, Instruction(format)])));
        messages.AddRange(conversation.Where(m => m.Role != "system"));
        return new ChatForm(messages, format);
    }
}
