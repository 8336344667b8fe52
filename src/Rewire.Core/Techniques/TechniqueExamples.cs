namespace Rewire.Core.Techniques;

/// <summary>
/// Builds the <see cref="TechniqueDescriptor.Example"/> argument lists of techniques that run in `rewire train`: a short
/// run (a 100-step supervised warm start, 3 RL steps, a 50-prompt test set) with the technique's own settings, printing
/// the run summary as JSON. Settings are `key=value` elements without spaces.
/// </summary>
public static class TechniqueExamples
{
    /// <summary>The settings every short training example uses, after the technique's own.</summary>
    public static readonly IReadOnlyList<string> ShortRun = ["rl.steps=3", "sft.steps=100", "task.test_size=50"];

    /// <summary>["train", settings..., short-run settings not overridden by them..., "--json"].</summary>
    public static IReadOnlyList<string> Train(params string[] settings)
    {
        var keys = settings.Select(s => s.Split('=')[0]).ToHashSet(StringComparer.Ordinal);
        return ["train", .. settings, .. ShortRun.Where(s => !keys.Contains(s.Split('=')[0])), "--json"];
    }
}
