// Streams the conventional preference-data forms, one JSON object per line (blank lines skipped), validating each line
// as it is read: the paired form {"prompt", "chosen", "rejected"}, its conversational form (lists of {role, content}
// messages, with an explicit prompt or an implicit one: the turns the two conversations share), and the unpaired form
// {"prompt", "completion", "label"}. The first problem stops the read with the file and the line; a file that mixes
// paired and unpaired records is refused at the first record of the other kind.
using System.Text.Json;
using Rewire.Tasks.Chat;

namespace Rewire.Tasks.Preferences;

/// <summary>Reads preference JSONL files line by line (see the file header for the forms).</summary>
public static class PreferenceJsonlReader
{
    private static readonly string[] Figures = ["chosen_utility", "rejected_utility", "chosen_proxy", "rejected_proxy"];

    /// <summary>The records of the file at <paramref name="path"/>, streamed; throws <see cref="PreferenceFormatException"/> at the first bad line.</summary>
    public static IEnumerable<PreferenceRecord> Read(string path)
    {
        if (!System.IO.File.Exists(path)) throw new PreferenceFormatException(path, 0, "no such file; give a JSONL file of preference records (rewire prefs make writes one)");
        return ReadCore(path);
    }

    private static IEnumerable<PreferenceRecord> ReadCore(string path)
    {
        using var reader = new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        foreach (var r in Read(reader, path)) yield return r;
    }

