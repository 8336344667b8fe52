namespace Rewire.HuggingFace.ChatTemplates;

/// <summary>jinja2's tests (<c>x is defined</c>, <c>x is not none</c>, <c>x is string</c>, ...). An unknown test is an
/// error naming it.</summary>
internal static class TemplateTests
{
    public static bool Apply(string name, object? value, List<object?> args)
    {
        object? Arg0() => args.Count > 0 ? args[0] : throw new TemplateRuntimeError($"the test '{name}' needs an argument");
        return name switch
        {
            "defined" => value is not Undefined,
            "undefined" => value is Undefined,
            "none" => value is null,
            "boolean" => value is bool,
            "true" => value is true,
            "false" => value is false,
            "string" => value is string,
            "number" => value is long or double or bool,
            "integer" => value is long,
            "float" => value is double,
            "mapping" => value is JinjaDict,
            "sequence" => value is List<object?> or string or JinjaDict,
            "iterable" => value is List<object?> or string or JinjaDict or Undefined,
            "callable" => value is JinjaCallable,
            "lower" => value is string ls && ls == ls.ToLowerInvariant(),
            "upper" => value is string us && us == us.ToUpperInvariant(),
            "even" => Py.ToLong(value) % 2 == 0,
            "odd" => Py.ToLong(value) % 2 != 0,
            "divisibleby" => Py.ToLong(value) % Py.ToLong(Arg0()) == 0,
            "eq" or "equalto" or "==" => Py.Equals(value, Arg0()),
            "ne" or "!=" => !Py.Equals(value, Arg0()),
            "lt" or "lessthan" or "<" => Py.Compare(value, Arg0(), "<") < 0,
            "gt" or "greaterthan" or ">" => Py.Compare(value, Arg0(), ">") > 0,
            "le" or "<=" => Py.Compare(value, Arg0(), "<=") <= 0,
            "ge" or ">=" => Py.Compare(value, Arg0(), ">=") >= 0,
            "in" => TemplateOperators.Contains(Arg0(), value),
            "sameas" => ReferenceEquals(value, Arg0()) || (value is null && Arg0() is null) || (value is bool b && Arg0() is bool c && b == c),
            _ => throw new TemplateRuntimeError($"no test named '{name}'"),
        };
    }
}
