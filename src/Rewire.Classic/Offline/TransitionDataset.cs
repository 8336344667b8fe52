using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rewire.Core.Runs;

namespace Rewire.Classic.Offline;

/// <summary>One environment transition of an offline dataset. A discrete action is stored as a one-element vector.</summary>
public sealed record Transition(int Episode, int Step, float[] Observation, float[] Action, double Reward, float[] NextObservation, bool Terminated, bool Truncated)
{
    /// <summary>True on the last transition of an episode.</summary>
    public bool EpisodeEnd => Terminated || Truncated;
}

/// <summary>What a dataset holds: the environment, observation size, action kind ("discrete": Action[0] ∈ {0 … ActionSize−1}; "box": ActionSize values) and where the data came from.</summary>
public sealed record DatasetHeader(string Env, int ObservationSize, string ActionKind, int ActionSize, string Source);

/// <summary>A dataset that does not follow the format; the message names the line and the field.</summary>
public sealed class DatasetFormatException(string message) : Exception(message);

/// <summary>
/// The offline dataset format: JSON Lines, a header line
/// <c>{"format":"rewire-transitions","version":1,"env":…,"observation_size":n,"action_kind":"discrete"|"box","action_size":k,"source":…}</c>
/// then one transition per line: <c>{"episode":i,"step":t,"obs":[…],"action":[…],"reward":r,"next_obs":[…],"terminated":b,"truncated":b}</c>.
/// Episodes are numbered 0, 1, … in order, steps 0, 1, … within an episode, and every episode ends with a transition that
/// is terminated or truncated. <see cref="Read"/> refuses a file that breaks any rule (wrong shapes, a non-finite number,
/// a missing episode end, steps out of order) with the line and field that are wrong; <see cref="Write"/> writes atomically.
/// </summary>
public static class TransitionDataset
{
    /// <summary>The value of the header's <c>format</c> field.</summary>
    public const string Format = "rewire-transitions";
    /// <summary>The format version this library writes and reads.</summary>
    public const int Version = 1;

    /// <summary>
    /// Writes the header and the transitions to <paramref name="path"/> atomically (a temporary file renamed into
    /// place).
    /// </summary>
    /// <param name="path">Destination file.</param>
    /// <param name="header">The dataset header.</param>
    /// <param name="transitions">The transitions, in episode and step order.</param>
    public static void Write(string path, DatasetHeader header, IEnumerable<Transition> transitions)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(transitions);
        var sb = new StringBuilder();
        sb.Append(new JsonObject
        {
            ["format"] = Format,
            ["version"] = Version,
            ["env"] = header.Env,
            ["observation_size"] = header.ObservationSize,
            ["action_kind"] = header.ActionKind,
            ["action_size"] = header.ActionSize,
            ["source"] = header.Source,
        }.ToJsonString()).Append('\n');
        foreach (var t in transitions)
            sb.Append(new JsonObject
            {
                ["episode"] = t.Episode,
                ["step"] = t.Step,
                ["obs"] = Floats(t.Observation),
                ["action"] = Floats(t.Action),
                ["reward"] = t.Reward,
                ["next_obs"] = Floats(t.NextObservation),
                ["terminated"] = t.Terminated,
                ["truncated"] = t.Truncated,
            }.ToJsonString()).Append('\n');
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    private static JsonArray Floats(float[] v) => new(v.Select(x => (JsonNode)JsonValue.Create(x)).ToArray());

