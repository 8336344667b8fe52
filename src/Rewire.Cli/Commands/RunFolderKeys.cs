using System.Globalization;

namespace Rewire.Cli.Commands;

/// <summary>
/// The `run.seed`, `run.output` and `run.name` keys that `rewire branch` and `rewire recommend` read the same way: an
/// integer seed, a non-empty parent folder, a folder-name part of letters, digits, '-', '_' and '.'.
/// </summary>
internal static class RunFolderKeys
{
    /// <summary>Applies <paramref name="key"/> if it is one of the three keys (adding any problem to <paramref name="errors"/>); false for any other key.</summary>
    public static bool TryApply(string key, string value, ref int seed, ref string output, ref string name, List<string> errors)
    {
        switch (key)
        {
            case "run.seed":
                if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out seed)) errors.Add($"run.seed={value} is not an integer");
                return true;
            case "run.output":
                if (value.Length == 0) errors.Add("run.output is empty; give a folder");
                output = value;
                return true;
            case "run.name":
                if (value.Length == 0 || value.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
                    errors.Add($"run.name '{value}' may hold only letters, digits, '-', '_' and '.'");
                name = value;
                return true;
            default:
                return false;
        }
    }
}
