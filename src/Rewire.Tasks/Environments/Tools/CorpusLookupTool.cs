using System.Text.Json.Nodes;

namespace Rewire.Tasks.Environments.Tools;

/// <summary>
/// The search environment's corpus lookup as a tool: <c>{"name": "lookup", "arguments": {"query": "zoka city"}}</c> returns
/// the best-matching documents of the episode's knowledge base, one per line ("d7: zoka city pelu"), or "no results".
/// </summary>
/// <param name="lookup">The corpus search: query terms to the matching documents' texts, best first.</param>
public sealed class CorpusLookupTool(Func<string[], IReadOnlyList<string>> lookup) : ITool
{
    /// <inheritdoc />
    public string Name => "lookup";

    /// <inheritdoc />
    public string Description => "lookup(query): the documents of the knowledge base that best match the query's terms";

    /// <inheritdoc />
    public ToolResult Invoke(JsonObject arguments)
    {
        var query = ToolBox.StringArgument(arguments, "query", Name);
        var terms = query.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (terms.Length == 0) return ToolResult.Error("lookup: the query has no terms");
        var docs = lookup(terms);
        return new ToolResult(docs.Count == 0 ? "no results" : string.Join('\n', docs), true);
    }
}
