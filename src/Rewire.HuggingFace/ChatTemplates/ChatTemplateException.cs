namespace Rewire.HuggingFace.ChatTemplates;

/// <summary>A chat template that cannot be parsed or fails while rendering (a syntax error, an unknown filter or test,
/// <c>raise_exception</c>, an undefined value used in an operation). The message names the template's source and line
/// and gives the reason; a command reports it as bad input (exit code 2).</summary>
public sealed class ChatTemplateException(string source, int line, string reason)
    : HuggingFaceInputException($"{source}: chat template line {line}: {reason}")
{
    /// <summary>Where the template came from (a file path, or "tokenizer_config.json chat_template").</summary>
    public string TemplateSource { get; } = source;

    /// <summary>The 1-based line of the template where parsing or rendering failed.</summary>
    public int Line { get; } = line;

    /// <summary>Why, without the location.</summary>
    public string Reason { get; } = reason;
}

/// <summary>Raised inside the interpreter; <see cref="JinjaTemplate"/> adds the template's source and turns it into a
/// <see cref="ChatTemplateException"/>.</summary>
internal sealed class TemplateError(int line, string reason) : Exception(reason)
{
    public int Line { get; } = line;
    public string Reason { get; } = reason;
}

/// <summary>An error raised by a value operation before the line is known; the interpreter attaches the line.</summary>
internal sealed class TemplateRuntimeError(string reason) : Exception(reason);
