using System.Text;

namespace Rewire.HuggingFace.ChatTemplates;

/// <summary>Executes a parsed template. Scopes follow jinja2: a for loop's body (each iteration) and a macro call get
/// their own scope, so <c>set</c> inside them is not seen outside (hence <c>namespace()</c>); <c>if</c> opens none.</summary>
internal sealed class TemplateInterpreter
{
    private enum Flow { Normal, Break, Continue }

    private sealed class Scope(Scope? parent)
    {
        public Scope? Parent { get; } = parent;
        public Dictionary<string, object?> Variables { get; } = new(StringComparer.Ordinal);

        public bool TryGet(string name, out object? value)
        {
            for (var s = this; s is not null; s = s.Parent)
                if (s.Variables.TryGetValue(name, out value))
                    return true;
            value = null;
            return false;
        }
    }

    /// <summary>Macro calls nested deeper than this are an error (a recursive macro would otherwise exhaust the stack;
    /// Python's recursion limit stops jinja2 at a similar depth).</summary>
    public const int MaxCallDepth = 100;

    private readonly Scope _globals;
    private int _callDepth;
    private readonly Scope _root;
    private int _line;
    private int _depth;

    public TemplateInterpreter(IReadOnlyDictionary<string, object?> globals)
    {
        _globals = new Scope(null);
        foreach (var (k, v) in globals)
            _globals.Variables[k] = v;
        _root = new Scope(_globals);
    }

    public string Render(IReadOnlyList<Node> nodes)
    {
        var sb = new StringBuilder();
        try
        {
            Execute(nodes, _root, sb, 0);
        }
        catch (TemplateRuntimeError e)
        {
            throw new TemplateError(_line, e.Message);
        }
        catch (OverflowException)
        {
            throw new TemplateError(_line, "integer overflow (Rewire's integers are 64-bit)");
        }
        return sb.ToString();
    }

    private Flow Execute(IReadOnlyList<Node> nodes, Scope scope, StringBuilder output, int loopDepth)
    {
        foreach (var node in nodes)
        {
            _line = node.Line;
            switch (node)
            {
                case TextNode t:
                    output.Append(t.Text);
                    break;
                case OutputNode o:
                    output.Append(Py.Str(Evaluate(o.Value, scope)));
                    break;
                case IfNode i:
                {
                    IReadOnlyList<Node> chosen = i.Else;
                    foreach (var (condition, body) in i.Branches)
                        if (Py.Truth(Evaluate(condition, scope))) { chosen = body; break; }
                    var flow = Execute(chosen, scope, output, loopDepth);
                    if (flow != Flow.Normal) return flow;
                    break;
                }
                case ForNode f:
                    ExecuteFor(f, scope, output, loopDepth);
                    break;
                case SetNode s:
                    ExecuteSet(s, scope);
                    break;
                case SetBlockNode sb:
                {
                    var captured = new StringBuilder();
                    Execute(sb.Body, scope, captured, loopDepth);
                    scope.Variables[sb.Target] = captured.ToString();
                    break;
                }
                case MacroNode m:
                    scope.Variables[m.Name] = MakeMacro(m.Name, m.Parameters, m.Body, scope);
                    break;
                case CallBlockNode c:
                {
                    var caller = MakeMacro("caller", c.Parameters, c.Body, scope);
                    var target = Evaluate(c.Call.Target, scope);
                    var (positional, named) = EvaluateArguments(c.Call.Args, scope);
                    named["caller"] = caller;
                    output.Append(Py.Str(Call(target, positional, named)));
                    break;
                }
                case FilterBlockNode fb:
                {
                    var captured = new StringBuilder();
                    Execute(fb.Body, scope, captured, loopDepth);
                    object? value = captured.ToString();
                    foreach (var (name, args) in fb.Filters)
                    {
                        var (positional, named) = EvaluateArguments(args, scope);
                        value = TemplateFilters.Apply(name, value, positional, named);
                    }
                    output.Append(Py.Str(value));
                    break;
                }
                case GenerationNode g:
                {
                    var flow = Execute(g.Body, scope, output, loopDepth);
                    if (flow != Flow.Normal) return flow;
                    break;
                }
                case BreakNode:
                    if (loopDepth == 0) throw new TemplateRuntimeError("'break' outside a for loop");
                    return Flow.Break;
                case ContinueNode:
                    if (loopDepth == 0) throw new TemplateRuntimeError("'continue' outside a for loop");
                    return Flow.Continue;
                default:
                    throw new InvalidOperationException(node.GetType().Name);
            }
        }
        return Flow.Normal;
    }

