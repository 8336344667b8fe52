using Rewire.Tasks.Common;

namespace Rewire.Tasks.Dataset;

/// <summary>
/// Divides records into train and test: by their split column when every record names one, otherwise by a seeded
/// shuffle that holds out round(n · test_fraction) records (at least one of each when there are two or more).
/// The same seed and file give the same split, whatever the run's seed.
/// </summary>
public static class DatasetSplitter
{
    /// <summary>Train and test records, each in file order, and how they were split.</summary>
    public static (IReadOnlyList<DatasetRecord> Train, IReadOnlyList<DatasetRecord> Test, string How) Split(
        string path, IReadOnlyList<DatasetRecord> records, double testFraction, int seed)
    {
        var named = records.Where(r => r.Split is not null).ToList();
        if (named.Count > 0)
        {
            if (named.Count != records.Count)
            {
                var first = records.First(r => r.Split is null);
                throw new DatasetFormatException(path, first.Location, "has no split while other records name one; give every record a split or none");
            }
            return (records.Where(r => r.Split == Tasks.Split.Train).ToArray(), records.Where(r => r.Split == Tasks.Split.Test).ToArray(), "by the split column");
        }
        int n = records.Count, test = (int)Math.Round(n * testFraction, MidpointRounding.AwayFromZero);
        if (n >= 2 && testFraction > 0) test = Math.Clamp(test, 1, n - 1);
        var order = Enumerable.Range(0, n).ToArray();
        var random = new Random(TaskRandom.Mix(seed, 0x5EED));
        random.Shuffle(order);
        var isTest = new bool[n];
        foreach (var i in order.Take(test)) isTest[i] = true;
        return (records.Where((_, i) => !isTest[i]).ToArray(), records.Where((_, i) => isTest[i]).ToArray(),
            $"by seed {seed} with test fraction {testFraction:0.###}");
    }
}
