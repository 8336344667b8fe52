using System.Text.Json;
using Rewire.Tasks.Dataset;

namespace Rewire.Tasks.Tests;

/// <summary>The generated tasks (the contract of seeded generators does not apply to a file), and small dataset files.</summary>
internal static class TestTasks
{
    public static IReadOnlyList<string> Generated { get; } =
        TaskRegistry.CreateDefault().Names.Where(n => n != DatasetTask.TaskName).ToArray();

    private static readonly string Root = Directory.CreateTempSubdirectory("rewire-dataset-tests").FullName;
    private static int _files;

    /// <summary>Writes <paramref name="lines"/> to a new file with the given extension and returns its path.</summary>
    public static string WriteLines(IEnumerable<string> lines, string extension = ".jsonl")
    {
        string path = Path.Combine(Root, $"data{Interlocked.Increment(ref _files)}{extension}");
        File.WriteAllLines(path, lines);
        return path;
    }

    /// <summary>Each object serialised on its own line.</summary>
    public static string WriteJsonl(IEnumerable<object> records) => WriteLines(records.Select(r => JsonSerializer.Serialize(r)));

    /// <summary>A new empty path with the given extension.</summary>
    public static string NewPath(string extension) => Path.Combine(Root, $"data{Interlocked.Increment(ref _files)}{extension}");

    /// <summary><paramref name="n"/> addition records "a+b=" with their sums (distinct prompts).</summary>
    public static IEnumerable<object> Addition(int n) =>
        Enumerable.Range(0, n).Select(i => (object)new { prompt = $"{i}+{i + 1}=", answer = (2 * i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) });

    public static DatasetTask Dataset(string path, string verifier = "exact", double testFraction = 0.2, int seed = 0, string pattern = "") =>
        new(new DatasetOptions { Path = path, Verifier = verifier, TestFraction = testFraction, SplitSeed = seed, Pattern = pattern });
}
