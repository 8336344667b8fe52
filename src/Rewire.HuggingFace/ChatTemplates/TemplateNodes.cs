namespace Rewire.HuggingFace.ChatTemplates;

// The syntax tree of a parsed template. Every node carries the template line it starts on, for error messages.

internal abstract record Expr(int Line);
internal sealed record LiteralExpr(int Line, object? Value) : Expr(Line);
internal sealed record NameExpr(int Line, string Name) : Expr(Line);
internal sealed record ListExpr(int Line, IReadOnlyList<Expr> Items, bool IsTuple) : Expr(Line);
internal sealed record DictExpr(int Line, IReadOnlyList<(Expr Key, Expr Value)> Pairs) : Expr(Line);
internal sealed record AttributeExpr(int Line, Expr Target, string Name) : Expr(Line);
internal sealed record ItemExpr(int Line, Expr Target, Expr Index) : Expr(Line);
internal sealed record SliceExpr(int Line, Expr Target, Expr? Start, Expr? Stop, Expr? Step) : Expr(Line);
internal sealed record Arguments(IReadOnlyList<Expr> Positional, IReadOnlyList<(string Name, Expr Value)> Named)
{
    public static readonly Arguments None = new([], []);
}
internal sealed record CallExpr(int Line, Expr Target, Arguments Args) : Expr(Line);
internal sealed record FilterExpr(int Line, Expr Value, string Name, Arguments Args) : Expr(Line);
internal sealed record TestExpr(int Line, Expr Value, string Name, Arguments Args, bool Negated) : Expr(Line);
internal sealed record UnaryExpr(int Line, string Op, Expr Operand) : Expr(Line);
internal sealed record BinaryExpr(int Line, string Op, Expr Left, Expr Right) : Expr(Line);
internal sealed record CompareExpr(int Line, Expr First, IReadOnlyList<(string Op, Expr Operand)> Rest) : Expr(Line);
internal sealed record ConditionalExpr(int Line, Expr Condition, Expr Then, Expr? Else) : Expr(Line);

internal abstract record Node(int Line);
internal sealed record TextNode(int Line, string Text) : Node(Line);
internal sealed record OutputNode(int Line, Expr Value) : Node(Line);
internal sealed record IfNode(int Line, IReadOnlyList<(Expr Condition, IReadOnlyList<Node> Body)> Branches, IReadOnlyList<Node> Else) : Node(Line);
internal sealed record ForNode(int Line, IReadOnlyList<string> Targets, Expr Iterable, Expr? Filter, IReadOnlyList<Node> Body, IReadOnlyList<Node> Else) : Node(Line);
/// <summary><c>{% set a = x %}</c>, <c>{% set a, b = x %}</c> or <c>{% set ns.attr = x %}</c> (Attribute non-null).</summary>
internal sealed record SetNode(int Line, IReadOnlyList<string> Targets, string? Attribute, Expr Value) : Node(Line);
internal sealed record SetBlockNode(int Line, string Target, IReadOnlyList<Node> Body) : Node(Line);
internal sealed record MacroNode(int Line, string Name, IReadOnlyList<(string Name, Expr? Default)> Parameters, IReadOnlyList<Node> Body) : Node(Line);
internal sealed record CallBlockNode(int Line, CallExpr Call, IReadOnlyList<(string Name, Expr? Default)> Parameters, IReadOnlyList<Node> Body) : Node(Line);
internal sealed record FilterBlockNode(int Line, IReadOnlyList<(string Name, Arguments Args)> Filters, IReadOnlyList<Node> Body) : Node(Line);
internal sealed record BreakNode(int Line) : Node(Line);
internal sealed record ContinueNode(int Line) : Node(Line);
/// <summary>Hugging Face's <c>{% generation %}</c> block (marks assistant tokens for a mask): renders its body.</summary>
internal sealed record GenerationNode(int Line, IReadOnlyList<Node> Body) : Node(Line);
