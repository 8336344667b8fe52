using System.Reflection;

namespace Rewire.Core.Techniques;

/// <summary>
/// Checks that descriptors are well formed: a known kind, names unique per kind, a summary and a paper, an example whose
/// elements have no spaces or glob characters, requirements that are <see cref="BatchColumns"/> names, parameter names
/// unique, and every parameter's default accepted by its own <see cref="TechniqueParameter.Check"/> unchanged.
/// </summary>
public static class TechniqueDescriptorChecks
{
    /// <summary>Every value of the <see cref="BatchColumns"/> constants.</summary>
    public static IReadOnlySet<string> ColumnNames { get; } = typeof(BatchColumns)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToHashSet(StringComparer.Ordinal);

    private static readonly char[] Forbidden = [' ', '\t', '\n', '*', '?', '[', ']'];

    /// <summary>Every problem found, each naming the descriptor; empty when all are well formed.</summary>
    public static IReadOnlyList<string> Problems(IEnumerable<TechniqueDescriptor> descriptors)
    {
        ArgumentNullException.ThrowIfNull(descriptors);
        var problems = new List<string>();
        var seen = new HashSet<(string, string)>();
        foreach (var d in descriptors)
        {
            string id = $"{d.Kind} '{d.Name}'";
            if (!TechniqueKinds.All.Contains(d.Kind)) problems.Add($"{id}: unknown kind");
            if (!seen.Add((d.Kind, d.Name))) problems.Add($"{id}: described twice");
            if (string.IsNullOrWhiteSpace(d.Name) || d.Name.Any(char.IsWhiteSpace)) problems.Add($"{id}: empty name or whitespace in the name");
            if (string.IsNullOrWhiteSpace(d.Summary)) problems.Add($"{id}: no summary");
            if (string.IsNullOrWhiteSpace(d.Paper)) problems.Add($"{id}: no paper");
            if (d.Spec is { } spec && string.IsNullOrWhiteSpace(spec)) problems.Add($"{id}: blank spec (use null)");
            if (d.Example.Count == 0) problems.Add($"{id}: no example");
            foreach (var e in d.Example)
                if (e.Length == 0 || e.IndexOfAny(Forbidden) >= 0) problems.Add($"{id}: example element '{e}' is empty or has a space or glob character");
            foreach (var r in d.Requires)
                if (!ColumnNames.Contains(r)) problems.Add($"{id}: requires '{r}', which is not a BatchColumns name");
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var p in d.Parameters)
            {
                if (!names.Add(p.Name)) problems.Add($"{id}: parameter '{p.Name}' declared twice");
                if (string.IsNullOrWhiteSpace(p.Meaning)) problems.Add($"{id}: parameter '{p.Name}' has no meaning");
                string? canonical = p.Check(p.Default, out string problem);
                if (canonical is null) problems.Add($"{id}: default of '{p.Name}' ('{p.Default}') {problem}");
                else if (canonical != p.Default) problems.Add($"{id}: default of '{p.Name}' is '{p.Default}', not in canonical form '{canonical}'");
                if (p.Type == ParameterType.Choice && p.Choices.Count == 0) problems.Add($"{id}: choice parameter '{p.Name}' has no choices");
            }
        }
        return problems;
    }
}
