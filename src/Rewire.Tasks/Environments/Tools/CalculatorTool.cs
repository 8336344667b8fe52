using System.Globalization;
using System.Text.Json.Nodes;

namespace Rewire.Tasks.Environments.Tools;

/// <summary>
/// The calculator: <c>{"name": "calc", "arguments": {"expression": "417*382"}}</c> evaluates + - * / and parentheses over
/// decimal numbers exactly (System.Decimal), by a recursive-descent parser with length and nesting limits; any other
/// character, a division by zero or an overflow is an error result.
/// </summary>
public sealed class CalculatorTool : ITool
{
    /// <summary>The longest expression accepted.</summary>
    public const int MaxLength = 128;

    /// <summary>The deepest nesting of parentheses accepted.</summary>
    public const int MaxDepth = 16;

    /// <inheritdoc />
    public string Name => "calc";

    /// <inheritdoc />
    public string Description => "calc(expression): the exact value of an arithmetic expression with + - * / and parentheses";

    /// <inheritdoc />
    public ToolResult Invoke(JsonObject arguments)
    {
        var text = ToolBox.StringArgument(arguments, "expression", Name);
        if (text.Length > MaxLength) return ToolResult.Error($"calc: the expression is longer than {MaxLength} characters");
        if (!TryEvaluate(text, out var value, out var error)) return ToolResult.Error("calc: " + error);
        return new ToolResult(Format(value), true);
    }

    /// <summary>The canonical text of a value: invariant culture, no trailing zeros.</summary>
    public static string Format(decimal value) => (value / 1.000000000000000000000000000000000m).ToString(CultureInfo.InvariantCulture);

    /// <summary>Evaluates <paramref name="text"/>; false with a reason when it is not a valid expression.</summary>
    public static bool TryEvaluate(string text, out decimal value, out string error)
    {
        var p = new Parser(text);
        try
        {
            value = p.Expression(0);
            p.SkipSpaces();
            if (!p.AtEnd) throw new FormatException($"unexpected '{p.Current}' at position {p.Position + 1}");
            error = "";
            return true;
        }
        catch (Exception e) when (e is FormatException or OverflowException or DivideByZeroException)
        {
            value = 0;
            error = e is DivideByZeroException ? "division by zero" : e is OverflowException ? "the value is too large" : e.Message;
            return false;
        }
    }

    private sealed class Parser(string text)
    {
        private int _at;

        public bool AtEnd => _at >= text.Length;
        public char Current => text[_at];
        public int Position => _at;

        public void SkipSpaces() { while (!AtEnd && text[_at] == ' ') _at++; }

        public decimal Expression(int depth)
        {
            var value = Term(depth);
            for (SkipSpaces(); !AtEnd && (Current == '+' || Current == '-'); SkipSpaces())
            {
                char op = text[_at++];
                var right = Term(depth);
                value = op == '+' ? value + right : value - right;
            }
            return value;
        }

        private decimal Term(int depth)
        {
            var value = Factor(depth);
            for (SkipSpaces(); !AtEnd && (Current == '*' || Current == '/'); SkipSpaces())
            {
                char op = text[_at++];
                var right = Factor(depth);
                value = op == '*' ? value * right : value / right;
            }
            return value;
        }

        private decimal Factor(int depth)
        {
            SkipSpaces();
            if (AtEnd) throw new FormatException("the expression ends too early");
            if (Current == '-') { _at++; return -Factor(depth); }
            if (Current == '(')
            {
                if (depth >= MaxDepth) throw new FormatException($"parentheses nest deeper than {MaxDepth}");
                _at++;
                var inner = Expression(depth + 1);
                SkipSpaces();
                if (AtEnd || Current != ')') throw new FormatException("a '(' is not closed");
                _at++;
                return inner;
            }
            int start = _at;
            while (!AtEnd && (char.IsAsciiDigit(Current) || Current == '.')) _at++;
            if (start == _at) throw new FormatException($"unexpected '{Current}' at position {_at + 1}");
            return decimal.Parse(text.AsSpan(start, _at - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        }
    }
}
