namespace Rewire.Core.Techniques;

/// <summary>
/// Resolution for code that builds a technique directly from key/value settings (the registries' name-based entry
/// points and tests), where a bad setting is a programming or configuration error: it throws instead of collecting.
/// </summary>
public static class TechniqueResolution
{
    /// <summary>The technique with <paramref name="settings"/> applied and every other parameter at its default.</summary>
    /// <exception cref="ArgumentException">A setting is not a parameter of the technique or has a bad value; the message names each.</exception>
    public static ResolvedTechnique Resolve(TechniqueDescriptor descriptor, IReadOnlyDictionary<string, string>? settings = null)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var errors = new List<string>();
        var resolved = TechniqueCatalog.Resolve(descriptor, settings ?? new Dictionary<string, string>(), "", errors);
        return errors.Count == 0 ? resolved : throw new ArgumentException($"{descriptor.Name}: {string.Join("; ", errors)}.");
    }

    /// <summary>A descriptor with no parameters, for a technique registered without one (tests, extensions).</summary>
    public static TechniqueDescriptor Undescribed(string kind, string name) => new()
    {
        Kind = kind,
        Name = name,
        Summary = $"{kind} '{name}' (registered without a descriptor)",
        Paper = "none",
        Example = ["list", name],
    };
}
