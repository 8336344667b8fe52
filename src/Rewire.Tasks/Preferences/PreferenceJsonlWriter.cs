using System.Text;
using System.Text.Json.Nodes;
using Rewire.Core.Runs;

namespace Rewire.Tasks.Preferences;

/// <summary>Writes preference records as JSONL (the paired form, with the optional figures), atomically: the file is complete or absent.</summary>
public static class PreferenceJsonlWriter
{
    /// <summary>One record as its JSON line (no newline).</summary>
    public static string Line(PreferenceRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var o = new JsonObject { ["prompt"] = r.Prompt };
        if (r.IsPaired)
        {
            o["chosen"] = r.Chosen;
            o["rejected"] = r.Rejected;
        }
        else
        {
            o["completion"] = r.Completion;
            o["label"] = r.Label;
        }
        if (r.PromptId is not null) o["prompt_id"] = r.PromptId;
        if (r.ChosenUtility is { } cu) o["chosen_utility"] = cu;
        if (r.RejectedUtility is { } ru) o["rejected_utility"] = ru;
        if (r.ChosenProxy is { } cp) o["chosen_proxy"] = cp;
        if (r.RejectedProxy is { } rp) o["rejected_proxy"] = rp;
        return o.ToJsonString();
    }

    /// <summary>Writes <paramref name="records"/> to <paramref name="path"/> through a temporary file and a rename; returns how many.</summary>
    public static int Write(string path, IEnumerable<PreferenceRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        int count = 0;
        AtomicFile.Write(path, stream =>
        {
            using var w = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
            foreach (var r in records)
            {
                w.Write(Line(r));
                w.Write('\n');
                count++;
            }
        });
        return count;
    }
}
