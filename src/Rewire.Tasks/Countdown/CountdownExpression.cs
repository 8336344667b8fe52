// Safe parser and evaluator for Countdown answers: integers, + - * /, parentheses. Single pass over at most MaxLength
// characters, recursion depth capped, literals limited to 4 digits and checked against the available multiset of numbers
// before any arithmetic, so the evaluator only ever combines at most N given numbers. Never throws on model text.
using System.Numerics;

namespace Rewire.Tasks.Countdown;

/// <summary>The outcome of parsing and evaluating one Countdown expression.</summary>
/// <param name="Value">The exact value, when evaluation succeeded.</param>
/// <param name="Error">Why it failed, when it failed.</param>
/// <param name="Kind">Which check failed: <c>format</c>, <c>numbers</c> or <c>arithmetic</c>; null on success.</param>
public readonly record struct CountdownEvaluation(Rational? Value, string? Error, string? Kind);

/// <summary>The safe parser and exact evaluator of Countdown answers: integers, + − × ÷ and parentheses, each given number used at most once; never throws on model text.</summary>
public static class CountdownExpression
{
    /// <summary>Longest expression accepted, in characters.</summary>
    public const int MaxLength = 96;
    /// <summary>Deepest parenthesis nesting accepted.</summary>
    public const int MaxDepth = 16;
    /// <summary>Most digits a number literal may have.</summary>
    public const int MaxLiteralDigits = 4;

    /// <summary>Parses and evaluates <paramref name="text"/>, using each of <paramref name="available"/> at most once.</summary>
    public static CountdownEvaluation Evaluate(string text, IReadOnlyList<int> available)
    {
        if (text.Length > MaxLength) return new(null, $"expression longer than {MaxLength} characters", "format");
        // Pass 1 checks the syntax only, so a malformed expression is reported as such even when it also misuses numbers;
        // pass 2 checks the numbers and evaluates. Both are single left-to-right scans.
        foreach (var full in (bool[])[false, true])
        {
            var p = new Parser(text, available, full);
            var v = p.ParseSum(0);
            if (p.Error is null && p.Pos < text.Length) p.Fail($"unexpected '{text[p.Pos]}' at position {p.Pos}", "format");
            if (p.Error is not null) return new(null, p.Error, p.Kind);
            if (full) return new(v, null, null);
        }
        return new(null, "unreachable", "format");
    }

    private sealed class Parser(string text, IReadOnlyList<int> available, bool full)
    {
        private readonly int[] _left = [.. available];
        public int Pos;
        public string? Error;
        public string? Kind;

        public void Fail(string error, string kind)
        {
            if (Error is not null) return;
            Error = error;
            Kind = kind;
        }

        private void SkipSpaces()
        {
            while (Pos < text.Length && text[Pos] == ' ') Pos++;
        }

        public Rational ParseSum(int depth)
        {
            var acc = ParseProduct(depth);
            while (Error is null)
            {
                SkipSpaces();
                if (Pos >= text.Length || (text[Pos] != '+' && text[Pos] != '-')) break;
                var op = text[Pos++];
                var rhs = ParseProduct(depth);
                if (Error is not null) break;
                if (full) acc = op == '+' ? acc + rhs : acc - rhs;
            }
            return acc;
        }

        private Rational ParseProduct(int depth)
        {
            var acc = ParseAtom(depth);
            while (Error is null)
            {
                SkipSpaces();
                if (Pos >= text.Length || (text[Pos] != '*' && text[Pos] != '/')) break;
                var op = text[Pos++];
                var rhs = ParseAtom(depth);
                if (Error is not null) break;
                if (!full) continue;
                if (op == '*') acc *= rhs;
                else
                {
                    var q = Rational.Divide(acc, rhs);
                    if (q is null)
                    {
                        Fail("division by zero", "arithmetic");
                        break;
                    }
                    acc = q.Value;
                }
            }
            return acc;
        }

        private Rational ParseAtom(int depth)
        {
            SkipSpaces();
            if (Pos >= text.Length)
            {
                Fail("expression ends where a number or '(' was expected", "format");
                return default;
            }
            var c = text[Pos];
            if (c == '(')
            {
                if (depth >= MaxDepth)
                {
                    Fail($"parentheses nested deeper than {MaxDepth}", "format");
                    return default;
                }
                Pos++;
                var v = ParseSum(depth + 1);
                if (Error is not null) return default;
                SkipSpaces();
                if (Pos >= text.Length || text[Pos] != ')')
                {
                    Fail("missing ')'", "format");
                    return default;
                }
                Pos++;
                return v;
            }
            if (c is >= '0' and <= '9')
            {
                var start = Pos;
                while (Pos < text.Length && text[Pos] is >= '0' and <= '9')
                {
                    if (Pos - start >= MaxLiteralDigits)
                    {
                        Fail($"number with more than {MaxLiteralDigits} digits at position {start}", "numbers");
                        return default;
                    }
                    Pos++;
                }
                if (!full) return default;
                var n = 0;
                for (var i = start; i < Pos; i++) n = n * 10 + (text[i] - '0');
                var slot = Array.IndexOf(_left, n);
                if (slot < 0)
                {
                    Fail(Array.IndexOf([.. available], n) < 0 ? $"{n} is not one of the given numbers" : $"{n} is used more times than it is given", "numbers");
                    return default;
                }
                _left[slot] = -1;
                return new Rational(new BigInteger(n), BigInteger.One);
            }
            Fail($"unexpected '{c}' at position {Pos}", "format");
            return default;
        }
    }
}
