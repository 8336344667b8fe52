using System.Globalization;

namespace Rewire.HuggingFace.ChatTemplates;

/// <summary>Recursive-descent parser for jinja2's statement and expression grammar (the precedence of
/// <c>jinja2.parser.Parser</c>: conditional, or, and, not, comparisons and <c>in</c>, <c>+ -</c>, <c>~</c>,
/// <c>* / // %</c>, <c>**</c>, unary minus, then postfix attribute/subscript/call, filters and <c>is</c> tests).</summary>
internal sealed class TemplateParser
{
    /// <summary>Deeper nesting of blocks or expressions is refused (instead of exhausting the stack).</summary>
    public const int MaxNesting = 200;

    private readonly List<Token> _tokens;
    private int _pos;
    private int _nesting;

    private TemplateParser(List<Token> tokens) => _tokens = tokens;

    public static IReadOnlyList<Node> Parse(string source)
    {
        var parser = new TemplateParser(TemplateLexer.Tokenize(source));
        var body = parser.ParseBody(out string? end);
        if (end is not null)
            throw new TemplateError(parser.Current.Line, $"unexpected '{end}': no block is open");
        return body;
    }

    private Token Current => _tokens[_pos];
    private Token Next() => _tokens[_pos++];

    private bool IsOp(string op) => Current.Kind == TokenKind.Operator && Current.Value == op;
    private bool IsName(string name) => Current.Kind == TokenKind.Name && Current.Value == name;

    private bool SkipOp(string op)
    {
        if (!IsOp(op)) return false;
        _pos++;
        return true;
    }

    private bool SkipName(string name)
    {
        if (!IsName(name)) return false;
        _pos++;
        return true;
    }

    private void ExpectOp(string op)
    {
        if (!SkipOp(op))
            throw new TemplateError(Current.Line, $"expected '{op}', found {Describe(Current)}");
    }

    private string ExpectName()
    {
        if (Current.Kind != TokenKind.Name)
            throw new TemplateError(Current.Line, $"expected a name, found {Describe(Current)}");
        return Next().Value;
    }

    private void Expect(TokenKind kind)
    {
        if (Current.Kind != kind)
            throw new TemplateError(Current.Line, $"expected the end of the tag, found {Describe(Current)}");
        _pos++;
    }

    private static string Describe(Token t) => t.Kind switch
    {
        TokenKind.BlockEnd => "the end of the block tag",
        TokenKind.VariableEnd => "the end of the '{{ }}' tag",
        TokenKind.End => "the end of the template",
        TokenKind.String => $"string '{t.Value}'",
        _ => $"'{t.Value}'",
    };

    /// <summary>Nodes until a block tag this level does not handle; its keyword is returned in <paramref name="end"/>
    /// (null at the end of the template) with the position on that keyword.</summary>
    private List<Node> ParseBody(out string? end, params string[] terminators)
    {
        using var _ = Nest();
        var nodes = new List<Node>();
        while (true)
        {
            var t = Current;
            switch (t.Kind)
            {
                case TokenKind.End:
                    if (terminators.Length > 0)
                        throw new TemplateError(t.Line, $"unexpected end of template: expected one of {string.Join(", ", terminators.Select(x => $"'{x}'"))}");
                    end = null;
                    return nodes;
                case TokenKind.Text:
                    nodes.Add(new TextNode(t.Line, t.Value));
                    _pos++;
                    break;
                case TokenKind.VariableBegin:
                    _pos++;
                    var value = ParseExpression();
                    Expect(TokenKind.VariableEnd);
                    nodes.Add(new OutputNode(t.Line, value));
                    break;
                case TokenKind.BlockBegin:
                    _pos++;
                    if (Current.Kind == TokenKind.Name && terminators.Contains(Current.Value))
                    {
                        end = Current.Value;
                        return nodes;
                    }
                    nodes.Add(ParseStatement());
                    break;
                default:
                    throw new TemplateError(t.Line, $"unexpected {Describe(t)}");
            }
        }
    }

