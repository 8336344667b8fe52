using Rewire.Tasks.Dataset;

namespace Rewire.Tasks.Tests.Dataset;

/// <summary>Every malformed record is refused with its file and line before anything trains.</summary>
public sealed class DatasetRefusalTests
{
    private const string Good = """{"prompt": "1+1=", "answer": "2"}""";

    public static TheoryData<string, string> BadLines() => new()
    {
        { """{"prompt": "2+2=", "answer": "4""", "not valid JSON" },
        { "[1, 2]", "must be a JSON object, not a list" },
        { """{"answer": "4"}""", "no 'prompt' field and no 'messages' field" },
        { """{"prompt": "2+2="}""", "no 'answer' field" },
        { """{"prompt": 7, "answer": "4"}""", "field 'prompt' must be a string, not a number" },
        { """{"prompt": "2+2=", "answer": true}""", "field 'answer' must be a string or a number, not a boolean" },
        { """{"prompt": "2+2=", "answer": {"v": 4}}""", "field 'answer' must be a string or a number, not an object" },
        { """{"prompt": "   ", "answer": "4"}""", "the prompt is empty" },
        { """{"prompt": "2+2=", "answer": ""}""", "field 'answer' is empty" },
        { """{"messages": [], "answer": "4"}""", "must be a non-empty list" },
        { """{"messages": "hi", "answer": "4"}""", "must be a non-empty list of {role, content} objects, not a string" },
        { """{"messages": [{"role": "assistant", "content": "x"}], "answer": "4"}""", "has no message with role 'user'" },
        { """{"messages": [{"role": "robot", "content": "x"}], "answer": "4"}""", "has role 'robot'" },
        { """{"messages": [{"role": "user", "content": 5}], "answer": "4"}""", "message 0 of 'messages' must be an object with string fields" },
        { """{"messages": [{"role": "user", "content": ""}], "answer": "4"}""", "the prompt is empty" },
        { """{"prompt": "2+2=", "answer": "4", "difficulty": 11}""", "must be an integer from 1 to 10" },
        { """{"prompt": "2+2=", "answer": "4", "difficulty": 1.5}""", "must be an integer from 1 to 10" },
        { """{"prompt": "2+2=", "answer": "4", "split": "dev2"}""", "must be \"train\" or \"test\"" },
        { """{"prompt": "2+2=", "answer": "4", "domain": 3}""", "field 'domain' must be a non-empty string" },
        { """{"prompt": "2+2=", "answer": "4", "tests": "assert f()"}""", "field 'tests' must be a list of strings" },
        { """{"prompt": "2+2\u0007=", "answer": "4"}""", "control character U+0007" },
        { """{"prompt": "2+2\ud800=", "answer": "4"}""", "unpaired surrogate" },
    };

    [Theory]
    [MemberData(nameof(BadLines))]
    public void A_bad_record_is_refused_with_its_line_number(string bad, string expected)
    {
        // Good lines, a blank line (skipped but counted), then the bad record on line 5.
        string path = TestTasks.WriteLines([Good, Good.Replace("1+1", "3+3"), "", Good.Replace("1+1", "4+4"), bad, Good.Replace("1+1", "5+5")]);
        var e = Assert.Throws<DatasetFormatException>(() => TestTasks.Dataset(path));
        Assert.Equal(path, e.Path);
        Assert.Equal("line 5", e.Location);
        Assert.Contains(expected, e.Message);
        Assert.StartsWith($"{path}: line 5: ", e.Message);
    }

    [Fact]
    public void The_numeric_verifier_refuses_answers_that_are_not_numbers()
    {
        string path = TestTasks.WriteLines([Good, """{"prompt": "x", "answer": "twelve"}"""]);
        var e = Assert.Throws<DatasetFormatException>(() => TestTasks.Dataset(path, "numeric"));
        Assert.Equal("line 2", e.Location);
        Assert.Contains("not a number", e.Message);
    }

