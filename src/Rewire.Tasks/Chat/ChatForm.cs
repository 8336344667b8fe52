using Rewire.Core.Rewards;

namespace Rewire.Tasks.Chat;

/// <summary>One turn of a conversation: a role (<c>system</c>, <c>user</c> or <c>assistant</c>) and its text.</summary>
public sealed record ChatMessage(string Role, string Content);

/// <summary>
/// The chat form of a prompt, for an instruct model: the messages a chat template renders (a system message with the
/// task's instruction and the answer format, then the user's turns) and the format the verifier parses the answer in.
/// </summary>
public sealed record ChatForm(IReadOnlyList<ChatMessage> Messages, AnswerFormat Format);

/// <summary>A task that can present its prompts as chat messages besides its plain prompt text.</summary>
public interface IChatTask : ITask
{
    /// <summary>The format answers must be written in; the task's verifier parses exactly this format.</summary>
    AnswerFormat Format { get; }

    /// <summary>The chat form of one of this task's prompts.</summary>
    ChatForm Chat(Prompt prompt);
}