    private Node ParseStatement()
    {
        var t = Current;
        if (t.Kind != TokenKind.Name)
            throw new TemplateError(t.Line, $"expected a statement name, found {Describe(t)}");
        _pos++;
        switch (t.Value)
        {
            case "if": return ParseIf(t.Line);
            case "for": return ParseFor(t.Line);
            case "set": return ParseSet(t.Line);
            case "macro": return ParseMacro(t.Line);
            case "call": return ParseCallBlock(t.Line);
            case "filter": return ParseFilterBlock(t.Line);
            case "generation":
                Expect(TokenKind.BlockEnd);
                var body = ParseBody(out _, "endgeneration");
                EndTag();
                return new GenerationNode(t.Line, body);
            case "break":
                Expect(TokenKind.BlockEnd);
                return new BreakNode(t.Line);
            case "continue":
                Expect(TokenKind.BlockEnd);
                return new ContinueNode(t.Line);
            default:
                throw new TemplateError(t.Line, $"unknown tag '{t.Value}' (supported: if, for, set, macro, call, filter, generation, break, continue)");
        }
    }

    /// <summary>Consumes the terminator keyword the body stopped on and the tag's end.</summary>
    private void EndTag()
    {
        _pos++;
        Expect(TokenKind.BlockEnd);
    }

    private IfNode ParseIf(int line)
    {
        var branches = new List<(Expr, IReadOnlyList<Node>)>();
        var condition = ParseExpression();
        Expect(TokenKind.BlockEnd);
        while (true)
        {
            var body = ParseBody(out string? end, "elif", "else", "endif");
            branches.Add((condition, body));
            if (end == "elif")
            {
                _pos++;
                condition = ParseExpression();
                Expect(TokenKind.BlockEnd);
                continue;
            }
            if (end == "else")
            {
                EndTag();
                var elseBody = ParseBody(out _, "endif");
                EndTag();
                return new IfNode(line, branches, elseBody);
            }
            EndTag();
            return new IfNode(line, branches, []);
        }
    }

    private ForNode ParseFor(int line)
    {
        var targets = new List<string> { ExpectName() };
        while (SkipOp(","))
            targets.Add(ExpectName());
        if (!SkipName("in"))
            throw new TemplateError(Current.Line, $"expected 'in' in the for statement, found {Describe(Current)}");
        var iterable = ParseTupleOrExpression(withCondition: false);
        Expr? filter = null;
        if (SkipName("if"))
            filter = ParseExpression();
        if (IsName("recursive"))
            throw new TemplateError(Current.Line, "recursive for loops are not supported");
        Expect(TokenKind.BlockEnd);
        var body = ParseBody(out string? end, "else", "endfor");
        IReadOnlyList<Node> elseBody = [];
        if (end == "else")
        {
            EndTag();
            elseBody = ParseBody(out _, "endfor");
        }
        EndTag();
        return new ForNode(line, targets, iterable, filter, body, elseBody);
    }

    private Node ParseSet(int line)
    {
        string first = ExpectName();
        if (SkipOp("."))
        {
            string attribute = ExpectName();
            ExpectOp("=");
            var v = ParseTupleOrExpression(withCondition: true);
            Expect(TokenKind.BlockEnd);
            return new SetNode(line, [first], attribute, v);
        }
        var targets = new List<string> { first };
        while (SkipOp(","))
            targets.Add(ExpectName());
        if (targets.Count == 1 && Current.Kind == TokenKind.BlockEnd)
        {
            _pos++;
            var body = ParseBody(out _, "endset");
            EndTag();
            return new SetBlockNode(line, first, body);
        }
        ExpectOp("=");
        var value = ParseTupleOrExpression(withCondition: true);
        Expect(TokenKind.BlockEnd);
        return new SetNode(line, targets, null, value);
    }

