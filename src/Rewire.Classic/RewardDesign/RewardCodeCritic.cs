using System.Text.RegularExpressions;

namespace Rewire.Classic.RewardDesign;

/// <summary>The critic's verdict and, when it rejects, what to change.</summary>
public sealed record CriticVerdict(bool Passed, string Feedback);

/// <summary>
/// Auto MC-Reward's Reward Critic ("Auto MC-Reward", Li et al., CVPR 2024), here without a language model: it rejects
/// code that does not define <c>sparse(obs)</c> and <c>dense(obs)</c>, reads an observation field the environment does
/// not provide, imports anything but <c>math</c>, or fails a test call on sample observations (an error, a wrong count or a
/// non-finite value); the feedback names the problem so the designer can revise.
/// </summary>
public sealed partial class RewardCodeCritic(IReadOnlyList<string> fields, IRewardCodeRunner runner, IReadOnlyList<IReadOnlyDictionary<string, double>> samples)
{
    [GeneratedRegex(@"obs\s*\[\s*['""]([A-Za-z_][A-Za-z0-9_]*)['""]\s*\]", RegexOptions.CultureInvariant)]
    private static partial Regex FieldAccess();

    [GeneratedRegex(@"^\s*(?:import\s+([A-Za-z0-9_., ]+)|from\s+([A-Za-z0-9_.]+)\s+import)", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex ImportLine();

    /// <summary>
    /// Reviews <paramref name="code"/>: static checks first, then a test call on the sample observations; the verdict
    /// lists every problem found.
    /// </summary>
    public CriticVerdict Review(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        var problems = new List<string>();
        if (!Regex.IsMatch(code, @"^def\s+sparse\s*\(\s*obs\s*\)", RegexOptions.Multiline)) problems.Add("define sparse(obs), returning the task reward's sign");
        if (!Regex.IsMatch(code, @"^def\s+dense\s*\(\s*obs\s*\)", RegexOptions.Multiline)) problems.Add("define dense(obs), returning the shaping reward's sign");
        var unknown = FieldAccess().Matches(code).Select(m => m.Groups[1].Value).Where(f => !fields.Contains(f)).Distinct().ToList();
        if (unknown.Count > 0) problems.Add($"the observation has no field {string.Join(", ", unknown)}; use only {string.Join(", ", fields)}");
        foreach (Match m in ImportLine().Matches(code))
        {
            var modules = (m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var bad = modules.Select(x => x.Split(' ')[0]).Where(x => x != "math").ToList();
            if (bad.Count > 0) problems.Add($"do not import {string.Join(", ", bad)} (only math)");
        }
        if (problems.Count > 0) return new CriticVerdict(false, "Rejected: " + string.Join("; ", problems) + ".");
        if (samples.Count == 0) return new CriticVerdict(true, "Accepted (no sample observations to test on).");
        var run = runner.Run(code, samples);
        if (!run.Ok) return new CriticVerdict(false, $"Rejected: the test call failed: {run.Error}");
        if (run.Values!.Count != samples.Count) return new CriticVerdict(false, $"Rejected: the test call returned {run.Values.Count} values for {samples.Count} observations.");
        if (run.Values.Any(v => !double.IsFinite(v.Sparse) || !double.IsFinite(v.Dense))) return new CriticVerdict(false, "Rejected: sparse or dense returned a non-finite value on the test observations.");
        return new CriticVerdict(true, "Accepted.");
    }
}
