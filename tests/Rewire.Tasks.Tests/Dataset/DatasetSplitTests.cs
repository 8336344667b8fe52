using Rewire.Tasks.Dataset;

namespace Rewire.Tasks.Tests.Dataset;

public sealed class DatasetSplitTests
{
    private static readonly string Path100 = TestTasks.WriteJsonl(TestTasks.Addition(100));

    private static (string[] Train, string[] Test) Split(int seed, double fraction = 0.2)
    {
        var t = TestTasks.Dataset(Path100, testFraction: fraction, seed: seed);
        return (t.Prompts(Tasks.Split.Train).Select(p => p.Text).ToArray(), t.Prompts(Tasks.Split.Test).Select(p => p.Text).ToArray());
    }

    [Fact]
    public void The_same_seed_gives_the_same_split_and_another_seed_another()
    {
        var a = Split(4);
        var b = Split(4);
        Assert.Equal(a.Train, b.Train);
        Assert.Equal(a.Test, b.Test);
        var c = Split(5);
        Assert.NotEqual(a.Test, c.Test);
    }

    [Theory]
    [InlineData(0.2, 20)]
    [InlineData(0.05, 5)]
    [InlineData(0.001, 1)] // at least one test record
    [InlineData(0.5, 50)]
    public void The_test_split_holds_the_fraction_and_the_splits_partition_the_file(double fraction, int expectedTest)
    {
        var (train, test) = Split(1, fraction);
        Assert.Equal(expectedTest, test.Length);
        Assert.Equal(100 - expectedTest, train.Length);
        Assert.Empty(train.Intersect(test));
        Assert.Equal(100, train.Union(test).Count());
        // Each split keeps file order.
        var order = TestTasks.Addition(100).Select(r => (string)r.GetType().GetProperty("prompt")!.GetValue(r)!).ToList();
        Assert.Equal(train.OrderBy(order.IndexOf), train);
    }

    [Fact]
    public void A_split_column_decides_whatever_the_seed()
    {
        string path = TestTasks.WriteLines(Enumerable.Range(0, 10).Select(i =>
            $$"""{"prompt": "p{{i}}", "answer": "a", "split": "{{(i % 3 == 0 ? "test" : "train")}}"}"""));
        foreach (var seed in new[] { 0, 1, 2 })
        {
            var t = TestTasks.Dataset(path, seed: seed);
            Assert.Equal(["p0", "p3", "p6", "p9"], t.Prompts(Tasks.Split.Test).Select(p => p.Text));
            Assert.Contains("by the split column", t.Summary);
        }
    }

    [Fact]
    public void The_summary_counts_records_per_split()
    {
        var t = TestTasks.Dataset(Path100, seed: 3);
        Assert.Contains("100 records, 80 train and 20 test (split by seed 3 with test fraction 0.2)", t.Summary);
    }
}
