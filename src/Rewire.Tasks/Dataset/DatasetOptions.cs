namespace Rewire.Tasks.Dataset;

/// <summary>The <c>task.*</c> settings of the <c>dataset</c> task: which file, which fields, which verifier, which split.</summary>
public sealed record DatasetOptions
{
    /// <summary>The JSONL (<c>.jsonl</c>, <c>.json</c>) or Parquet (<c>.parquet</c>) file (<c>task.path</c>).</summary>
    public required string Path { get; init; }

    /// <summary>The prompt text field (<c>task.prompt_field</c>). <value>The default value is "prompt".</value></summary>
    public string PromptField { get; init; } = "prompt";

    /// <summary>The chat messages field, a list of {role, content} (<c>task.messages_field</c>); used when a record has no prompt. <value>The default value is "messages".</value></summary>
    public string MessagesField { get; init; } = "messages";

    /// <summary>The reference answer field (<c>task.answer_field</c>). <value>The default value is "answer".</value></summary>
    public string AnswerField { get; init; } = "answer";

    /// <summary>The unit tests field of code records, a list of Python sources (<c>task.tests_field</c>). <value>The default value is "tests".</value></summary>
    public string TestsField { get; init; } = "tests";

    /// <summary>The optional domain field (<c>task.domain_field</c>). <value>The default value is "domain".</value></summary>
    public string DomainField { get; init; } = "domain";

    /// <summary>The optional difficulty field, an integer 1..10 (<c>task.difficulty_field</c>). <value>The default value is "difficulty".</value></summary>
    public string DifficultyField { get; init; } = "difficulty";

    /// <summary>The optional split field, "train" or "test" (<c>task.split_field</c>). <value>The default value is "split".</value></summary>
    public string SplitField { get; init; } = "split";

    /// <summary>exact, numeric, math, regex or code (<c>task.verifier</c>). <value>The default value is "exact".</value></summary>
    public string Verifier { get; init; } = "exact";

    /// <summary>Relative and absolute tolerance of the numeric and math verifiers (<c>task.tolerance</c>). <value>The default value is 1e-6.</value></summary>
    public double Tolerance { get; init; } = 1e-6;

    /// <summary>The regex verifier's pattern, with a capture group (named <c>answer</c>, or the first) holding the answer (<c>task.pattern</c>).</summary>
    public string Pattern { get; init; } = "";

    /// <summary>Share of the records held out for testing when the file has no split column (<c>task.test_fraction</c>). <value>The default value is 0.2.</value></summary>
    public double TestFraction { get; init; } = 0.2;

    /// <summary>The seed of the train/test shuffle (<c>task.split_seed</c>); fixed so every run seed sees the same split. <value>The default value is 0.</value></summary>
    public int SplitSeed { get; init; }

    /// <summary>Most distinct characters a dataset may use with the character tokenizer (<c>task.max_alphabet</c>). <value>The default value is 512.</value></summary>
    public int MaxAlphabet { get; init; } = 512;
}
