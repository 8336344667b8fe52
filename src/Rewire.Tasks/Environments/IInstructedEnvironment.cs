namespace Rewire.Tasks.Environments;

/// <summary>
/// A text environment that says in words how to act. The chat-template form of episodes (a Hugging Face chat model,
/// <c>model.path</c>) sends <see cref="Instructions"/> as the system message before the first observation; the small GPT's
/// character-level episodes do not use them (it learns the format from the scripted warm start).
/// </summary>
public interface IInstructedEnvironment : ITextEnvironment
{
    /// <summary>What the agent is asked to do and how to write an action.</summary>
    string Instructions { get; }
}
