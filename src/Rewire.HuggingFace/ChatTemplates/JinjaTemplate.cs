using System.Text.Json.Nodes;

namespace Rewire.HuggingFace.ChatTemplates;

/// <summary>A Jinja template parsed once and rendered in Hugging Face's chat-template environment: jinja2's
/// ImmutableSandboxedEnvironment with <c>trim_blocks</c>, <c>lstrip_blocks</c> and loop controls, Hugging Face's
/// <c>tojson</c> and the globals <c>raise_exception</c> and <c>strftime_now</c> (plus jinja2's <c>namespace</c>,
/// <c>range</c> and <c>dict</c>). Parsing and rendering failures are <see cref="ChatTemplateException"/>s naming
/// <see cref="Source"/> and the line.</summary>
public sealed class JinjaTemplate
{
    private readonly IReadOnlyList<Node> _nodes;

    /// <summary>Parses <paramref name="text"/>; <paramref name="source"/> names it in error messages.</summary>
    public JinjaTemplate(string text, string source)
    {
        Text = text;
        Source = source;
        try
        {
            _nodes = TemplateParser.Parse(text);
        }
        catch (TemplateError e)
        {
            throw new ChatTemplateException(source, e.Line, "syntax error: " + e.Reason);
        }
        catch (TemplateRuntimeError e)
        {
            throw new ChatTemplateException(source, 1, "syntax error: " + e.Message);
        }
    }

    /// <summary>The template's source text.</summary>
    public string Text { get; }

    /// <summary>Where the template came from (a file path or a description), used in error messages.</summary>
    public string Source { get; }

    /// <summary>Renders with the given variables (JSON values: objects become dicts, arrays lists, numbers int or float
    /// as written). <paramref name="clock"/> drives <c>strftime_now</c> (local time, as Python's datetime.now()).</summary>
    public string Render(IReadOnlyDictionary<string, JsonNode?> variables, TimeProvider? clock = null)
    {
        var globals = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, function) in Functions(clock ?? TimeProvider.System))
            globals[name] = function;
        foreach (var (k, v) in variables)
            globals[k] = FromJson(v);
        try
        {
            return new TemplateInterpreter(globals).Render(_nodes);
        }
        catch (TemplateError e)
        {
            throw new ChatTemplateException(Source, e.Line, e.Reason);
        }
    }

    private static IEnumerable<(string, JinjaCallable)> Functions(TimeProvider clock)
    {
        yield return ("raise_exception", new JinjaCallable("raise_exception", (a, _) =>
            throw new TemplateRuntimeError("the template raised an error: " + (a.Count > 0 ? Py.Str(a[0]) : ""))));
        yield return ("strftime_now", new JinjaCallable("strftime_now", (a, _) =>
            a.Count == 1 && a[0] is string format ? Strftime.Format(clock.GetLocalNow().DateTime, format)
            : throw new TemplateRuntimeError("strftime_now takes one format string")));
        yield return ("namespace", new JinjaCallable("namespace", (a, n) =>
        {
            var ns = new Namespace();
            foreach (var arg in a)
            {
                if (arg is not JinjaDict d) throw new TemplateRuntimeError("namespace() takes keyword arguments or a dict");
                foreach (var (k, v) in d) ns.Attributes[k] = v;
            }
            foreach (var (k, v) in n) ns.Attributes[k] = v;
            return ns;
        }));
        yield return ("range", new JinjaCallable("range", (a, _) =>
        {
            long start = 0, stop, step = 1;
            if (a.Count == 1) stop = Py.ToLong(a[0]);
            else if (a.Count is 2 or 3) { start = Py.ToLong(a[0]); stop = Py.ToLong(a[1]); if (a.Count == 3) step = Py.ToLong(a[2]); }
            else throw new TemplateRuntimeError("range expects 1 to 3 integer arguments");
            if (step == 0) throw new TemplateRuntimeError("range() arg 3 must not be zero");
            var list = new List<object?>();
            for (long i = start; step > 0 ? i < stop : i > stop; i += step)
            {
                if (list.Count >= 100_000) throw new TemplateRuntimeError("range too big (the sandbox allows 100000 items)");
                list.Add(i);
            }
            return list;
        }));
        yield return ("dict", new JinjaCallable("dict", (a, n) =>
        {
            var d = new JinjaDict();
            foreach (var arg in a)
                if (arg is JinjaDict src) foreach (var (k, v) in src) d[k] = v;
            foreach (var (k, v) in n) d[k] = v;
            return d;
        }));
    }

    /// <summary>A number as Python would hold it: parsed JSON follows json.loads (an integer literal is an int, anything
    /// with a fraction or exponent a float); a value built from a .NET number keeps its kind (a double is a float even
    /// when whole, so 1.0 prints as "1.0").</summary>
    private static object Number(JsonValue v)
    {
        switch (v.GetValue<object>())
        {
            case double d: return d;
            case float f: return (double)f;
            case decimal m: return (double)m;
            case long or int or short or sbyte or byte or ushort or uint: return Convert.ToInt64(v.GetValue<object>(), System.Globalization.CultureInfo.InvariantCulture);
        }
        string raw = v.ToJsonString();
        if (!raw.AsSpan().ContainsAny(".eE") && long.TryParse(raw, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out long l))
            return l;
        return double.Parse(raw, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A JSON value as the Python object json.loads would make.</summary>
    internal static object? FromJson(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonObject o:
            {
                var d = new JinjaDict();
                foreach (var (k, v) in o) d[k] = FromJson(v);
                return d;
            }
            case JsonArray a:
                return a.Select(FromJson).ToList();
            case JsonValue v:
                switch (v.GetValueKind())
                {
                    case System.Text.Json.JsonValueKind.String: return v.GetValue<string>();
                    case System.Text.Json.JsonValueKind.True: return true;
                    case System.Text.Json.JsonValueKind.False: return false;
                    case System.Text.Json.JsonValueKind.Number:
                        return Number(v);
                    default: return null;
                }
            default:
                throw new InvalidOperationException(node.GetType().Name);
        }
    }
}
