using Rewire.Tasks.Chat;
using Rewire.Tasks.Dataset;

namespace Rewire.Tasks;

/// <summary>What a configured task is built from besides its name: the answer format and, for the dataset task, its file and fields.</summary>
public sealed record TaskSettings
{
    /// <summary>The answer format (task.format). <value>The default value is <see cref="AnswerFormat.Plain"/>.</value></summary>
    public AnswerFormat Format { get; init; } = AnswerFormat.Plain;

    /// <summary>A system message that replaces the task's instruction in its chat form (task.system); empty: the task's own.</summary>
    public string System { get; init; } = "";

    /// <summary>The dataset task's settings; null for the generated tasks.</summary>
    public DatasetOptions? Dataset { get; init; }

    /// <summary>No dataset, plain answers.</summary>
    public static TaskSettings Default { get; } = new();
}
