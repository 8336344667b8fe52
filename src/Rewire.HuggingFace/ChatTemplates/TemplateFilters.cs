using System.Globalization;
using System.Text;

namespace Rewire.HuggingFace.ChatTemplates;

/// <summary>jinja2's built-in filters that chat templates use, with Hugging Face's <c>tojson</c>. An unknown filter is
/// an error naming it.</summary>
internal static class TemplateFilters
{
    private static object? Arg(List<object?> a, Dictionary<string, object?> n, int i, string name, object? fallback = null) =>
        i < a.Count ? a[i] : n.TryGetValue(name, out var v) ? v : fallback;

    public static object? Apply(string name, object? value, List<object?> a, Dictionary<string, object?> n)
    {
        switch (name)
        {
            case "default":
            case "d":
            {
                bool boolean = Py.Truth(Arg(a, n, 1, "boolean", false));
                return value is Undefined || (boolean && !Py.Truth(value)) ? Arg(a, n, 0, "default_value", "") : value;
            }
            case "tojson":
                return ToJson(value, a, n);
            case "trim":
                return TemplateMembers.Strip(Py.Str(value), Arg(a, n, 0, "chars"), left: true, right: true);
            case "length":
            case "count":
                return Py.Length(value);
            case "string":
                return Py.Str(value);
            case "upper":
                return Py.Str(value).ToUpperInvariant();
            case "lower":
                return Py.Str(value).ToLowerInvariant();
            case "capitalize":
                return TemplateMembers.Capitalize(Py.Str(value));
            case "title":
                return TemplateMembers.Title(Py.Str(value));
            case "replace":
            {
                string s = Py.Str(value);
                var replace = TemplateMembers.GetAttribute(s, "replace") as JinjaCallable;
                var args = new List<object?> { Py.Str(Arg(a, n, 0, "old")), Py.Str(Arg(a, n, 1, "new")) };
                if (Arg(a, n, 2, "count") is { } c) args.Add(c);
                return replace!.Invoke(args, []);
            }
            case "first":
            {
                if (value is Undefined) return value;
                var items = Py.Iterate(value);
                return items.Count > 0 ? items[0] : new Undefined("No first item, sequence was empty.");
            }
            case "last":
            {
                if (value is Undefined) return value;
                var items = Py.Iterate(value);
                return items.Count > 0 ? items[^1] : new Undefined("No last item, sequence was empty.");
            }
            case "list":
                return Py.Iterate(value);
            case "reverse":
                if (value is string rs) return string.Concat(Enumerable.Reverse(Py.CodePoints(rs)));
                return Enumerable.Reverse(Py.Iterate(value)).ToList();
            case "join":
            {
                string sep = Py.Str(Arg(a, n, 0, "d", ""));
                var attribute = Arg(a, n, 1, "attribute");
                var items = Py.Iterate(value);
                if (attribute is not null) items = items.Select(i => Attribute(i, attribute)).ToList();
                return string.Join(sep, items.Select(Py.Str));
            }
            case "items":
                return value switch
                {
                    Undefined => new List<object?>(),
                    JinjaDict d => d.Select(kv => (object?)new PyTuple { kv.Key, kv.Value }).ToList(),
                    _ => throw new TemplateRuntimeError($"Can only get item pairs from a mapping, not {Py.TypeName(value)}"),
                };
            case "dictsort":
            {
                if (value is not JinjaDict d) throw new TemplateRuntimeError("dictsort expects a mapping");
                return d.OrderBy(kv => kv.Key.ToLowerInvariant(), StringComparer.Ordinal).Select(kv => (object?)new PyTuple { kv.Key, kv.Value }).ToList();
            }
            case "map":
                return Map(value, a, n);
            case "select":
            case "reject":
                return Select(value, a, n, attributeMode: false, keep: name == "select");
            case "selectattr":
            case "rejectattr":
                return Select(value, a, n, attributeMode: true, keep: name == "selectattr");
            case "unique":
            {
                var result = new List<object?>();
                foreach (var item in Py.Iterate(value))
                    if (!result.Any(r => Py.Equals(r, item))) result.Add(item);
                return result;
            }
            case "sort":
            {
                bool reverse = Py.Truth(Arg(a, n, 0, "reverse", false));
                bool caseSensitive = Py.Truth(Arg(a, n, 1, "case_sensitive", false));
                var attribute = Arg(a, n, 2, "attribute");
                object? Key(object? item)
                {
                    var key = attribute is null ? item : Attribute(item, attribute);
                    return !caseSensitive && key is string ks ? ks.ToLowerInvariant() : key;
                }
                // Stable, as Python's sorted(); reverse=True keeps equal items in their original order too.
                var keyed = Py.Iterate(value).Select(i => (Key: Key(i), Item: i)).ToList();
                var comparer = Comparer<(object? Key, object? Item)>.Create((x, y) => reverse ? Py.Compare(y.Key, x.Key, "<") : Py.Compare(x.Key, y.Key, "<"));
                var sorted = keyed.Order(comparer).Select(p => p.Item).ToList();
                return sorted;
            }
            case "int":
                return value switch
                {
                    long l => (object)l,
                    bool b => b ? 1L : 0L,
                    double d => (long)Math.Truncate(d),
                    string s when long.TryParse(s.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long p) => p,
                    string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double p) => (long)Math.Truncate(p),
                    _ => Arg(a, n, 0, "default", 0L),
                };
            case "float":
                return value switch
                {
                    long or bool or double => Py.ToDouble(value),
                    string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double p) => p,
                    _ => Arg(a, n, 0, "default", 0.0),
                };
            case "abs":
                return value switch
                {
                    long l => (object)Math.Abs(l),
                    double d => Math.Abs(d),
                    _ => throw new TemplateRuntimeError($"bad operand type for abs(): '{Py.TypeName(value)}'"),
                };
            case "round":
            {
                int precision = (int)Py.ToLong(Arg(a, n, 0, "precision", 0L));
                string method = Py.Str(Arg(a, n, 1, "method", "common"));
                double d = Py.ToDouble(value), factor = Math.Pow(10, precision);
                if (method == "common" && Math.Abs(d) < 7.9e27 && precision is >= 0 and <= 15)
                {
                    // Python rounds the double's own value half to even: 17 significant digits decide the half.
                    decimal exact = decimal.Parse(d.ToString("G17", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);
                    return (double)Math.Round(exact, precision, MidpointRounding.ToEven);
                }
                return method switch
                {
                    "common" => Math.Round(d * factor, MidpointRounding.ToEven) / factor,
                    "ceil" => Math.Ceiling(d * factor) / factor,
                    "floor" => Math.Floor(d * factor) / factor,
                    _ => throw new TemplateRuntimeError("method must be common, ceil or floor"),
                };
            }
            case "sum":
            {
                object? total = Arg(a, n, 1, "start", 0L);
                var attribute = Arg(a, n, 0, "attribute");
                foreach (var item in Py.Iterate(value))
                    total = TemplateOperators.Binary("+", total, attribute is null ? item : Attribute(item, attribute));
                return total;
            }
            case "min":
            case "max":
            {
                var items = Py.Iterate(value);
                if (items.Count == 0) return new Undefined($"No aggregated item, sequence was empty.");
                var best = items[0];
                foreach (var item in items.Skip(1))
                {
                    int c = Py.Compare(item, best, "<");
                    if (name == "min" ? c < 0 : c > 0) best = item;
                }
                return best;
            }
            case "safe":
                return value;
            case "indent":
                return Indent(Py.Str(value), Arg(a, n, 0, "width", 4L), Py.Truth(Arg(a, n, 1, "first", false)), Py.Truth(Arg(a, n, 2, "blank", false)));
            case "wordcount":
                return (long)Py.Str(value).Split(TemplateLexer.PythonWhitespace, StringSplitOptions.RemoveEmptyEntries).Length;
            default:
                throw new TemplateRuntimeError($"no filter named '{name}'");
        }
    }

    /// <summary>Hugging Face's <c>tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)</c>.</summary>
    private static string ToJson(object? value, List<object?> a, Dictionary<string, object?> n)
    {
        if (a.Count > 0 && !n.ContainsKey("ensure_ascii")) n["ensure_ascii"] = a[0];
        if (n.TryGetValue("ensure_ascii", out var ascii) && Py.Truth(ascii))
            throw new TemplateRuntimeError("tojson(ensure_ascii=True) is not supported");
        var indentArg = Arg(a, n, 1, "indent");
        string? indent = indentArg switch
        {
            null => null,
            long w => new string(' ', (int)Math.Max(0, w)),
            string s => s,
            _ => throw new TemplateRuntimeError($"tojson: indent must be an integer or a string, not {Py.TypeName(indentArg)}"),
        };
        string itemSep = indent is null ? ", " : ",", keySep = ": ";
        if (Arg(a, n, 2, "separators") is { } separators)
        {
            if (separators is not List<object?> { Count: 2 } pair || pair[0] is not string i || pair[1] is not string k)
                throw new TemplateRuntimeError("tojson: separators must be a pair of strings");
            (itemSep, keySep) = (i, k);
        }
        bool sortKeys = Py.Truth(Arg(a, n, 3, "sort_keys", false));
        return PythonJson.Dumps(value, indent, itemSep, keySep, sortKeys);
    }

    /// <summary>jinja2's attribute lookup for filters: dotted paths, integer parts as indexes.</summary>
    private static object? Attribute(object? item, object? attribute)
    {
        if (attribute is long index) return TemplateMembers.GetItem(item, index);
        foreach (string part in Py.Str(attribute).Split('.'))
            item = long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out long i)
                ? TemplateMembers.GetItem(item, i)
                : TemplateMembers.GetItem(item, part);
        return item;
    }

    private static List<object?> Map(object? value, List<object?> a, Dictionary<string, object?> n)
    {
        var items = Py.Iterate(value);
        if (n.TryGetValue("attribute", out var attribute))
        {
            n.TryGetValue("default", out var def);
            return items.Select(i =>
            {
                var v = Attribute(i, attribute);
                return v is Undefined && n.ContainsKey("default") ? def : v;
            }).ToList();
        }
        if (a.Count == 0) throw new TemplateRuntimeError("map requires a filter name or attribute=");
        string filter = Py.Str(a[0]);
        var rest = a.Skip(1).ToList();
        return items.Select(i => Apply(filter, i, [.. rest], new Dictionary<string, object?>(n))).ToList();
    }

    private static List<object?> Select(object? value, List<object?> a, Dictionary<string, object?> n, bool attributeMode, bool keep)
    {
        var items = Py.Iterate(value);
        int offset = attributeMode ? 1 : 0;
        if (attributeMode && a.Count == 0) throw new TemplateRuntimeError("selectattr/rejectattr need an attribute name");
        string? test = a.Count > offset ? Py.Str(a[offset]) : null;
        var testArgs = a.Skip(offset + 1).ToList();
        return items.Where(i =>
        {
            var subject = attributeMode ? Attribute(i, a[0]) : i;
            bool result = test is null ? Py.Truth(subject) : TemplateTests.Apply(test, subject, testArgs);
            return result == keep;
        }).ToList();
    }

    private static string Indent(string s, object? width, bool first, bool blank)
    {
        string pad = width is string ws ? ws : new string(' ', (int)Py.ToLong(width));
        var lines = s.Split('\n');
        var sb = new StringBuilder();
        for (int i = 0; i < lines.Length; i++)
        {
            if (i > 0) sb.Append('\n');
            bool indentThis = i == 0 ? first : (blank || !string.IsNullOrWhiteSpace(lines[i]));
            if (indentThis && (i > 0 || lines[i].Length > 0 || blank)) sb.Append(pad);
            sb.Append(lines[i]);
        }
        return sb.ToString();
    }
}