    private List<(string, Expr?)> ParseSignature()
    {
        var parameters = new List<(string, Expr?)>();
        ExpectOp("(");
        while (!IsOp(")"))
        {
            if (parameters.Count > 0)
                ExpectOp(",");
            if (IsOp(")")) break;
            string name = ExpectName();
            Expr? def = SkipOp("=") ? ParseExpression() : null;
            parameters.Add((name, def));
        }
        ExpectOp(")");
        return parameters;
    }

    private MacroNode ParseMacro(int line)
    {
        string name = ExpectName();
        var parameters = ParseSignature();
        Expect(TokenKind.BlockEnd);
        var body = ParseBody(out _, "endmacro");
        EndTag();
        return new MacroNode(line, name, parameters, body);
    }

    private CallBlockNode ParseCallBlock(int line)
    {
        var parameters = IsOp("(") ? ParseSignature() : [];
        var call = ParseExpression();
        if (call is not CallExpr callExpr)
            throw new TemplateError(line, "expected a macro call after 'call'");
        Expect(TokenKind.BlockEnd);
        var body = ParseBody(out _, "endcall");
        EndTag();
        return new CallBlockNode(line, callExpr, parameters, body);
    }

    private FilterBlockNode ParseFilterBlock(int line)
    {
        var filters = new List<(string, Arguments)>();
        do
        {
            string name = ExpectName();
            filters.Add((name, IsOp("(") ? ParseArguments() : Arguments.None));
        } while (SkipOp("|"));
        Expect(TokenKind.BlockEnd);
        var body = ParseBody(out _, "endfilter");
        EndTag();
        return new FilterBlockNode(line, filters, body);
    }

    private NestingScope Nest()
    {
        if (++_nesting > MaxNesting)
            throw new TemplateError(Current.Line, $"the template nests blocks or expressions more than {MaxNesting} deep");
        return new NestingScope(this);
    }

    private readonly struct NestingScope(TemplateParser parser) : IDisposable
    {
        public void Dispose() => parser._nesting--;
    }

    // ---- expressions ----

    /// <summary>An expression, or a bare tuple <c>a, b</c> (for <c>set</c> and <c>for ... in</c>).</summary>
    private Expr ParseTupleOrExpression(bool withCondition)
    {
        int line = Current.Line;
        var first = withCondition ? ParseExpression() : ParseOr();
        if (!IsOp(","))
            return first;
        var items = new List<Expr> { first };
        while (SkipOp(","))
        {
            if (Current.Kind is TokenKind.BlockEnd or TokenKind.VariableEnd) break;
            items.Add(withCondition ? ParseExpression() : ParseOr());
        }
        return new ListExpr(line, items, IsTuple: true);
    }

    private Expr ParseExpression()
    {
        using var _ = Nest();
        int line = Current.Line;
        var expr = ParseOr();
        while (SkipName("if"))
        {
            var condition = ParseOr();
            Expr? otherwise = SkipName("else") ? ParseExpression() : null;
            expr = new ConditionalExpr(line, condition, expr, otherwise);
        }
        return expr;
    }

    private Expr ParseOr()
    {
        var left = ParseAnd();
        while (IsName("or"))
        {
            int line = Next().Line;
            left = new BinaryExpr(line, "or", left, ParseAnd());
        }
        return left;
    }

    private Expr ParseAnd()
    {
        var left = ParseNot();
        while (IsName("and"))
        {
            int line = Next().Line;
            left = new BinaryExpr(line, "and", left, ParseNot());
        }
        return left;
    }

    private Expr ParseNot()
    {
        if (IsName("not"))
        {
            int line = Next().Line;
            return new UnaryExpr(line, "not", ParseNot());
        }
        return ParseCompare();
    }

