using System.Text;

namespace Rewire.HuggingFace.ChatTemplates;

/// <summary>Python's binary operators and comparisons on template values.</summary>
internal static class TemplateOperators
{
    public static object? Binary(string op, object? left, object? right)
    {
        if (op == "~")
            return Py.Str(left) + Py.Str(right);
        if (left is Undefined ul) throw ul.Fail();
        if (right is Undefined ur) throw ur.Fail();
        switch (op)
        {
            case "+":
                if (left is string ls && right is string rs) return ls + rs;
                if (left is List<object?> ll && right is List<object?> rl) return ll.Concat(rl).ToList();
                if (Py.IsNumber(left) && Py.IsNumber(right))
                    return left is double || right is double ? (object)(Py.ToDouble(left) + Py.ToDouble(right)) : checked(Py.ToLong(left) + Py.ToLong(right));
                break;
            case "-":
                if (Py.IsNumber(left) && Py.IsNumber(right))
                    return left is double || right is double ? (object)(Py.ToDouble(left) - Py.ToDouble(right)) : checked(Py.ToLong(left) - Py.ToLong(right));
                break;
            case "*":
                if (Py.IsNumber(left) && Py.IsNumber(right))
                    return left is double || right is double ? (object)(Py.ToDouble(left) * Py.ToDouble(right)) : checked(Py.ToLong(left) * Py.ToLong(right));
                if (left is string s1 && right is long n1) return Repeat(s1, n1);
                if (left is long n2 && right is string s2) return Repeat(s2, n2);
                if (left is List<object?> l1 && right is long n3) return Enumerable.Repeat(l1, (int)Math.Max(0, n3)).SelectMany(x => x).ToList();
                break;
            case "/":
                if (Py.IsNumber(left) && Py.IsNumber(right))
                {
                    double d = Py.ToDouble(right);
                    if (d == 0) throw new TemplateRuntimeError("division by zero");
                    return Py.ToDouble(left) / d;
                }
                break;
            case "//":
                if (Py.IsNumber(left) && Py.IsNumber(right))
                {
                    if (Py.ToDouble(right) == 0) throw new TemplateRuntimeError("integer division or modulo by zero");
                    if (left is double || right is double) return Math.Floor(Py.ToDouble(left) / Py.ToDouble(right));
                    long a = Py.ToLong(left), b = Py.ToLong(right);
                    long q = a / b;
                    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
                }
                break;
            case "%":
                if (Py.IsNumber(left) && Py.IsNumber(right))
                {
                    if (Py.ToDouble(right) == 0) throw new TemplateRuntimeError("integer division or modulo by zero");
                    if (left is double || right is double)
                    {
                        double a = Py.ToDouble(left), b = Py.ToDouble(right);
                        double m = a % b;
                        return m != 0 && (m < 0) != (b < 0) ? m + b : m;
                    }
                    long x = Py.ToLong(left), y = Py.ToLong(right);
                    long r = x % y;
                    return r != 0 && (r < 0) != (y < 0) ? r + y : r;
                }
                if (left is string) throw new TemplateRuntimeError("printf-style '%' string formatting is not supported");
                break;
            case "**":
                if (Py.IsNumber(left) && Py.IsNumber(right))
                {
                    if (left is double || right is double || Py.ToLong(right) < 0) return Math.Pow(Py.ToDouble(left), Py.ToDouble(right));
                    long result = 1, b = Py.ToLong(left);
                    for (long e = Py.ToLong(right); e > 0; e--) result = checked(result * b);
                    return result;
                }
                break;
        }
        throw new TemplateRuntimeError($"unsupported operand type(s) for {op}: '{Py.TypeName(left)}' and '{Py.TypeName(right)}'");
    }

    private static string Repeat(string s, long n)
    {
        var sb = new StringBuilder();
        for (long i = 0; i < n; i++) sb.Append(s);
        return sb.ToString();
    }

    public static bool Compare(string op, object? left, object? right) => op switch
    {
        "==" => Py.Equals(left, right),
        "!=" => !Py.Equals(left, right),
        "<" => Py.Compare(left, right, op) < 0,
        ">" => Py.Compare(left, right, op) > 0,
        "<=" => Py.Compare(left, right, op) <= 0,
        ">=" => Py.Compare(left, right, op) >= 0,
        "in" => Contains(right, left),
        "notin" => !Contains(right, left),
        _ => throw new InvalidOperationException(op),
    };

    public static bool Contains(object? container, object? item) => container switch
    {
        string s => item is string sub ? s.Contains(sub, StringComparison.Ordinal)
            : throw new TemplateRuntimeError($"'in <string>' requires string as left operand, not {Py.TypeName(item)}"),
        List<object?> l => l.Any(x => Py.Equals(x, item)),
        JinjaDict d => item is string k && d.ContainsKey(k),
        Undefined => false,
        Namespace ns => item is string k && ns.Attributes.ContainsKey(k),
        _ => throw new TemplateRuntimeError($"argument of type '{Py.TypeName(container)}' is not iterable"),
    };
}
