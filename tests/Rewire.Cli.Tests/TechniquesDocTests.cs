using Rewire.Cli.Commands;

namespace Rewire.Cli.Tests;

/// <summary>docs/techniques.md lists exactly the techniques `rewire list` shows (its table is `rewire list --markdown`).</summary>
public sealed class TechniquesDocTests
{
    private const string Begin = "<!-- techniques:begin -->\n", End = "<!-- techniques:end -->";

    private static string DocPath()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Rewire.sln"))) dir = dir.Parent;
        Assert.True(dir is not null, $"no Rewire.sln above {AppContext.BaseDirectory}");
        return Path.Combine(dir!.FullName, "docs", "techniques.md");
    }

    [Fact]
    public void The_techniques_table_matches_the_descriptors()
    {
        string path = DocPath();
        string text = File.ReadAllText(path).ReplaceLineEndings("\n");
        int a = text.IndexOf(Begin, StringComparison.Ordinal), b = text.IndexOf(End, StringComparison.Ordinal);
        Assert.True(a >= 0 && b > a, $"{path} lacks the {Begin.Trim()} ... {End} markers");
        string expected = ListCommand.MarkdownTable();
        string actual = text[(a + Begin.Length)..b];
        if (actual != expected && Environment.GetEnvironmentVariable("REWIRE_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, text[..(a + Begin.Length)] + expected + text[b..]);
            actual = expected;
        }
        Assert.True(actual == expected, "docs/techniques.md is out of date: run the tests once with REWIRE_UPDATE_DOCS=1 (or paste `rewire list --markdown`)");
    }
}
