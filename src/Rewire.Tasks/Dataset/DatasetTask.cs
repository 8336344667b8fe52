using System.Globalization;
using System.Text.Json;
using Rewire.Core.Rewards;
using Rewire.Core.Verifiers;
using Rewire.Tasks.Chat;
using Rewire.Tasks.Sandbox;

namespace Rewire.Tasks.Dataset;

/// <summary>
/// A task read from your own file (<c>task.name=dataset task.path=FILE</c>): JSONL or Parquet records with a prompt
/// (or chat messages) and a reference answer, graded by the verifier task.verifier names. Every record is read and
/// checked when the task is built, so a bad file is refused (naming its line or row) before any training starts.
/// The prompts are the records themselves: a split holds what the file holds, in file order.
/// </summary>
public sealed class DatasetTask : IChatTask
{
    /// <summary>The registry name, <c>dataset</c>.</summary>
    public const string TaskName = "dataset";

    private const string MessagesKey = "messages";
    private readonly IReadOnlyList<Prompt> _train, _test;
    private readonly IReadOnlyList<string> _answers;

    /// <param name="options">The file, its columns, the verifier and the split; every record is read and checked here.</param>
    /// <param name="sandbox">Where the code verifier runs programs (default: a new <see cref="PythonSandbox"/>).</param>
    public DatasetTask(DatasetOptions options, Func<PythonSandbox>? sandbox = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        if (string.IsNullOrWhiteSpace(options.Path))
            throw new ArgumentException("task 'dataset' needs task.path=FILE, a .jsonl or .parquet file of records with a prompt (or messages) and an answer");
        if (!File.Exists(options.Path))
            throw new ArgumentException($"'task.path' = '{options.Path}' does not exist (relative paths are relative to the current directory)");
        if (!(options.TestFraction >= 0 && options.TestFraction < 1))
            throw new ArgumentException($"'task.test_fraction' = {options.TestFraction} must be at least 0 and below 1");
        if (options.MaxAlphabet < 1)
            throw new ArgumentException($"'task.max_alphabet' = {options.MaxAlphabet} must be at least 1");
        Verifier = DatasetVerifiers.Create(options, sandbox);

        var records = Read(options);
        if (records.Count == 0) throw new DatasetFormatException(options.Path, "file", "holds no records");
        if (options.Verifier == "numeric")
        {
            var bad = records.FirstOrDefault(r => !NumericAnswer.TryParse(r.Answer, out _));
            if (bad is not null)
                throw new DatasetFormatException(options.Path, bad.Location, $"answer '{bad.Answer}' is not a number, which the numeric verifier needs (use task.verifier=exact or math)");
        }
        var (train, test, how) = DatasetSplitter.Split(options.Path, records, options.TestFraction, options.SplitSeed);
        if (train.Count == 0) throw new DatasetFormatException(options.Path, "file", $"has no train records ({how}); add some or lower task.test_fraction");
        if (test.Count == 0) throw new DatasetFormatException(options.Path, "file", $"has no test records ({how}); set task.test_fraction above 0 or mark some records \"split\": \"test\"");

        Alphabet = DatasetAlphabet.Of(options.Path, records.Select(r => (r.Location, r.Prompt + "\n" + r.Answer)), options.MaxAlphabet);
        _train = train.Select(r => ToPrompt(r, Split.Train)).ToArray();
        _test = test.Select(r => ToPrompt(r, Split.Test)).ToArray();
        Domains = records.Select(r => r.Domain).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        MaxDifficulty = records.Max(r => r.Difficulty);
        _answers = records.Select(r => r.Answer).Distinct(StringComparer.Ordinal).ToArray();
        Summary = $"{System.IO.Path.GetFileName(options.Path)}: {records.Count} records, {train.Count} train and {test.Count} test (split {how}); "
            + $"{Domains.Count} domain(s), difficulty up to {MaxDifficulty}, verifier {options.Verifier}";
    }

    /// <summary>The options the task was built from.</summary>
    public DatasetOptions Options { get; }
    /// <inheritdoc />
    public string Name => TaskName;
    /// <inheritdoc />
    public IReadOnlyList<string> Domains { get; }
    /// <inheritdoc />
    public int MaxDifficulty { get; }
    /// <inheritdoc />
    public string Alphabet { get; }
    /// <inheritdoc />
    public IRewardFunction Verifier { get; }
    /// <summary>Plain: the configured verifier reads the answer out of the completion itself.</summary>
    public AnswerFormat Format => AnswerFormat.Plain;