    private Expr ParseCompare()
    {
        int line = Current.Line;
        var first = ParseMath1();
        var rest = new List<(string, Expr)>();
        while (true)
        {
            if (Current.Kind == TokenKind.Operator && Current.Value is "==" or "!=" or "<" or ">" or "<=" or ">=")
            {
                string op = Next().Value;
                rest.Add((op, ParseMath1()));
            }
            else if (SkipName("in"))
                rest.Add(("in", ParseMath1()));
            else if (IsName("not") && _tokens[_pos + 1].Kind == TokenKind.Name && _tokens[_pos + 1].Value == "in")
            {
                _pos += 2;
                rest.Add(("notin", ParseMath1()));
            }
            else break;
        }
        return rest.Count == 0 ? first : new CompareExpr(line, first, rest);
    }

    private Expr ParseMath1()
    {
        var left = ParseConcat();
        while (Current.Kind == TokenKind.Operator && Current.Value is "+" or "-")
        {
            var t = Next();
            left = new BinaryExpr(t.Line, t.Value, left, ParseConcat());
        }
        return left;
    }

    private Expr ParseConcat()
    {
        var left = ParseMath2();
        while (IsOp("~"))
        {
            int line = Next().Line;
            left = new BinaryExpr(line, "~", left, ParseMath2());
        }
        return left;
    }

    private Expr ParseMath2()
    {
        var left = ParsePow();
        while (Current.Kind == TokenKind.Operator && Current.Value is "*" or "/" or "//" or "%")
        {
            var t = Next();
            left = new BinaryExpr(t.Line, t.Value, left, ParsePow());
        }
        return left;
    }

    private Expr ParsePow()
    {
        var left = ParseUnary(withFilter: true);
        while (IsOp("**"))
        {
            int line = Next().Line;
            left = new BinaryExpr(line, "**", left, ParseUnary(withFilter: true));
        }
        return left;
    }

    private Expr ParseUnary(bool withFilter)
    {
        using var _ = Nest();
        int line = Current.Line;
        Expr node;
        if (SkipOp("-"))
            node = new UnaryExpr(line, "-", ParseUnary(withFilter: false));
        else if (SkipOp("+"))
            node = new UnaryExpr(line, "+", ParseUnary(withFilter: false));
        else
            node = ParsePostfix(ParsePrimary());
        return withFilter ? ParseFilterChain(node) : node;
    }

    private Expr ParsePrimary()
    {
        var t = Next();
        switch (t.Kind)
        {
            case TokenKind.Name:
                return t.Value switch
                {
                    "true" or "True" => new LiteralExpr(t.Line, true),
                    "false" or "False" => new LiteralExpr(t.Line, false),
                    "none" or "None" => new LiteralExpr(t.Line, null),
                    _ => new NameExpr(t.Line, t.Value),
                };
            case TokenKind.String:
                string s = t.Value;
                while (Current.Kind == TokenKind.String)
                    s += Next().Value;
                return new LiteralExpr(t.Line, s);
            case TokenKind.Integer:
                return new LiteralExpr(t.Line, long.Parse(t.Value, CultureInfo.InvariantCulture));
            case TokenKind.Float:
                return new LiteralExpr(t.Line, double.Parse(t.Value, CultureInfo.InvariantCulture));
            case TokenKind.Operator when t.Value == "(":
                if (SkipOp(")"))
                    return new ListExpr(t.Line, [], IsTuple: true);
                var inner = ParseExpression();
                if (IsOp(","))
                {
                    var items = new List<Expr> { inner };
                    while (SkipOp(","))
                    {
                        if (IsOp(")")) break;
                        items.Add(ParseExpression());
                    }
                    ExpectOp(")");
                    return new ListExpr(t.Line, items, IsTuple: true);
                }
                ExpectOp(")");
                return inner;
            case TokenKind.Operator when t.Value == "[":
            {
                var items = new List<Expr>();
                while (!IsOp("]"))
                {
                    if (items.Count > 0) ExpectOp(",");
                    if (IsOp("]")) break;
                    items.Add(ParseExpression());
                }
                ExpectOp("]");
                return new ListExpr(t.Line, items, IsTuple: false);
            }
            case TokenKind.Operator when t.Value == "{":
            {
                var pairs = new List<(Expr, Expr)>();
                while (!IsOp("}"))
                {
                    if (pairs.Count > 0) ExpectOp(",");
                    if (IsOp("}")) break;
                    var key = ParseExpression();
                    ExpectOp(":");
                    pairs.Add((key, ParseExpression()));
                }
                ExpectOp("}");
                return new DictExpr(t.Line, pairs);
            }
            default:
                throw new TemplateError(t.Line, $"unexpected {Describe(t)} in an expression");
        }
    }

