using Rewire.Tasks.Preferences;

namespace Rewire.Tasks.Tests.Preferences;

/// <summary>The preference JSONL forms are read as written, and every bad line is refused with its number.</summary>
public class PreferenceJsonlReaderTests
{
    private static List<PreferenceRecord> Read(string text) => PreferenceJsonlReader.Read(new StringReader(text), "prefs.jsonl").ToList();

    private static PreferenceFormatException Refused(string text) => Assert.Throws<PreferenceFormatException>(() => Read(text));

    [Fact]
    public void Reads_the_paired_form_with_its_figures()
    {
        var r = Read("{\"prompt\":\"rev 1 2=\",\"chosen\":\"2 1\",\"rejected\":\"1 2\",\"chosen_utility\":1,\"rejected_utility\":0,\"prompt_id\":\"p0\"}\n\n{\"prompt\":\"q\",\"chosen\":\"a\",\"rejected\":\"b\"}\n");
        Assert.Equal(2, r.Count);
        Assert.Equal((PreferenceForm.Paired, "rev 1 2=", "2 1", "1 2", 1.0, 0.0, "p0"), (r[0].Form, r[0].Prompt, r[0].Chosen, r[0].Rejected, r[0].ChosenUtility, r[0].RejectedUtility, r[0].PromptId));
        Assert.Equal(3, r[1].Line); // the blank line 2 is skipped but counted
        Assert.Null(r[1].ChosenUtility);
    }

    [Fact]
    public void Reads_the_conversational_form_with_an_explicit_or_implicit_prompt()
    {
        var r = Read(
            "{\"prompt\":[{\"role\":\"system\",\"content\":\"s\"},{\"role\":\"user\",\"content\":\"hi\"}],\"chosen\":[{\"role\":\"assistant\",\"content\":\"good\"}],\"rejected\":[{\"role\":\"assistant\",\"content\":\"bad\"}]}\n" +
            "{\"chosen\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"A\"}],\"rejected\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"B\"}]}\n");
        Assert.All(r, x => Assert.Equal(PreferenceForm.Conversational, x.Form));
        Assert.Equal(("hi", 2, "good", "bad"), (r[0].Prompt, r[0].PromptMessages!.Count, r[0].Chosen, r[0].Rejected));
        Assert.Equal(("q", 1, "A", "B"), (r[1].Prompt, r[1].PromptMessages!.Count, r[1].Chosen, r[1].Rejected));
    }

    [Fact]
    public void Reads_the_unpaired_form()
    {
        var r = Read("{\"prompt\":\"q\",\"completion\":\"a\",\"label\":true}\n{\"prompt\":\"q\",\"completion\":\"b\",\"label\":false}\n");
        Assert.Equal((PreferenceForm.Unpaired, "a", true), (r[0].Form, r[0].Completion, r[0].Label));
        Assert.False(r[1].Label);
        Assert.False(r[1].IsPaired);
    }

