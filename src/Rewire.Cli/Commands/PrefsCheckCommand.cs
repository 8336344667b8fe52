using System.ComponentModel;
using System.Text.Json.Nodes;
using Rewire.Tasks.Preferences;
using Spectre.Console.Cli;

namespace Rewire.Cli.Commands;

/// <summary>
/// `rewire prefs check FILE`: reads a preference JSONL file line by line as the trainer would and prints its form and
/// record count; the first bad line is named (exit code 2).
/// </summary>
public sealed class PrefsCheckCommand : Command<PrefsCheckCommand.Settings>
{
    /// <summary>The options of `rewire prefs check`.</summary>
    public sealed class Settings : CommandSettings
    {
        /// <summary>The file to check.</summary>
        [CommandArgument(0, "<FILE>")]
        [Description("A preference JSONL file (paired, conversational or unpaired records).")]
        public string File { get; init; } = "";

        /// <summary>Print the result as JSON.</summary>
        [CommandOption("--json")]
        [Description("Print the result as one JSON document.")]
        public bool Json { get; init; }
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        int count = 0;
        var forms = new SortedSet<string>(StringComparer.Ordinal);
        try
        {
            foreach (var r in PreferenceJsonlReader.Read(settings.File))
            {
                count++;
                forms.Add(r.Form.ToString().ToLowerInvariant());
            }
        }
        catch (PreferenceFormatException e)
        {
            Console.Error.WriteLine("rewire prefs check: " + TerminalText.Clean(e.Message));
            return ExitCodes.Refused;
        }
        var o = new JsonObject { ["file"] = Path.GetFullPath(settings.File), ["records"] = count, ["forms"] = new JsonArray(forms.Select(f => (JsonNode)f).ToArray()) };
        if (settings.Json) JsonOutput.Write(o);
        else Console.Out.WriteLine($"{settings.File}: {count} records ({string.Join(", ", forms)})");
        return ExitCodes.Done;
    }
}