    private Expr ParsePostfix(Expr node)
    {
        while (true)
        {
            int line = Current.Line;
            if (SkipOp("."))
            {
                if (Current.Kind == TokenKind.Integer)
                    node = new ItemExpr(line, node, new LiteralExpr(line, long.Parse(Next().Value, CultureInfo.InvariantCulture)));
                else
                    node = new AttributeExpr(line, node, ExpectName());
            }
            else if (SkipOp("["))
                node = ParseSubscript(line, node);
            else if (IsOp("("))
                node = new CallExpr(line, node, ParseArguments());
            else
                return node;
        }
    }

    private Expr ParseSubscript(int line, Expr target)
    {
        Expr? start = null, stop = null, step = null;
        if (!IsOp(":"))
        {
            start = ParseExpression();
            if (SkipOp("]"))
                return new ItemExpr(line, target, start);
        }
        ExpectOp(":");
        if (!IsOp("]") && !IsOp(":"))
            stop = ParseExpression();
        if (SkipOp(":") && !IsOp("]"))
            step = ParseExpression();
        ExpectOp("]");
        return new SliceExpr(line, target, start, stop, step);
    }

    private Arguments ParseArguments()
    {
        ExpectOp("(");
        var positional = new List<Expr>();
        var named = new List<(string, Expr)>();
        while (!IsOp(")"))
        {
            if (positional.Count + named.Count > 0) ExpectOp(",");
            if (IsOp(")")) break;
            if (Current.Kind == TokenKind.Name && _tokens[_pos + 1].Kind == TokenKind.Operator && _tokens[_pos + 1].Value == "=")
            {
                string name = Next().Value;
                _pos++;
                named.Add((name, ParseExpression()));
            }
            else
            {
                if (named.Count > 0)
                    throw new TemplateError(Current.Line, "a positional argument follows a keyword argument");
                positional.Add(ParseExpression());
            }
        }
        ExpectOp(")");
        return new Arguments(positional, named);
    }

    private Expr ParseFilterChain(Expr node)
    {
        while (true)
        {
            int line = Current.Line;
            if (SkipOp("|"))
            {
                string name = ExpectName();
                while (SkipOp(".")) name += "." + ExpectName();
                node = new FilterExpr(line, node, name, IsOp("(") ? ParseArguments() : Arguments.None);
            }
            else if (SkipName("is"))
            {
                bool negated = SkipName("not");
                string name = Current.Kind == TokenKind.Name ? Next().Value
                    : Current.Kind == TokenKind.Operator && Current.Value is "==" or "!=" or "<" or ">" or "<=" or ">=" ? Next().Value
                    : throw new TemplateError(line, $"expected a test name after 'is', found {Describe(Current)}");
                Arguments args = Arguments.None;
                if (IsOp("("))
                    args = ParseArguments();
                else if (Current.Kind is TokenKind.String or TokenKind.Integer or TokenKind.Float
                         || (Current.Kind == TokenKind.Operator && Current.Value is "[" or "{")
                         || (Current.Kind == TokenKind.Name && Current.Value is not ("else" or "or" or "and" or "if" or "is" or "in" or "not")))
                    args = new Arguments([ParsePostfix(ParsePrimary())], []);
                node = new TestExpr(line, node, name, args, negated);
            }
            else if (IsOp("("))
                node = new CallExpr(line, node, ParseArguments());
            else
                return node;
        }
    }
}
