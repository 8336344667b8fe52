// Binds flat, dotted configuration keys ("rl.learning_rate" = "1e-4") onto typed options objects, and validates them
// before any work starts. One path for every source: a JSON file is flattened to the same dotted keys as the
// command line's key=value overrides, so both give the same errors.
//
// Conventions: a property `LearningRate` of a nested options object `Rl` is the key `rl.learning_rate`
// (snake_case). Nested options are classes with a parameterless constructor; lists are comma-separated
// (`reward.functions=correct,format`); dictionaries of numbers bind one entry per key (`reward.weights.correct=1`).
// Ranges come from [Range] attributes; cross-field rules from IValidatableOptions.Validate.
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rewire.Core.Configuration;

/// <summary>Options that check rules spanning several fields (incompatible choices) after binding.</summary>
public interface IValidatableOptions
{
    /// <summary>Adds one message per problem; each message names the key(s), the value and what is allowed.</summary>
    void Validate(string prefix, ICollection<string> errors);
}

/// <summary>One or more configuration problems, all reported at once.</summary>
public sealed class ConfigurationException(IReadOnlyList<string> errors)
    : Exception("Invalid configuration:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  - " + e)))
{
    /// <summary>Every problem found, one message per key, each saying what to change.</summary>
    public IReadOnlyList<string> Errors { get; } = errors;
}

/// <summary>Binds flat, dotted, snake_case configuration keys (<c>rl.learning_rate=1e-4</c>, from a JSON file or the command line) onto typed options objects and validates them ([Range] attributes and <see cref="IValidatableOptions"/>) before any work starts.</summary>
public static class OptionsBinder
{
    /// <summary>Creates <typeparamref name="T"/> with its defaults, applies <paramref name="values"/> in order, validates, and throws all problems at once.</summary>
    public static T Bind<T>(IEnumerable<KeyValuePair<string, string>> values) where T : class, new()
    {
        var root = new T();
        var errors = new List<string>();
        foreach (var (key, value) in values) Apply(root, key, value, errors);
        ValidateTree(root, "", errors);
        if (errors.Count > 0) throw new ConfigurationException(errors);
        return root;
    }

    /// <summary>Parses `key=value` command-line overrides; a malformed one is reported with the fix.</summary>
    public static List<KeyValuePair<string, string>> ParseOverrides(IEnumerable<string> args)
    {
        var result = new List<KeyValuePair<string, string>>();
        var errors = new List<string>();
        foreach (var a in args)
        {
            int eq = a.IndexOf('=');
            if (eq <= 0) { errors.Add($"'{a}' is not an override; write key=value, for example rl.steps=50"); continue; }
            result.Add(new(a[..eq].Trim(), a[(eq + 1)..].Trim()));
        }
        if (errors.Count > 0) throw new ConfigurationException(errors);
        return result;
    }