    private void ExecuteFor(ForNode f, Scope scope, StringBuilder output, int loopDepth)
    {
        var source = Evaluate(f.Iterable, scope);
        var items = Py.Iterate(source);
        if (f.Filter is not null)
        {
            var kept = new List<object?>();
            foreach (var item in items)
            {
                var probe = new Scope(scope);
                Bind(probe, f.Targets, item);
                if (Py.Truth(Evaluate(f.Filter, probe))) kept.Add(item);
            }
            items = kept;
        }
        if (items.Count == 0)
        {
            Execute(f.Else, new Scope(scope), output, loopDepth);
            return;
        }
        _depth++;
        var loop = new LoopContext(items, _depth);
        try
        {
            for (int i = 0; i < items.Count; i++)
            {
                loop.Index0 = i;
                var iteration = new Scope(scope);
                iteration.Variables["loop"] = loop;
                Bind(iteration, f.Targets, items[i]);
                if (Execute(f.Body, iteration, output, loopDepth + 1) == Flow.Break)
                    break;
            }
        }
        finally
        {
            _depth--;
        }
    }

    private static void Bind(Scope scope, IReadOnlyList<string> targets, object? item)
    {
        if (targets.Count == 1)
        {
            scope.Variables[targets[0]] = item;
            return;
        }
        var values = Py.Iterate(item);
        if (values.Count != targets.Count)
            throw new TemplateRuntimeError($"cannot unpack {values.Count} values into {targets.Count} names");
        for (int i = 0; i < targets.Count; i++)
            scope.Variables[targets[i]] = values[i];
    }

    private void ExecuteSet(SetNode s, Scope scope)
    {
        var value = Evaluate(s.Value, scope);
        if (s.Attribute is not null)
        {
            if (!scope.TryGet(s.Targets[0], out var target) || target is not Namespace ns)
                throw new TemplateRuntimeError($"cannot assign attribute on non-namespace object '{s.Targets[0]}'");
            ns.Attributes[s.Attribute] = value;
            return;
        }
        if (s.Targets.Count == 1)
            scope.Variables[s.Targets[0]] = value;
        else
            Bind(scope, s.Targets, value);
    }

    private JinjaCallable MakeMacro(string name, IReadOnlyList<(string Name, Expr? Default)> parameters, IReadOnlyList<Node> body, Scope definedIn)
    {
        return new JinjaCallable(name, (positional, named) =>
        {
            var scope = new Scope(definedIn);
            if (positional.Count > parameters.Count)
                throw new TemplateRuntimeError($"macro '{name}' takes not more than {parameters.Count} argument(s)");
            for (int i = 0; i < parameters.Count; i++)
            {
                var (pname, def) = parameters[i];
                if (i < positional.Count) scope.Variables[pname] = positional[i];
                else if (named.Remove(pname, out var v)) scope.Variables[pname] = v;
                else scope.Variables[pname] = def is null ? new Undefined($"parameter '{pname}' was not provided") : Evaluate(def, scope);
            }
            if (named.Remove("caller", out var c)) scope.Variables["caller"] = c;
            if (named.Count > 0)
                throw new TemplateRuntimeError($"macro '{name}' takes no keyword argument '{named.Keys.First()}'");
            if (_callDepth >= MaxCallDepth)
                throw new TemplateRuntimeError($"macro calls nested more than {MaxCallDepth} deep (recursion without end?)");
            var sb = new StringBuilder();
            int saved = _line;
            _callDepth++;
            try
            {
                Execute(body, scope, sb, 0);
            }
            finally
            {
                _callDepth--;
            }
            _line = saved;
            return sb.ToString();
        });
    }

