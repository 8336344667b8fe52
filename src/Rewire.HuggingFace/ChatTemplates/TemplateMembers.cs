using System.Text;

namespace Rewire.HuggingFace.ChatTemplates;

/// <summary>Attribute access, subscripts and slices as jinja2's sandbox does them (<c>a.b</c>: a method or attribute
/// first, then the item; <c>a[b]</c>: the item first, then the attribute), with the non-mutating methods of str and
/// dict that chat templates call (ImmutableSandboxedEnvironment forbids the mutating ones).</summary>
internal static class TemplateMembers
{
    public static object? GetAttribute(object? target, string name)
    {
        switch (target)
        {
            case Undefined u:
                throw u.Fail();
            case JinjaDict d:
                if (DictMethod(d, name) is { } m) return m;
                return d.TryGetValue(name, out var v) ? v : new Undefined($"'dict object' has no attribute '{name}'");
            case string s:
                return (object?)StringMethod(s, name) ?? new Undefined($"'str object' has no attribute '{name}'");
            case Namespace ns:
                return ns.Attributes.TryGetValue(name, out var nv) ? nv : new Undefined($"'Namespace' object has no attribute '{name}'");
            case LoopContext loop:
                return loop.Attribute(name);
            default:
                return new Undefined($"'{Py.Repr(target)}' has no attribute '{name}'");
        }
    }

    public static object? GetItem(object? target, object? key)
    {
        switch (target)
        {
            case Undefined u:
                throw u.Fail();
            case JinjaDict d when key is string k:
                if (d.TryGetValue(k, out var v)) return v;
                return (object?)DictMethod(d, k) ?? new Undefined($"'dict object' has no attribute '{k}'");
            case List<object?> l when key is long or bool:
            {
                long i = Py.ToLong(key);
                if (i < 0) i += l.Count;
                return i >= 0 && i < l.Count ? l[(int)i] : new Undefined($"'list object' has no element {Py.ToLong(key)}");
            }
            case string s when key is long or bool:
            {
                var chars = Py.CodePoints(s);
                long i = Py.ToLong(key);
                if (i < 0) i += chars.Count;
                return i >= 0 && i < chars.Count ? chars[(int)i] : new Undefined($"'str object' has no element {Py.ToLong(key)}");
            }
            case Namespace or LoopContext or string when key is string name:
                return GetAttribute(target, name);
            default:
                return new Undefined($"'{Py.TypeName(target)} object' has no attribute {Py.Repr(key)}");
        }
    }

    public static object? Slice(object? target, object? start, object? stop, object? step)
    {
        if (target is Undefined u) throw u.Fail();
        List<object?> items = target switch
        {
            List<object?> l => l,
            string s => [.. Py.CodePoints(s)],
            _ => throw new TemplateRuntimeError($"'{Py.TypeName(target)}' object is not subscriptable"),
        };
        long n = items.Count;
        long st = step is null ? 1 : Py.ToLong(step);
        if (st == 0) throw new TemplateRuntimeError("slice step cannot be zero");
        long lower = st < 0 ? -1 : 0, upper = st < 0 ? n - 1 : n;
        long Clamp(object? v, long def)
        {
            if (v is null) return def;
            long x = Py.ToLong(v);
            if (x < 0) { x += n; return x < lower ? lower : x; }
            return x > upper ? upper : x;
        }
        long a = Clamp(start, st < 0 ? upper : lower), b = Clamp(stop, st < 0 ? lower : upper);
        var result = new List<object?>();
        if (st > 0)
            for (long i = a; i < b; i += st) result.Add(items[(int)i]);
        else
            for (long i = a; i > b; i += st) result.Add(items[(int)i]);
        return target is string ? string.Concat(result.Cast<string>()) : result;
    }

    private static JinjaCallable? DictMethod(JinjaDict d, string name) => name switch
    {
        "items" => new JinjaCallable("dict.items", (_, _) => d.Select(kv => (object?)new PyTuple { kv.Key, kv.Value }).ToList()),
        "keys" => new JinjaCallable("dict.keys", (_, _) => d.Keys.Select(k => (object?)k).ToList()),
        "values" => new JinjaCallable("dict.values", (_, _) => d.Values.ToList()),
        "get" => new JinjaCallable("dict.get", (a, _) =>
            a.Count == 0 ? throw new TemplateRuntimeError("get expected at least 1 argument, got 0")
            : a[0] is string k && d.TryGetValue(k, out var v) ? v : a.Count > 1 ? a[1] : null),
        _ => null,
    };

    private static object? Arg(List<object?> a, Dictionary<string, object?> n, int i, string name) =>
        i < a.Count ? a[i] : n.TryGetValue(name, out var v) ? v : null;