    /// <summary>Record counts per split, how the split was made, and the verifier, for the run's log.</summary>
    public string Summary { get; }

    /// <summary>Every record of a split, in file order.</summary>
    public IReadOnlyList<Prompt> Prompts(Split split) => split == Split.Train ? _train : _test;

    /// <summary>The split's record number <paramref name="index"/> (modulo the split's size); seed and difficulty do not apply to a file.</summary>
    public Prompt Generate(Split split, int seed, int index, int difficulty = 1)
    {
        if (index < 0) throw new ArgumentOutOfRangeException(nameof(index), index, "index must be 0 or more");
        var list = Prompts(split);
        return list[index % list.Count];
    }

    /// <inheritdoc />
    public IReadOnlyList<Prompt> GenerateMany(Split split, int seed, int count, int difficulty = 1)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "count must be 0 or more");
        return Enumerable.Range(0, count).Select(i => Generate(split, seed, i, difficulty)).ToArray();
    }

    /// <summary>The record's answer, or with probability <paramref name="errorRate"/> another record's (a plausible wrong answer of the same kind); an integer answer with no other answer to borrow is moved by one.</summary>
    public string Demonstrate(Prompt prompt, double errorRate, Random random)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(random);
        if (!(errorRate >= 0 && errorRate <= 1)) throw new ArgumentOutOfRangeException(nameof(errorRate), errorRate, "errorRate must be in [0, 1]");
        string answer = prompt.Answer ?? throw new ArgumentException($"prompt {prompt.Id} has no reference answer", nameof(prompt));
        if (errorRate == 0 || random.NextDouble() >= errorRate) return answer;
        var others = _answers.Where(a => a != answer).ToArray();
        if (others.Length > 0) return others[random.Next(others.Length)];
        return long.TryParse(answer, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n) && n < long.MaxValue
            ? (n + 1).ToString(CultureInfo.InvariantCulture) : answer + answer[^1];
    }

    /// <summary>The record's own messages (a prompt-only record: one user message) after a system message with the answer format.</summary>
    public ChatForm Chat(Prompt prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var messages = prompt.Metadata is not null && prompt.Metadata.TryGetValue(MessagesKey, out var json)
            ? JsonSerializer.Deserialize<ChatMessage[]>(json) ?? [new ChatMessage("user", prompt.Text)]
            : [new ChatMessage("user", prompt.Text)];
        return AnswerFormats.Form(AnswerFormat.Plain, "Answer the user's question.", null, messages);
    }

    private Prompt ToPrompt(DatasetRecord r, Split split)
    {
        var meta = new Dictionary<string, string>
        {
            ["source"] = $"{System.IO.Path.GetFileName(Options.Path)} {r.Location}",
            [MessagesKey] = JsonSerializer.Serialize(r.Messages),
        };
        if (r.Tests is not null) meta[PythonCodeReward.TestsKey] = CodeTestsVerifier.Encode(r.Tests);
        return new Prompt(
            Id: $"{TaskName}/{split.ToString().ToLowerInvariant()}/{r.Location.Replace(' ', '-')}",
            Task: TaskName,
            Domain: r.Domain,
            Text: r.Prompt,
            Answer: r.Answer,
            Difficulty: r.Difficulty,
            Metadata: meta);
    }

    private static List<DatasetRecord> Read(DatasetOptions o)
    {
        var parser = new DatasetRecordParser(o) { RequiresTests = o.Verifier == "code" };
        string ext = System.IO.Path.GetExtension(o.Path).ToLowerInvariant();
        var records = ext switch
        {
            ".parquet" => ParquetDatasetReader.Read(o.Path, parser),
            ".jsonl" or ".json" or ".ndjson" => JsonlDatasetReader.Read(o.Path, parser),
            _ => throw new ArgumentException($"'task.path' = '{o.Path}': unknown file type '{ext}'; give a .jsonl (one JSON object per line) or .parquet file"),
        };
        return records.ToList();
    }
}