    /// <summary>The records of <paramref name="reader"/>, named <paramref name="source"/> in errors, streamed.</summary>
    public static IEnumerable<PreferenceRecord> Read(TextReader reader, string source)
    {
        ArgumentNullException.ThrowIfNull(reader);
        int line = 0;
        bool? paired = null;
        int firstLine = 0;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            JsonDocument doc;
            try { doc = JsonDocument.Parse(text); }
            catch (JsonException e)
            {
                throw new PreferenceFormatException(source, line, $"not valid JSON ({e.Message.Split(" Path:")[0].Split(" LineNumber:")[0]})");
            }
            PreferenceRecord record;
            using (doc)
            {
                try { record = Parse(doc.RootElement, line, source); }
                catch (InvalidOperationException e)
                {
                    // System.Text.Json refuses to turn an escaped unpaired surrogate ("\ud800") into a string.
                    throw new PreferenceFormatException(source, line, $"holds an unpaired surrogate escape, which is not text ({e.Message})");
                }
            }
            if (paired is null) { paired = record.IsPaired; firstLine = line; }
            else if (paired != record.IsPaired)
                throw new PreferenceFormatException(source, line, $"is an {(record.IsPaired ? "paired" : "unpaired")} record, but line {firstLine} is {(paired.Value ? "paired (chosen/rejected)" : "unpaired (completion/label)")}; a file holds one kind");
            yield return record;
        }
        if (paired is null) throw new PreferenceFormatException(source, 0, "holds no records");
    }

    /// <summary>One line's record; throws <see cref="PreferenceFormatException"/> naming the line and the field.</summary>
    public static PreferenceRecord Parse(JsonElement root, int line, string source)
    {
        PreferenceFormatException Bad(string problem) => new(source, line, problem);
        if (root.ValueKind != JsonValueKind.Object) throw Bad($"is a JSON {Kind(root.ValueKind)}, not an object with prompt/chosen/rejected or prompt/completion/label");
        var figures = new double?[Figures.Length];
        for (int i = 0; i < Figures.Length; i++)
            if (root.TryGetProperty(Figures[i], out var f))
            {
                if (f.ValueKind != JsonValueKind.Number || !f.TryGetDouble(out double v) || !double.IsFinite(v))
                    throw Bad($"'{Figures[i]}' must be a finite number, not a JSON {Kind(f.ValueKind)}");
                figures[i] = v;
            }
        string? promptId = null;
        if (root.TryGetProperty("prompt_id", out var id))
            promptId = id.ValueKind == JsonValueKind.String ? id.GetString() : throw Bad($"'prompt_id' must be a string, not a JSON {Kind(id.ValueKind)}");

        bool hasCompletion = root.TryGetProperty("completion", out var completion);
        bool hasLabel = root.TryGetProperty("label", out var label);
        bool hasChosen = root.TryGetProperty("chosen", out var chosen);
        bool hasRejected = root.TryGetProperty("rejected", out var rejected);
        if (hasCompletion || hasLabel)
        {
            if (hasChosen || hasRejected) throw Bad("has both completion/label (unpaired) and chosen/rejected (paired) fields; keep one form");
            if (!hasCompletion) throw Bad("has 'label' but no 'completion'");
            if (!hasLabel) throw Bad("has 'completion' but no 'label' (true for a desirable completion, false for an undesirable one)");
            if (label.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) throw Bad($"'label' must be true or false, not a JSON {Kind(label.ValueKind)}");
            var (prompt, messages) = PromptOf(root, Bad, required: true);
            return new PreferenceRecord
            {
                Line = line, Form = PreferenceForm.Unpaired, Prompt = prompt!, PromptMessages = messages,
                Completion = Side(completion, "completion", Bad), Label = label.GetBoolean(), PromptId = promptId,
            };
        }
        if (!hasChosen && !hasRejected) throw Bad("has neither chosen/rejected nor completion/label; a preference record needs one of the two forms");
        if (!hasChosen) throw Bad("has 'rejected' but no 'chosen'");
        if (!hasRejected) throw Bad("has 'chosen' but no 'rejected'");
        if (chosen.ValueKind != rejected.ValueKind || chosen.ValueKind is not (JsonValueKind.String or JsonValueKind.Array))
            throw Bad($"'chosen' and 'rejected' must both be strings or both lists of messages (here a JSON {Kind(chosen.ValueKind)} and a JSON {Kind(rejected.ValueKind)})");
        if (chosen.ValueKind == JsonValueKind.String)
        {
            var (prompt, messages) = PromptOf(root, Bad, required: true);
            if (messages is not null) throw Bad("'prompt' is a list of messages but 'chosen'/'rejected' are strings; use one form for all three");
            return new PreferenceRecord
            {
                Line = line, Form = PreferenceForm.Paired, Prompt = prompt!, Chosen = Side(chosen, "chosen", Bad), Rejected = Side(rejected, "rejected", Bad),
                PromptId = promptId, ChosenUtility = figures[0], RejectedUtility = figures[1], ChosenProxy = figures[2], RejectedProxy = figures[3],
            };
        }
        var c = Messages(chosen, "chosen", Bad);
        var r = Messages(rejected, "rejected", Bad);
        IReadOnlyList<ChatMessage> turns;
        string chosenText, rejectedText;
        if (root.TryGetProperty("prompt", out _))
        {
            var (_, explicitTurns) = PromptOf(root, Bad, required: true);
            turns = explicitTurns ?? throw Bad("'prompt' is a string but 'chosen'/'rejected' are lists of messages; use one form for all three");
            chosenText = Assistant(c, "chosen", Bad);
            rejectedText = Assistant(r, "rejected", Bad);
        }
        else
        {
            // Implicit prompt: both conversations share every turn but their last, which is the assistant's answer.
            if (c.Count < 2 || r.Count < 2 || c.Count != r.Count || !c.Take(c.Count - 1).SequenceEqual(r.Take(r.Count - 1)))
                throw Bad("has no 'prompt', so 'chosen' and 'rejected' must be whole conversations that share every turn but the last (the assistant's answer)");
            turns = c.Take(c.Count - 1).ToArray();
            chosenText = Assistant([c[^1]], "chosen", Bad);
            rejectedText = Assistant([r[^1]], "rejected", Bad);
        }
        return new PreferenceRecord
        {
            Line = line, Form = PreferenceForm.Conversational, Prompt = LastUser(turns, Bad), PromptMessages = turns,
            Chosen = chosenText, Rejected = rejectedText, PromptId = promptId,
            ChosenUtility = figures[0], RejectedUtility = figures[1], ChosenProxy = figures[2], RejectedProxy = figures[3],
        };
    }

    private static (string? Text, IReadOnlyList<ChatMessage>? Messages) PromptOf(JsonElement root, Func<string, PreferenceFormatException> bad, bool required)
    {
        if (!root.TryGetProperty("prompt", out var p))
            return required ? throw bad("has no 'prompt'") : (null, null);
        if (p.ValueKind == JsonValueKind.String)
        {
            string text = p.GetString()!;
            if (string.IsNullOrWhiteSpace(text)) throw bad("'prompt' is empty");
            return (text, null);
        }
        if (p.ValueKind == JsonValueKind.Array)
        {
            var turns = Messages(p, "prompt", bad);
            return (LastUser(turns, bad), turns);
        }
        throw bad($"'prompt' must be a string or a list of messages, not a JSON {Kind(p.ValueKind)}");
    }

    private static string Side(JsonElement e, string field, Func<string, PreferenceFormatException> bad)
    {
        if (e.ValueKind == JsonValueKind.Array) return Assistant(Messages(e, field, bad), field, bad);
        if (e.ValueKind != JsonValueKind.String) throw bad($"'{field}' must be a string, not a JSON {Kind(e.ValueKind)}");
        string text = e.GetString()!;
        if (string.IsNullOrWhiteSpace(text)) throw bad($"'{field}' is empty; a preference needs text on both sides (drop the record)");
        return text;
    }

    private static List<ChatMessage> Messages(JsonElement e, string field, Func<string, PreferenceFormatException> bad)
    {
        var list = new List<ChatMessage>();
        int i = 0;
        foreach (var m in e.EnumerateArray())
        {
            if (m.ValueKind != JsonValueKind.Object || !m.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String
                || !m.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.String)
                throw bad($"'{field}'[{i}] must be an object with string fields 'role' and 'content'");
            string r = role.GetString()!;
            if (r is not ("system" or "user" or "assistant")) throw bad($"'{field}'[{i}] has role '{r}'; allowed: system, user, assistant");
            list.Add(new ChatMessage(r, content.GetString()!));
            i++;
        }
        if (list.Count == 0) throw bad($"'{field}' is an empty list of messages");
        return list;
    }

    private static string Assistant(IReadOnlyList<ChatMessage> side, string field, Func<string, PreferenceFormatException> bad)
    {
        if (side.Count != 1 || side[0].Role != "assistant") throw bad($"'{field}' must be one assistant message (the answer the prompt's turns ask for)");
        if (string.IsNullOrWhiteSpace(side[0].Content)) throw bad($"'{field}' is empty; a preference needs text on both sides (drop the record)");
        return side[0].Content;
    }

    private static string LastUser(IReadOnlyList<ChatMessage> turns, Func<string, PreferenceFormatException> bad)
    {
        var user = turns.LastOrDefault(t => t.Role == "user") ?? throw bad("the prompt's messages have no user turn");
        if (string.IsNullOrWhiteSpace(user.Content)) throw bad("the prompt's last user turn is empty");
        if (turns[^1].Role == "assistant") throw bad("the prompt's messages end with an assistant turn; the prompt ends where the answer starts");
        return user.Content;
    }

    private static string Kind(JsonValueKind k) => k switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => "value",
    };
}