    private static JinjaCallable? StringMethod(string s, string name) => name switch
    {
        "startswith" => new("str.startswith", (a, _) => Affix(a, x => s.StartsWith(x, StringComparison.Ordinal))),
        "endswith" => new("str.endswith", (a, _) => Affix(a, x => s.EndsWith(x, StringComparison.Ordinal))),
        "strip" => new("str.strip", (a, n) => Strip(s, Arg(a, n, 0, "chars"), left: true, right: true)),
        "lstrip" => new("str.lstrip", (a, n) => Strip(s, Arg(a, n, 0, "chars"), left: true, right: false)),
        "rstrip" => new("str.rstrip", (a, n) => Strip(s, Arg(a, n, 0, "chars"), left: false, right: true)),
        "split" => new("str.split", (a, n) => Split(s, Arg(a, n, 0, "sep"), Arg(a, n, 1, "maxsplit"))),
        "upper" => new("str.upper", (_, _) => s.ToUpperInvariant()),
        "lower" => new("str.lower", (_, _) => s.ToLowerInvariant()),
        "title" => new("str.title", (_, _) => Title(s)),
        "capitalize" => new("str.capitalize", (_, _) => Capitalize(s)),
        "replace" => new("str.replace", (a, n) => Replace(s, Arg(a, n, 0, "old"), Arg(a, n, 1, "new"), Arg(a, n, 2, "count"))),
        "find" => new("str.find", (a, _) => a.Count > 0 && a[0] is string x ? (long)CodePointIndex(s, s.IndexOf(x, StringComparison.Ordinal)) : throw new TemplateRuntimeError("find expects a string")),
        "count" => new("str.count", (a, _) => a.Count > 0 && a[0] is string x ? (long)CountOf(s, x) : throw new TemplateRuntimeError("count expects a string")),
        "join" => new("str.join", (a, _) => a.Count == 1 ? string.Join(s, Py.Iterate(a[0]).Select(x => x is string xs ? xs : throw new TemplateRuntimeError($"sequence item: expected str instance, {Py.TypeName(x)} found"))) : throw new TemplateRuntimeError("join takes exactly one argument")),
        "isdigit" => new("str.isdigit", (_, _) => s.Length > 0 && s.All(char.IsDigit)),
        "isspace" => new("str.isspace", (_, _) => s.Length > 0 && s.All(TemplateLexer.IsPythonWhitespace)),
        _ => null,
    };

    private static bool Affix(List<object?> a, Func<string, bool> test)
    {
        if (a.Count == 0) throw new TemplateRuntimeError("startswith/endswith takes at least 1 argument");
        return a[0] switch
        {
            string x => test(x),
            List<object?> options => options.Any(o => o is string x && test(x)),
            _ => throw new TemplateRuntimeError($"startswith/endswith first arg must be str or a tuple of str, not {Py.TypeName(a[0])}"),
        };
    }

    public static string Strip(string s, object? chars, bool left, bool right)
    {
        Func<char, bool> strip = chars switch
        {
            null => TemplateLexer.IsPythonWhitespace,
            string set => c => set.Contains(c),
            _ => throw new TemplateRuntimeError($"strip arg must be None or str, not {Py.TypeName(chars)}"),
        };
        int start = 0, end = s.Length;
        if (left) while (start < end && strip(s[start])) start++;
        if (right) while (end > start && strip(s[end - 1])) end--;
        return s[start..end];
    }

    private static List<object?> Split(string s, object? sep, object? maxsplit)
    {
        long max = maxsplit is null ? -1 : Py.ToLong(maxsplit);
        var result = new List<object?>();
        if (sep is null)
        {
            int i = 0;
            while (true)
            {
                while (i < s.Length && TemplateLexer.IsPythonWhitespace(s[i])) i++;
                if (i >= s.Length) break;
                if (max >= 0 && result.Count == max)
                {
                    result.Add(Strip(s[i..], null, left: false, right: true));
                    break;
                }
                int j = i;
                while (j < s.Length && !TemplateLexer.IsPythonWhitespace(s[j])) j++;
                result.Add(s[i..j]);
                i = j;
            }
            return result;
        }
        if (sep is not string separator) throw new TemplateRuntimeError($"must be str or None, not {Py.TypeName(sep)}");
        if (separator.Length == 0) throw new TemplateRuntimeError("empty separator");
        var parts = max < 0 ? s.Split(separator) : s.Split(separator, (int)Math.Min(int.MaxValue, max + 1));
        result.AddRange(parts);
        return result;
    }

    private static string Replace(string s, object? old, object? replacement, object? count)
    {
        if (old is not string o || replacement is not string r) throw new TemplateRuntimeError("replace expects two strings");
        long max = count is null ? -1 : Py.ToLong(count);
        if (max < 0) return o.Length == 0 ? InsertEverywhere(s, r) : s.Replace(o, r, StringComparison.Ordinal);
        var sb = new StringBuilder();
        int pos = 0;
        for (long done = 0; done < max; done++)
        {
            int at = s.IndexOf(o, pos, StringComparison.Ordinal);
            if (at < 0 || o.Length == 0) break;
            sb.Append(s, pos, at - pos).Append(r);
            pos = at + o.Length;
        }
        return sb.Append(s, pos, s.Length - pos).ToString();
    }

    private static string InsertEverywhere(string s, string r) => r + string.Concat(Py.CodePoints(s).Select(c => c + r));

    private static int CodePointIndex(string s, int utf16Index) => utf16Index < 0 ? -1 : Py.CodePoints(s[..utf16Index]).Count;

    private static int CountOf(string s, string x)
    {
        if (x.Length == 0) return Py.CodePoints(s).Count + 1;
        int n = 0;
        for (int at = s.IndexOf(x, StringComparison.Ordinal); at >= 0; at = s.IndexOf(x, at + x.Length, StringComparison.Ordinal)) n++;
        return n;
    }

    public static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();

    public static string Title(string s)
    {
        var sb = new StringBuilder(s.Length);
        bool previousCased = false;
        foreach (char c in s)
        {
            bool cased = char.IsLetter(c);
            sb.Append(cased ? (previousCased ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)) : c);
            previousCased = cased;
        }
        return sb.ToString();
    }
}
