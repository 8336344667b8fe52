// MiniLang: the tiny, safe language of the program-synthesis task. A program is one integer expression in x:
//   expr := cmp ('?' expr ':' expr)?            conditional (condition non-zero)
//   cmp  := sum (('<' | '=') sum)?              comparison, 1 or 0
//   sum  := term (('+' | '-') term)*
//   term := unary (('*' | '/' | '%') unary)*    '/' and '%' truncate toward zero (C#); by zero is a runtime error
//   unary:= '-' unary | atom
//   atom := digits (at most 6) | 'x' | 'i' | '(' expr ')' | 'sum(' expr ',' expr ',' expr ')'
// sum(a,b,e) is Σ_{i=a..b} e with i bound to the counter (an inner sum shadows it; i outside any sum is 0). Evaluation is pure,
// 64-bit with overflow as a runtime error, and step-limited (each node visit is one step), so no program can loop, allocate
// or touch anything outside the interpreter. Parsing is one left-to-right pass with a nesting limit and never throws.
namespace Rewire.Tasks.Programs;

/// <summary>A parsed MiniLang program.</summary>
public sealed class MiniProgram
{
    internal readonly Node Root;
    internal MiniProgram(Node root) => Root = root;

    /// <summary>Runs the program on <paramref name="x"/>; null value with an error on a runtime error or when the step budget runs out.</summary>
    public (long? Value, string? Error) Run(long x, int maxSteps = MiniLang.DefaultMaxSteps)
    {
        var ev = new Evaluator(x, maxSteps);
        var v = ev.Eval(Root, 0);
        return ev.Error is null ? (v, null) : (null, ev.Error);
    }

    private sealed class Evaluator(long x, int maxSteps)
    {
        private int _steps;
        public string? Error;

        public long Eval(Node n, long i)
        {
            if (Error is not null) return 0;
            if (++_steps > maxSteps)
            {
                Error = $"step limit of {maxSteps} exceeded";
                return 0;
            }
            switch (n.Op)
            {
                case 'n': return n.Value;
                case 'x': return x;
                case 'i': return i;
                case '~': return Arith(0, Eval(n.A!, i), '-');
                case '?': return Eval(n.A!, i) != 0 ? Eval(n.B!, i) : Eval(n.C!, i);
                case 'S':
                    {
                        var lo = Eval(n.A!, i);
                        var hi = Eval(n.B!, i);
                        long acc = 0;
                        for (var k = lo; k <= hi && Error is null; k++)
                        {
                            var term = Eval(n.C!, k);
                            acc = Arith(acc, term, '+');
                        }
                        return acc;
                    }
            }
            var a = Eval(n.A!, i);
            var b = Eval(n.B!, i);
            if (Error is not null) return 0;
            switch (n.Op)
            {
                case '+':
                case '-':
                case '*':
                    return Arith(a, b, n.Op);
                case '<': return a < b ? 1 : 0;
                case '=': return a == b ? 1 : 0;
                case '/':
                case '%':
                    if (b == 0)
                    {
                        Error = "division by zero";
                        return 0;
                    }
                    if (a == long.MinValue && b == -1)
                    {
                        Error = "integer overflow";
                        return 0;
                    }
                    return n.Op == '/' ? a / b : a % b;
            }
            Error = $"unknown operation '{n.Op}'";
            return 0;
        }

        private long Arith(long a, long b, char op)
        {
            try
            {
                return checked(op switch { '+' => a + b, '-' => a - b, _ => a * b });
            }
            catch (OverflowException)
            {
                Error ??= "integer overflow";
                return 0;
            }
        }
    }
}

internal sealed record Node(char Op, long Value = 0, Node? A = null, Node? B = null, Node? C = null);

/// <summary>Parser and step-limited interpreter of MiniLang, the tiny safe expression language of the program-synthesis task (one 64-bit integer expression in x with conditionals and bounded sums).</summary>
public static class MiniLang
{
    /// <summary>Longest program accepted, in characters.</summary>
    public const int MaxLength = 64;
    /// <summary>Deepest nesting accepted.</summary>
    public const int MaxDepth = 12;
    /// <summary>Most digits a number literal may have.</summary>
    public const int MaxLiteralDigits = 6;
    /// <summary>Evaluation steps (node visits) allowed per run by default; beyond it the run is a runtime error.</summary>
    public const int DefaultMaxSteps = 20_000;