    /// <summary>Flattens a JSON configuration document to dotted keys, so it binds exactly like overrides.</summary>
    public static List<KeyValuePair<string, string>> FlattenJson(string json, string sourceName)
    {
        JsonNode? node;
        try { node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }); }
        catch (JsonException e) { throw new ConfigurationException([$"{sourceName} is not valid JSON: {e.Message}"]); }
        if (node is not JsonObject obj) throw new ConfigurationException([$"{sourceName} must hold a JSON object at the top level"]);
        var result = new List<KeyValuePair<string, string>>();
        Flatten(obj, "", result);
        return result;
    }

    private static void Flatten(JsonObject obj, string prefix, List<KeyValuePair<string, string>> into)
    {
        foreach (var (name, child) in obj)
        {
            string key = prefix.Length == 0 ? name : prefix + "." + name;
            switch (child)
            {
                case JsonObject o: Flatten(o, key, into); break;
                case JsonArray a: into.Add(new(key, string.Join(",", a.Select(x => x is JsonValue v ? Scalar(v) : x?.ToJsonString() ?? "")))); break;
                case JsonValue v: into.Add(new(key, Scalar(v))); break;
                case null: into.Add(new(key, "")); break;
            }
        }
    }

    private static string Scalar(JsonValue v) => v.GetValueKind() switch
    {
        JsonValueKind.String => v.GetValue<string>(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => v.ToJsonString(),
    };

    /// <summary>The resolved configuration as a JSON object with snake_case keys (what a run folder records).</summary>
    public static JsonObject ToJson(object options) => ToJson(options, forHash: false);

    private static JsonObject ToJson(object options, bool forHash)
    {
        var obj = new JsonObject();
        foreach (var p in Properties(options.GetType()))
        {
            if (forHash && p.IsDefined(typeof(NotHashedAttribute), inherit: true)) continue;
            object? value = p.GetValue(options);
            obj[KeyOf(p)] = value switch
            {
                null => null,
                string s => s,
                bool b => b,
                int i => i,
                long l => l,
                double d => d,
                Enum e => SnakeCase(e.ToString()),
                IReadOnlyList<string> list => new JsonArray(list.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray()),
                IDictionary<string, string> map => NestedByDots(map),
                IDictionary<string, double> dict => new JsonObject(dict.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => new KeyValuePair<string, JsonNode?>(k.Key, k.Value))),
                _ when IsNested(p.PropertyType) => ToJson(value, forHash),
                _ => value.ToString(),
            };
        }
        return obj;
    }

    /// <summary>"dot.alpha" = "2" becomes {"dot": {"alpha": "2"}}; keys sorted so the JSON (and the hash) is canonical.</summary>
    private static JsonObject NestedByDots(IDictionary<string, string> map)
    {
        var root = new JsonObject();
        foreach (var (key, value) in map.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            var parts = key.Split('.');
            var node = root;
            for (int i = 0; i < parts.Length - 1; i++)
            {
                if (node[parts[i]] is not JsonObject child) { child = new JsonObject(); node[parts[i]] = child; }
                node = child;
            }
            node[parts[^1]] = value;
        }
        return root;
    }

    /// <summary>
    /// A stable hash of the resolved configuration (SHA-256 of its canonical JSON, first 16 hex digits). Keys marked
    /// <see cref="NotHashedAttribute"/> (logging switches that do not change what is trained) are left out, so turning
    /// them on or off, or adding such a key, never stops a run from resuming.
    /// </summary>
    public static string Hash(object options)
    {
        var bytes = Encoding.UTF8.GetBytes(ToJson(options, forHash: true).ToJsonString());
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes))[..16];
    }

    /// <summary>Every dotted key the options type of <paramref name="defaults"/> accepts, with its type and default (for `rewire list` and docs).</summary>
    public static IEnumerable<(string Key, Type Type, object? Default)> Keys(object defaults, string prefix = "")
    {
        foreach (var p in Properties(defaults.GetType()))
        {
            string key = prefix + KeyOf(p);
            object? value = p.GetValue(defaults);
            if (IsNested(p.PropertyType) && value is not null)
                foreach (var k in Keys(value, key + ".")) yield return k;
            else yield return (key, p.PropertyType, value);
        }
    }

    private static void Apply(object root, string key, string raw, List<string> errors)
    {
        var parts = key.Split('.');
        object target = root;
        string path = "";
        for (int i = 0; i < parts.Length; i++)
        {
            var props = Properties(target.GetType());
            var prop = props.FirstOrDefault(p => KeyOf(p) == parts[i]);
            if (prop is null)
            {
                string known = string.Join(", ", props.Select(KeyOf));
                string? suggestion = Suggest(parts[i], props.Select(KeyOf));
                errors.Add($"unknown key '{key}'" + (suggestion is null ? "" : $" (did you mean '{path}{suggestion}'?)") +
                           $"; keys under '{(path.Length == 0 ? "(top level)" : path.TrimEnd('.'))}' are: {known}");
                return;
            }
            path += parts[i] + ".";
            if (IsNested(prop.PropertyType))
            {
                if (i == parts.Length - 1)
                {
                    errors.Add($"'{key}' is a section, not a value; set one of its keys, for example {key}.{KeyOf(Properties(prop.PropertyType).First())}=...");
                    return;
                }
                target = prop.GetValue(target) ?? throw new InvalidOperationException($"options section {key} is null");
                continue;
            }
            if (prop.PropertyType == typeof(Dictionary<string, string>))
            {
                // A technique parameter section: "objective.clip_low=3e-4" stores clip_low; "shaping.dot.alpha=2" stores dot.alpha.
                // Its keys are checked against the selected techniques' descriptors after binding.
                if (i == parts.Length - 1)
                {
                    errors.Add($"'{key}' is a section of technique parameters; set one of them, for example {key}.<parameter>=value (rewire list NAME shows a technique's parameters)");
                    return;
                }
                var map = (Dictionary<string, string>)(prop.GetValue(target) ?? new Dictionary<string, string>(StringComparer.Ordinal));
                map[string.Join('.', parts[(i + 1)..])] = raw;
                prop.SetValue(target, map);
                return;
            }
            if (prop.PropertyType == typeof(Dictionary<string, double>))
            {
                var dict = (Dictionary<string, double>)(prop.GetValue(target) ?? new Dictionary<string, double>());
                if (i == parts.Length - 1)
                {
                    // "reward.weights=correct:1,format:0.2" replaces the whole map.
                    dict.Clear();
                    foreach (var entry in raw.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        var kv = entry.Split(':', 2);
                        if (kv.Length != 2 || !TryDouble(kv[1], out double w))
                        { errors.Add($"'{key}' = '{raw}': each entry must be name:number, for example correct:1,format:0.2"); return; }
                        dict[kv[0]] = w;
                    }
                }
                else
                {
                    string name = string.Join('.', parts[(i + 1)..]);
                    if (!TryDouble(raw, out double w)) { errors.Add($"'{key}' = '{raw}' is not a number"); return; }
                    dict[name] = w;
                }
                prop.SetValue(target, dict);
                return;
            }
            if (i != parts.Length - 1)
            {
                errors.Add($"unknown key '{key}': '{path.TrimEnd('.')}' is a value, not a section");
                return;
            }
            if (TryConvert(raw, prop.PropertyType, out object? converted, out string expected)) prop.SetValue(target, converted);
            else errors.Add($"'{key}' = '{raw}' is not {expected}");
            return;
        }
    }

    private static void ValidateTree(object options, string prefix, List<string> errors)
    {
        foreach (var p in Properties(options.GetType()))
        {
            object? value = p.GetValue(options);
            string key = prefix + KeyOf(p);
            if (IsNested(p.PropertyType))
            {
                if (value is not null) ValidateTree(value, key + ".", errors);
                continue;
            }
            var range = p.GetCustomAttribute<RangeAttribute>();
            if (range is not null && value is IConvertible c)
            {
                double v = c.ToDouble(CultureInfo.InvariantCulture);
                double min = Convert.ToDouble(range.Minimum, CultureInfo.InvariantCulture);
                double max = Convert.ToDouble(range.Maximum, CultureInfo.InvariantCulture);
                if (double.IsNaN(v) || v < min || v > max)
                    errors.Add($"'{key}' = {Format(value)} is out of range; allowed: {Format(range.Minimum)} to {Format(range.Maximum)}");
            }
        }
        if (options is IValidatableOptions validatable) validatable.Validate(prefix, errors);
    }

    private static bool TryConvert(string raw, Type type, out object? value, out string expected)
    {
        value = null;
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t != type && raw.Length == 0) { expected = ""; return true; }
        if (t.IsEnum)
        {
            var names = Enum.GetNames(t).Select(SnakeCase).ToArray();
            expected = "one of: " + string.Join(", ", names);
            int at = Array.IndexOf(names, raw.Trim().ToLowerInvariant().Replace('-', '_'));
            if (at < 0) return false;
            value = Enum.GetValues(t).GetValue(at);
            return true;
        }
        switch (Type.GetTypeCode(t))
        {
            case TypeCode.Int32:
                expected = "an integer";
                if (int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i)) { value = i; return true; }
                return false;
            case TypeCode.Int64:
                expected = "an integer";
                if (long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out long l)) { value = l; return true; }
                return false;
            case TypeCode.Double:
                expected = "a finite number";
                if (TryDouble(raw, out double d)) { value = d; return true; }
                return false;
            case TypeCode.Boolean:
                expected = "true or false";
                if (bool.TryParse(raw, out bool b)) { value = b; return true; }
                return false;
            case TypeCode.String:
                expected = "a string";
                value = raw;
                return true;
        }
        if (t == typeof(IReadOnlyList<string>) || t == typeof(string[]) || t == typeof(List<string>))
        {
            expected = "a comma-separated list";
            var items = raw.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            value = t == typeof(List<string>) ? items.ToList() : items;
            return true;
        }
        expected = "a value of a supported type";
        return false;
    }

    private static bool TryDouble(string raw, out double d) =>
        double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out d) && double.IsFinite(d);

    private static string Format(object? v) => v switch
    {
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v?.ToString() ?? "null",
    };

    private static PropertyInfo[] Properties(Type t) =>
        t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.CanWrite && p.GetIndexParameters().Length == 0).ToArray();

    private static bool IsNested(Type t) =>
        t.IsClass && t != typeof(string) && !typeof(System.Collections.IEnumerable).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null;

    /// <summary>The configuration key segment of an options property: its name in snake_case (<c>LearningRate</c> → <c>learning_rate</c>).</summary>
    public static string KeyOf(PropertyInfo p) => SnakeCase(p.Name);

    /// <summary>Converts a PascalCase identifier to snake_case (<c>MaxNewTokens</c> → <c>max_new_tokens</c>).</summary>
    public static string SnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c))
            {
                bool boundary = i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]) && char.IsUpper(name[i - 1])));
                if (boundary) sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>The closest known name by edit distance, when it is close enough to be a likely typo.</summary>
    public static string? Suggest(string given, IEnumerable<string> known)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var k in known)
        {
            int d = Levenshtein(given, k);
            if (d < bestDistance) { bestDistance = d; best = k; }
        }
        return best is not null && bestDistance <= Math.Max(2, given.Length / 3) ? best : null;
    }

    private static int Levenshtein(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
