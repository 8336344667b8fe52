using Rewire.Tasks.Chat;

namespace Rewire.Tasks.Preferences;

/// <summary>Which of the conventional preference-data forms a record was written in.</summary>
public enum PreferenceForm
{
    /// <summary><c>{"prompt": "...", "chosen": "...", "rejected": "..."}</c>.</summary>
    Paired,

    /// <summary>The same with chat messages: <c>prompt</c>, <c>chosen</c> and <c>rejected</c> as lists of <c>{role, content}</c> (or an implicit prompt: <c>chosen</c> and <c>rejected</c> as whole conversations sharing every turn but the last).</summary>
    Conversational,

    /// <summary><c>{"prompt": "...", "completion": "...", "label": true}</c>: one completion judged good or bad.</summary>
    Unpaired,
}

/// <summary>
/// One record of a preference file. A paired record has <see cref="Chosen"/> and <see cref="Rejected"/>; an unpaired one
/// has <see cref="Completion"/> and <see cref="Label"/>. <see cref="Prompt"/> is the text a plain-text policy is asked (for
/// a conversational record, the content of the last user turn; <see cref="PromptMessages"/> holds every turn). The optional
/// figures are what <c>rewire prefs make</c> writes beside a pair: each side's true utility and proxy feature.
/// </summary>
public sealed record PreferenceRecord
{
    /// <summary>The 1-based line of the file the record came from.</summary>
    public required int Line { get; init; }

    /// <summary>The form the record was written in.</summary>
    public required PreferenceForm Form { get; init; }

    /// <summary>The prompt text (never empty).</summary>
    public required string Prompt { get; init; }

    /// <summary>A conversational record's prompt turns; null for a plain-text record.</summary>
    public IReadOnlyList<ChatMessage>? PromptMessages { get; init; }

    /// <summary>The preferred completion of a paired record.</summary>
    public string? Chosen { get; init; }

    /// <summary>The dispreferred completion of a paired record.</summary>
    public string? Rejected { get; init; }

    /// <summary>The completion of an unpaired record.</summary>
    public string? Completion { get; init; }

    /// <summary>An unpaired record's judgement: true when the completion is desirable.</summary>
    public bool? Label { get; init; }

    /// <summary>The task prompt's identifier (<c>prompt_id</c>), when the data came from a task.</summary>
    public string? PromptId { get; init; }

    /// <summary>The chosen side's true utility (<c>chosen_utility</c>), when known.</summary>
    public double? ChosenUtility { get; init; }

    /// <summary>The rejected side's true utility (<c>rejected_utility</c>), when known.</summary>
    public double? RejectedUtility { get; init; }

    /// <summary>The chosen side's proxy feature (<c>chosen_proxy</c>), when the data has one.</summary>
    public double? ChosenProxy { get; init; }

    /// <summary>The rejected side's proxy feature (<c>rejected_proxy</c>), when the data has one.</summary>
    public double? RejectedProxy { get; init; }

    /// <summary>True for a chosen/rejected pair (plain or conversational).</summary>
    public bool IsPaired => Form != PreferenceForm.Unpaired;
}