    /// <summary>Parses <paramref name="source"/>; returns null and the reason when it is not a MiniLang program.</summary>
    public static MiniProgram? Parse(string source, out string? error)
    {
        if (source.Length > MaxLength)
        {
            error = $"program longer than {MaxLength} characters";
            return null;
        }
        var p = new Parser(source);
        var root = p.Expr(0);
        if (p.Error is null && p.Pos < source.Length) p.Fail($"unexpected '{source[p.Pos]}' at position {p.Pos}");
        error = p.Error;
        return error is null ? new MiniProgram(root!) : null;
    }

    private sealed class Parser(string s)
    {
        public int Pos;
        public string? Error;

        public void Fail(string e) => Error ??= e;

        private bool Eat(char c)
        {
            while (Pos < s.Length && s[Pos] == ' ') Pos++;
            if (Pos < s.Length && s[Pos] == c)
            {
                Pos++;
                return true;
            }
            return false;
        }

        private char Peek()
        {
            while (Pos < s.Length && s[Pos] == ' ') Pos++;
            return Pos < s.Length ? s[Pos] : '\0';
        }

        public Node? Expr(int depth)
        {
            if (depth > MaxDepth)
            {
                Fail($"expression nested deeper than {MaxDepth}");
                return null;
            }
            var c = Cmp(depth);
            if (Error is not null || !Eat('?')) return c;
            var a = Expr(depth + 1);
            if (Error is not null) return null;
            if (!Eat(':'))
            {
                Fail("'?' without a matching ':'");
                return null;
            }
            var b = Expr(depth + 1);
            return Error is null ? new Node('?', 0, c, a, b) : null;
        }

        private Node? Cmp(int depth)
        {
            var a = Sum(depth);
            if (Error is not null) return null;
            var op = Peek();
            if (op is not ('<' or '=')) return a;
            Pos++;
            var b = Sum(depth);
            return Error is null ? new Node(op, 0, a, b) : null;
        }

        private Node? Sum(int depth)
        {
            var acc = Term(depth);
            while (Error is null && Peek() is '+' or '-')
            {
                var op = s[Pos++];
                var rhs = Term(depth);
                acc = new Node(op, 0, acc, rhs);
            }
            return Error is null ? acc : null;
        }

        private Node? Term(int depth)
        {
            var acc = Unary(depth);
            while (Error is null && Peek() is '*' or '/' or '%')
            {
                var op = s[Pos++];
                var rhs = Unary(depth);
                acc = new Node(op, 0, acc, rhs);
            }
            return Error is null ? acc : null;
        }

        private Node? Unary(int depth)
        {
            if (depth > MaxDepth)
            {
                Fail($"expression nested deeper than {MaxDepth}");
                return null;
            }
            if (Eat('-'))
            {
                var a = Unary(depth + 1);
                return Error is null ? new Node('~', 0, a) : null;
            }
            return Atom(depth);
        }

        private Node? Atom(int depth)
        {
            var c = Peek();
            if (c == '\0')
            {
                Fail("program ends where a value was expected");
                return null;
            }
            if (c is >= '0' and <= '9')
            {
                long v = 0;
                var start = Pos;
                while (Pos < s.Length && s[Pos] is >= '0' and <= '9')
                {
                    if (Pos - start >= MaxLiteralDigits)
                    {
                        Fail($"number with more than {MaxLiteralDigits} digits");
                        return null;
                    }
                    v = v * 10 + (s[Pos++] - '0');
                }
                return new Node('n', v);
            }
            if (c == '(')
            {
                Pos++;
                var e = Expr(depth + 1);
                if (Error is not null) return null;
                if (!Eat(')'))
                {
                    Fail("missing ')'");
                    return null;
                }
                return e;
            }
            if (string.CompareOrdinal(s, Pos, "sum(", 0, 4) == 0)
            {
                Pos += 4;
                var a = Expr(depth + 1);
                if (Error is null && !Eat(',')) Fail("sum needs three arguments: sum(from,to,body)");
                var b = Error is null ? Expr(depth + 1) : null;
                if (Error is null && !Eat(',')) Fail("sum needs three arguments: sum(from,to,body)");
                var body = Error is null ? Expr(depth + 1) : null;
                if (Error is null && !Eat(')')) Fail("missing ')' after sum arguments");
                return Error is null ? new Node('S', 0, a, b, body) : null;
            }
            if (c is 'x' or 'i')
            {
                Pos++;
                return new Node(c);
            }
            Fail($"unexpected '{c}' at position {Pos}");
            return null;
        }
    }
}
