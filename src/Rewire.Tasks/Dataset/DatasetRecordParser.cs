using System.Globalization;
using System.Text.Json;
using Rewire.Tasks.Chat;

namespace Rewire.Tasks.Dataset;

/// <summary>
/// Turns one record (a JSON object: a JSONL line, or a Parquet row converted to one) into a <see cref="DatasetRecord"/>,
/// or says exactly what is wrong with it: a missing field, a field of the wrong type, an empty prompt, no user turn.
/// </summary>
public sealed class DatasetRecordParser(DatasetOptions options)
{
    private static readonly HashSet<string> Roles = new(StringComparer.Ordinal) { "system", "user", "assistant" };

    /// <summary>Whether records must carry unit tests (the code verifier).</summary>
    public bool RequiresTests { get; init; }

    /// <summary>The record, or null with <paramref name="problem"/> set.</summary>
    public DatasetRecord? Parse(JsonElement record, string location, out string? problem)
    {
        problem = null;
        if (record.ValueKind != JsonValueKind.Object)
        {
            problem = $"a record must be a JSON object, not {Kind(record)}";
            return null;
        }
        string? prompt = null;
        IReadOnlyList<ChatMessage>? messages = null;
        if (Present(record, options.PromptField, out var p))
        {
            if (p.ValueKind != JsonValueKind.String) return Fail(out problem, $"field '{options.PromptField}' must be a string, not {Kind(p)}");
            prompt = p.GetString()!;
            messages = [new ChatMessage("user", prompt)];
        }
        else if (Present(record, options.MessagesField, out var m))
        {
            messages = Messages(m, out problem);
            if (messages is null) return null;
            prompt = messages.LastOrDefault(x => x.Role == "user")?.Content;
            if (prompt is null) return Fail(out problem, $"field '{options.MessagesField}' has no message with role 'user'; the last user turn is the prompt");
        }
        else
        {
            return Fail(out problem, $"no '{options.PromptField}' field and no '{options.MessagesField}' field; give the prompt as a string or the chat messages as a list of {{role, content}} (or set task.prompt_field / task.messages_field)");
        }
        if (string.IsNullOrWhiteSpace(prompt)) return Fail(out problem, "the prompt is empty");

        if (!Present(record, options.AnswerField, out var a))
            return Fail(out problem, $"no '{options.AnswerField}' field (the reference answer; set task.answer_field if it has another name)");
        string? answer = a.ValueKind switch
        {
            JsonValueKind.String => a.GetString(),
            JsonValueKind.Number => a.GetRawText(),
            _ => null,
        };
        if (answer is null) return Fail(out problem, $"field '{options.AnswerField}' must be a string or a number, not {Kind(a)}");
        if (string.IsNullOrWhiteSpace(answer)) return Fail(out problem, $"field '{options.AnswerField}' is empty");

        IReadOnlyList<string>? tests = null;
        if (Present(record, options.TestsField, out var t))
        {
            if (t.ValueKind != JsonValueKind.Array || t.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String))
                return Fail(out problem, $"field '{options.TestsField}' must be a list of strings (Python test sources), not {Kind(t)}");
            tests = t.EnumerateArray().Select(x => x.GetString()!).ToArray();
            if (tests.Count == 0 && RequiresTests) return Fail(out problem, $"field '{options.TestsField}' is an empty list; the code verifier needs at least one test");
        }
        else if (RequiresTests)
        {
            return Fail(out problem, $"no '{options.TestsField}' field; the code verifier needs a list of Python tests per record");
        }

        string domain = "default";
        if (Present(record, options.DomainField, out var d))
        {
            if (d.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(d.GetString()))
                return Fail(out problem, $"field '{options.DomainField}' must be a non-empty string, not {Kind(d)}");
            domain = d.GetString()!;
        }

        int difficulty = 1;
        if (Present(record, options.DifficultyField, out var f))
        {
            if (f.ValueKind != JsonValueKind.Number || !f.TryGetInt32(out difficulty) || difficulty is < 1 or > 10)
                return Fail(out problem, $"field '{options.DifficultyField}' must be an integer from 1 to 10, not {Preview(f)}");
        }

        Split? split = null;
        if (Present(record, options.SplitField, out var s))
        {
            split = s.ValueKind == JsonValueKind.String ? SplitOf(s.GetString()!) : null;
            if (split is null) return Fail(out problem, $"field '{options.SplitField}' must be \"train\" or \"test\" (or \"validation\"), not {Preview(s)}");
        }
        return new DatasetRecord(location, prompt, messages, answer, tests, domain, difficulty, split);
    }

    private IReadOnlyList<ChatMessage>? Messages(JsonElement m, out string? problem)
    {
        problem = null;
        if (m.ValueKind != JsonValueKind.Array || m.GetArrayLength() == 0)
        {
            problem = $"field '{options.MessagesField}' must be a non-empty list of {{role, content}} objects, not {Kind(m)}";
            return null;
        }
        var list = new List<ChatMessage>();
        int i = 0;
        foreach (var e in m.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Object
                || !e.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String
                || !e.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.String)
            {
                problem = $"message {i} of '{options.MessagesField}' must be an object with string fields 'role' and 'content'";
                return null;
            }
            if (!Roles.Contains(role.GetString()!))
            {
                problem = $"message {i} of '{options.MessagesField}' has role '{role.GetString()}'; use system, user or assistant";
                return null;
            }
            list.Add(new ChatMessage(role.GetString()!, content.GetString()!));
            i++;
        }
        return list;
    }

    private static Split? SplitOf(string s) => s.Trim().ToLowerInvariant() switch
    {
        "train" => Split.Train,
        "test" or "validation" or "valid" or "eval" => Split.Test,
        _ => null,
    };

    /// <summary>A field that is there and not null (a null field counts as absent: Parquet writes missing values as nulls).</summary>
    private static bool Present(JsonElement record, string name, out JsonElement value) =>
        record.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    private static DatasetRecord? Fail(out string? problem, string message)
    {
        problem = message;
        return null;
    }

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static string Preview(JsonElement e)
    {
        var raw = e.GetRawText();
        return raw.Length <= 40 ? raw : raw[..40] + "...";
    }
}
