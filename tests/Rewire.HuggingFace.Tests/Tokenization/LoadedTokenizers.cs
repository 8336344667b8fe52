using Rewire.HuggingFace.Tokenization;

namespace Rewire.HuggingFace.Tests.Tokenization;

/// <summary>Each real tokenizer loaded once per test run, ours and the oracle's (loading a 150k-entry vocabulary takes seconds).</summary>
public static class LoadedTokenizers
{
    private static readonly Dictionary<string, (HfTokenizer Ours, Oracle Theirs)> Loaded = new();

    public static (HfTokenizer Ours, Oracle Theirs) Get(RealTokenizerFiles.Package package)
    {
        string path = RealTokenizerFiles.Get(package);
        lock (Loaded)
        {
            if (!Loaded.TryGetValue(package.Key, out var pair))
            {
                pair = (HfTokenizer.FromFile(path), new Oracle(path));
                Loaded[package.Key] = pair;
            }
            return pair;
        }
    }

    public static (HfTokenizer Ours, Oracle Theirs) Get(string key) => Get(RealTokenizerFiles.All.Single(p => p.Key == key));
}
