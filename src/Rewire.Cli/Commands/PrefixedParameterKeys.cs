using Rewire.Core.Techniques;

namespace Rewire.Cli.Commands;

/// <summary>
/// The `PREFIX.&lt;parameter&gt;` keys of `rewire qd` (qd.), `rewire branch` (branch.) and `rewire recommend` (recommend.):
/// each names a parameter of the chosen algorithm's descriptor and is checked by that parameter's type and range.
/// </summary>
internal static class PrefixedParameterKeys
{
    /// <summary>
    /// Applies <paramref name="key"/> if it starts with <paramref name="prefix"/> (for example "qd."): its canonical value
    /// goes to <paramref name="parameters"/>, or a problem that names the algorithm's parameters to
    /// <paramref name="errors"/>. False for a key without the prefix. With no <paramref name="descriptor"/> (an unknown
    /// algorithm, already reported) the key is taken and nothing is checked.
    /// </summary>
    public static bool TryApply(string prefix, string key, string value, TechniqueDescriptor? descriptor, IDictionary<string, string> parameters, List<string> errors)
    {
        if (!key.StartsWith(prefix, StringComparison.Ordinal)) return false;
        if (descriptor is null) return true;
        var p = descriptor.Parameter(key[prefix.Length..]);
        if (p is null)
        {
            errors.Add($"{key} is not a parameter of {descriptor.Name}; its parameters: {string.Join(", ", descriptor.Parameters.Select(x => prefix + x.Name))}");
            return true;
        }
        string? canonical = p.Check(value, out string problem);
        if (canonical is null) errors.Add($"{key}={value} {problem}");
        else parameters[p.Name] = canonical;
        return true;
    }
}