    public static TheoryData<string, int, string> BadFiles() => new()
    {
        { "{\"prompt\":\"q\",\"chosen\":\"a\",\"rejected\":\"b\"}\n{\"prompt\":\"q\",\"chosen\":\"a\",", 2, "not valid JSON" },
        { "[1,2]", 1, "not an object" },
        { "{\"prompt\":\"q\",\"chosen\":\"a\"}", 1, "no 'rejected'" },
        { "{\"prompt\":\"q\",\"rejected\":\"a\"}", 1, "no 'chosen'" },
        { "{\"chosen\":\"a\",\"rejected\":\"b\"}", 1, "no 'prompt'" },
        { "{\"prompt\":\"q\",\"chosen\":\"\",\"rejected\":\"b\"}", 1, "'chosen' is empty" },
        { "{\"prompt\":\"q\",\"chosen\":\"a\",\"rejected\":\"  \"}", 1, "'rejected' is empty" },
        { "{\"prompt\":\"\",\"chosen\":\"a\",\"rejected\":\"b\"}", 1, "'prompt' is empty" },
        { "{\"prompt\":\"q\",\"chosen\":1,\"rejected\":\"b\"}", 1, "must both be strings" },
        { "{\"prompt\":7,\"chosen\":\"a\",\"rejected\":\"b\"}", 1, "'prompt' must be a string or a list of messages" },
        { "{\"prompt\":\"q\",\"chosen\":\"a\",\"rejected\":\"b\",\"chosen_utility\":\"high\"}", 1, "'chosen_utility' must be a finite number" },
        { "{\"prompt\":\"q\",\"completion\":\"a\",\"label\":1}", 1, "'label' must be true or false" },
        { "{\"prompt\":\"q\",\"completion\":\"a\"}", 1, "no 'label'" },
        { "{\"prompt\":\"q\",\"completion\":\"a\",\"label\":true,\"chosen\":\"x\"}", 1, "keep one form" },
        { "{\"prompt\":\"q\",\"chosen\":\"a\",\"rejected\":\"b\"}\n{\"prompt\":\"q\",\"completion\":\"a\",\"label\":true}", 2, "a file holds one kind" },
        { "{\"prompt\":[{\"role\":\"user\",\"content\":\"q\"}],\"chosen\":[{\"role\":\"assistant\",\"content\":\"\"}],\"rejected\":[{\"role\":\"assistant\",\"content\":\"b\"}]}", 1, "'chosen' is empty" },
        { "{\"prompt\":[{\"role\":\"user\",\"content\":\"q\"}],\"chosen\":[{\"role\":\"robot\",\"content\":\"a\"}],\"rejected\":[{\"role\":\"assistant\",\"content\":\"b\"}]}", 1, "role 'robot'" },
        { "{\"chosen\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"A\"}],\"rejected\":[{\"role\":\"user\",\"content\":\"other\"},{\"role\":\"assistant\",\"content\":\"B\"}]}", 1, "share every turn but the last" },
        { "\n\n{\"prompt\":\"q\",\"chosen\":\"a\",\"rejected\":\"b\",\"prompt_id\":3}", 3, "'prompt_id' must be a string" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void A_bad_line_is_refused_with_its_number(string text, int line, string problem)
    {
        var e = Refused(text);
        Assert.Equal(line, e.Line);
        Assert.Contains($"prefs.jsonl: line {line}: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_file_and_a_missing_file_are_refused()
    {
        Assert.Contains("holds no records", Refused("\n  \n").Message, StringComparison.Ordinal);
        var missing = Path.Combine(Path.GetTempPath(), "rewire-no-such-" + Guid.NewGuid().ToString("N") + ".jsonl");
        var e = Assert.Throws<PreferenceFormatException>(() => PreferenceJsonlReader.Read(missing).ToList());
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Records_stream_before_a_later_bad_line()
    {
        using var reader = new StringReader("{\"prompt\":\"q\",\"chosen\":\"a\",\"rejected\":\"b\"}\nnot json\n");
        using var e = PreferenceJsonlReader.Read(reader, "s").GetEnumerator();
        Assert.True(e.MoveNext());
        Assert.Equal("a", e.Current.Chosen);
        Assert.Equal(2, Assert.Throws<PreferenceFormatException>(() => e.MoveNext()).Line);
    }

    [Fact]
    public void What_the_writer_writes_the_reader_reads_back()
    {
        var task = TaskRegistry.CreateDefault().Create("reverse");
        var made = PreferenceSetBuilder.Build(task, new PreferenceSetOptions(50, 3, Proxy: ProxyFeature.Token)).ToList();
        string path = Path.Combine(Path.GetTempPath(), "rewire-prefs-" + Guid.NewGuid().ToString("N") + ".jsonl");
        try
        {
            Assert.Equal(50, PreferenceJsonlWriter.Write(path, made));
            var read = PreferenceJsonlReader.Read(path).ToList();
            Assert.Equal(made.Select(r => (r.Prompt, r.Chosen, r.Rejected, r.ChosenUtility, r.RejectedUtility, r.ChosenProxy, r.RejectedProxy)),
                read.Select(r => (r.Prompt, r.Chosen, r.Rejected, r.ChosenUtility, r.RejectedUtility, r.ChosenProxy, r.RejectedProxy)));
        }
        finally { File.Delete(path); }
    }
}