    [Fact]
    public void The_code_verifier_needs_tests_on_every_record()
    {
        string path = TestTasks.WriteLines(["""{"prompt": "f", "answer": "def f(): return 1", "tests": ["assert f() == 1"]}""", """{"prompt": "g", "answer": "def g(): return 2"}"""]);
        var e = Assert.Throws<DatasetFormatException>(() => new DatasetTask(new DatasetOptions { Path = path, Verifier = "code" }, () => null!));
        Assert.Equal("line 2", e.Location);
        Assert.Contains("no 'tests' field", e.Message);
    }

    [Fact]
    public void A_split_column_must_be_on_every_record_or_none()
    {
        string path = TestTasks.WriteLines(["""{"prompt": "a", "answer": "1", "split": "train"}""", """{"prompt": "b", "answer": "2", "split": "test"}""", """{"prompt": "c", "answer": "3"}"""]);
        var e = Assert.Throws<DatasetFormatException>(() => TestTasks.Dataset(path));
        Assert.Equal("line 3", e.Location);
    }

    [Fact]
    public void Files_without_usable_splits_or_records_are_refused()
    {
        Assert.Contains("holds no records", Assert.Throws<DatasetFormatException>(() => TestTasks.Dataset(TestTasks.WriteLines(["", "  "]))).Message);
        Assert.Contains("no test records", Assert.Throws<DatasetFormatException>(() => TestTasks.Dataset(TestTasks.WriteLines([Good, Good]), testFraction: 0)).Message);
        Assert.Contains("no test records", Assert.Throws<DatasetFormatException>(() =>
            TestTasks.Dataset(TestTasks.WriteLines(["""{"prompt": "a", "answer": "1", "split": "train"}"""]))).Message);
        Assert.Contains("no train records", Assert.Throws<DatasetFormatException>(() =>
            TestTasks.Dataset(TestTasks.WriteLines(["""{"prompt": "a", "answer": "1", "split": "test"}"""]))).Message);
    }

    [Fact]
    public void Settings_that_cannot_work_are_refused_before_reading()
    {
        Assert.Contains("does not exist", Assert.Throws<ArgumentException>(() => TestTasks.Dataset("/nonexistent/file.jsonl")).Message);
        Assert.Contains("unknown file type '.csv'", Assert.Throws<ArgumentException>(() => TestTasks.Dataset(TestTasks.WriteLines([Good], ".csv"))).Message);
        string path = TestTasks.WriteLines([Good, Good]);
        Assert.Contains("is not a verifier", Assert.Throws<ArgumentException>(() => TestTasks.Dataset(path, "fuzzy")).Message);
        Assert.Contains("task.pattern", Assert.Throws<ArgumentException>(() => TestTasks.Dataset(path, "regex")).Message);
        Assert.Contains("no capture group", Assert.Throws<ArgumentException>(() => TestTasks.Dataset(path, "regex", pattern: "\\d+")).Message);
        Assert.Contains("not a usable regular expression", Assert.Throws<ArgumentException>(() => TestTasks.Dataset(path, "regex", pattern: "(a)\\1")).Message);
        Assert.Contains("test_fraction", Assert.Throws<ArgumentException>(() => TestTasks.Dataset(path, testFraction: 1)).Message);
    }

    [Fact]
    public void Too_many_distinct_characters_are_refused_naming_the_record()
    {
        // 26 letters fit an alphabet of 40; the Greek record on line 3 brings more.
        string path = TestTasks.WriteLines([
            """{"prompt": "abcdefghijklm", "answer": "x"}""", """{"prompt": "nopqrstuvwyz", "answer": "x"}""",
            """{"prompt": "αβγδεζηθικλμνξοπρστυφχψω", "answer": "x"}"""]);
        var e = Assert.Throws<DatasetFormatException>(() => new DatasetTask(new DatasetOptions { Path = path, MaxAlphabet = 40 }));
        Assert.Equal("line 3", e.Location);
        Assert.Contains("more than 40 distinct characters", e.Message);
        Assert.NotNull(new DatasetTask(new DatasetOptions { Path = path, MaxAlphabet = 80 }));
    }
}