    /// <summary>Reads and checks a dataset file.</summary>
    /// <exception cref="DatasetFormatException">The first rule the file breaks, with its line.</exception>
    public static (DatasetHeader Header, List<Transition> Transitions) Read(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0) throw new DatasetFormatException($"{path} is empty; the first line must be the dataset header.");
        var header = ReadHeader(lines[0], path);
        var transitions = new List<Transition>();
        Transition? previous = null;
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var t = ReadTransition(lines[i], i + 1, header);
            string where = $"line {i + 1} (episode {t.Episode}, step {t.Step})";
            if (previous is null || previous.EpisodeEnd)
            {
                int expected = previous is null ? 0 : previous.Episode + 1;
                if (t.Episode != expected || t.Step != 0)
                    throw new DatasetFormatException($"{where}: expected the start of episode {expected} (step 0).");
            }
            else if (t.Episode != previous.Episode)
                throw new DatasetFormatException($"{where}: episode {previous.Episode} has no end; its last transition (line {i}) is neither terminated nor truncated.");
            else if (t.Step != previous.Step + 1)
                throw new DatasetFormatException($"{where}: expected step {previous.Step + 1} of episode {t.Episode}.");
            transitions.Add(t);
            previous = t;
        }
        if (previous is { EpisodeEnd: false })
            throw new DatasetFormatException($"the last episode ({previous.Episode}) has no end: its last transition is neither terminated nor truncated.");
        return (header, transitions);
    }

    private static DatasetHeader ReadHeader(string line, string path)
    {
        JsonObject o;
        try { o = JsonNode.Parse(line) as JsonObject ?? throw new DatasetFormatException($"line 1 of {path} is not a JSON object."); }
        catch (JsonException e) { throw new DatasetFormatException($"line 1 of {path} is not JSON: {e.Message}"); }
        if (o["format"]?.GetValue<string>() != Format) throw new DatasetFormatException($"line 1 of {path}: 'format' must be '{Format}'.");
        if (o["version"]?.GetValue<int>() != Version) throw new DatasetFormatException($"line 1 of {path}: 'version' must be {Version}.");
        string kind = o["action_kind"]?.GetValue<string>() ?? "";
        if (kind is not ("discrete" or "box")) throw new DatasetFormatException($"line 1 of {path}: 'action_kind' must be 'discrete' or 'box'.");
        int obs = o["observation_size"]?.GetValue<int>() ?? 0, act = o["action_size"]?.GetValue<int>() ?? 0;
        if (obs < 1) throw new DatasetFormatException($"line 1 of {path}: 'observation_size' must be a positive integer.");
        if (act < 1) throw new DatasetFormatException($"line 1 of {path}: 'action_size' must be a positive integer.");
        return new DatasetHeader(o["env"]?.GetValue<string>() ?? "", obs, kind, act, o["source"]?.GetValue<string>() ?? "");
    }

    private static Transition ReadTransition(string line, int number, DatasetHeader h)
    {
        JsonObject o;
        try { o = JsonNode.Parse(line) as JsonObject ?? throw new DatasetFormatException($"line {number} is not a JSON object."); }
        catch (JsonException e) { throw new DatasetFormatException($"line {number} is not JSON: {e.Message}"); }
        try
        {
            int episode = o["episode"]?.GetValue<int>() ?? throw Missing(number, "episode");
            int step = o["step"]?.GetValue<int>() ?? throw Missing(number, "step");
            string where = $"line {number} (episode {episode}, step {step})";
            float[] Vector(string field, int size)
            {
                var a = o[field] as JsonArray ?? throw new DatasetFormatException($"{where}: '{field}' is missing or not an array.");
                if (a.Count != size) throw new DatasetFormatException($"{where}: '{field}' has {a.Count} values; the header says {size}.");
                var v = a.Select(n => n is null ? float.NaN : n.GetValue<float>()).ToArray();
                for (int i = 0; i < v.Length; i++)
                    if (!float.IsFinite(v[i])) throw new DatasetFormatException($"{where}: '{field}'[{i}] is not a finite number.");
                return v;
            }
            var observation = Vector("obs", h.ObservationSize);
            var action = Vector("action", h.ActionKind == "discrete" ? 1 : h.ActionSize);
            if (h.ActionKind == "discrete" && (action[0] != MathF.Floor(action[0]) || action[0] < 0 || action[0] >= h.ActionSize))
                throw new DatasetFormatException($"{where}: 'action' {action[0].ToString(CultureInfo.InvariantCulture)} is not one of the {h.ActionSize} discrete actions 0 to {h.ActionSize - 1}.");
            double reward = o["reward"] is JsonValue rv && rv.TryGetValue<double>(out double r) ? r : double.NaN;
            if (!double.IsFinite(reward)) throw new DatasetFormatException($"{where}: 'reward' is missing or not a finite number.");
            var next = Vector("next_obs", h.ObservationSize);
            bool terminated = o["terminated"]?.GetValue<bool>() ?? throw Missing(number, "terminated");
            bool truncated = o["truncated"]?.GetValue<bool>() ?? throw Missing(number, "truncated");
            return new Transition(episode, step, observation, action, reward, next, terminated, truncated);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new DatasetFormatException($"line {number}: a field has the wrong type ({e.Message}).");
        }
    }

    private static DatasetFormatException Missing(int line, string field) => new($"line {line}: '{field}' is missing.");
}