    private object? Evaluate(Expr expr, Scope scope)
    {
        switch (expr)
        {
            case LiteralExpr l:
                return l.Value;
            case NameExpr n:
                return scope.TryGet(n.Name, out var v) ? v : new Undefined($"'{n.Name}' is undefined");
            case ListExpr l:
                return l.IsTuple ? new PyTuple(l.Items.Select(i => Evaluate(i, scope))) : l.Items.Select(i => Evaluate(i, scope)).ToList();
            case DictExpr d:
            {
                var dict = new JinjaDict();
                foreach (var (k, val) in d.Pairs)
                {
                    var key = Evaluate(k, scope);
                    dict[key as string ?? Py.Str(key)] = Evaluate(val, scope);
                }
                return dict;
            }
            case AttributeExpr a:
                return TemplateMembers.GetAttribute(Evaluate(a.Target, scope), a.Name);
            case ItemExpr i:
                return TemplateMembers.GetItem(Evaluate(i.Target, scope), Evaluate(i.Index, scope));
            case SliceExpr s:
                return TemplateMembers.Slice(Evaluate(s.Target, scope),
                    s.Start is null ? null : Evaluate(s.Start, scope),
                    s.Stop is null ? null : Evaluate(s.Stop, scope),
                    s.Step is null ? null : Evaluate(s.Step, scope));
            case CallExpr c:
            {
                var target = Evaluate(c.Target, scope);
                var (positional, named) = EvaluateArguments(c.Args, scope);
                return Call(target, positional, named);
            }
            case FilterExpr f:
            {
                var value = Evaluate(f.Value, scope);
                var (positional, named) = EvaluateArguments(f.Args, scope);
                _line = f.Line;
                return TemplateFilters.Apply(f.Name, value, positional, named);
            }
            case TestExpr t:
            {
                var value = Evaluate(t.Value, scope);
                var (positional, _) = EvaluateArguments(t.Args, scope);
                _line = t.Line;
                bool result = TemplateTests.Apply(t.Name, value, positional);
                return t.Negated ? !result : result;
            }
            case UnaryExpr u:
            {
                var operand = Evaluate(u.Operand, scope);
                return u.Op switch
                {
                    "not" => !Py.Truth(operand),
                    "-" => operand switch
                    {
                        long x => (object)(-x),
                        double x => -x,
                        bool b => b ? -1L : 0L,
                        Undefined un => throw un.Fail(),
                        _ => throw new TemplateRuntimeError($"bad operand type for unary -: '{Py.TypeName(operand)}'"),
                    },
                    _ => Py.IsNumber(operand) ? operand : throw new TemplateRuntimeError($"bad operand type for unary +: '{Py.TypeName(operand)}'"),
                };
            }
            case BinaryExpr b:
                if (b.Op == "and")
                {
                    var left = Evaluate(b.Left, scope);
                    return Py.Truth(left) ? Evaluate(b.Right, scope) : left;
                }
                if (b.Op == "or")
                {
                    var left = Evaluate(b.Left, scope);
                    return Py.Truth(left) ? left : Evaluate(b.Right, scope);
                }
                {
                    var left = Evaluate(b.Left, scope);
                    var right = Evaluate(b.Right, scope);
                    _line = b.Line;
                    return TemplateOperators.Binary(b.Op, left, right);
                }
            case CompareExpr c:
            {
                var left = Evaluate(c.First, scope);
                foreach (var (op, operandExpr) in c.Rest)
                {
                    var right = Evaluate(operandExpr, scope);
                    _line = c.Line;
                    if (!TemplateOperators.Compare(op, left, right))
                        return false;
                    left = right;
                }
                return true;
            }
            case ConditionalExpr c:
                if (Py.Truth(Evaluate(c.Condition, scope)))
                    return Evaluate(c.Then, scope);
                return c.Else is null ? new Undefined("the conditional expression evaluated to false and has no else section") : Evaluate(c.Else, scope);
            default:
                throw new InvalidOperationException(expr.GetType().Name);
        }
    }

    private (List<object?>, Dictionary<string, object?>) EvaluateArguments(Arguments args, Scope scope)
    {
        var positional = new List<object?>(args.Positional.Count);
        foreach (var p in args.Positional)
            positional.Add(Evaluate(p, scope));
        var named = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in args.Named)
            named[name] = Evaluate(value, scope);
        return (positional, named);
    }

    public static object? Call(object? target, List<object?> positional, Dictionary<string, object?> named) => target switch
    {
        JinjaCallable c => c.Invoke(positional, named),
        Undefined u => throw u.Fail(),
        _ => throw new TemplateRuntimeError($"'{Py.TypeName(target)}' object is not callable"),
    };
}
