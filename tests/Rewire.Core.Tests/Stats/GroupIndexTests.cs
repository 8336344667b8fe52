using FsCheck.Xunit;
using Rewire.Core.Stats;

namespace Rewire.Core.Tests.Stats;

public sealed class GroupIndexTests
{
    [Fact]
    public void String_labels_form_non_contiguous_groups_in_order_of_first_appearance()
    {
        var index = GroupIndex.FromLabels(["b", "a", "b", "c", "a"]);
        Assert.Equal(3, index.GroupCount);
        Assert.Equal([0, 1, 0, 2, 1], index.Ids.ToArray());
        Assert.Equal([0, 2], index.Members(0).ToArray());
        Assert.Equal([1, 4], index.Members(1).ToArray());
        Assert.Equal("c", index.Label(2));
        Assert.Equal(1, index.Size(2));
    }

    [Fact]
    public void Int_labels_need_not_be_dense()
    {
        var index = GroupIndex.FromLabels(new[] { 70, 3, 70 });
        Assert.Equal(2, index.GroupCount);
        Assert.Equal("70", index.Label(0));
    }

    [Fact]
    public void Bad_ids_are_refused_with_the_problem_named()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => GroupIndex.FromIds([0, 3], 2));
        Assert.Contains("outside 0..1", ex.Message);
        var gap = Assert.Throws<ArgumentException>(() => GroupIndex.FromIds([0, 0, 2], 3));
        Assert.Contains("Only 2 of 3", gap.Message);
        Assert.Throws<ArgumentException>(() => GroupIndex.FromLabels(new string[] { "a", null! }));
    }

    [Fact]
    public void Group_stats_hand_computed()
    {
        // group 0: 1, 3 -> mean 2, unbiased std sqrt(2); group 1: 5 -> mean 5, std 0 (singleton).
        var (mean, std, count) = GroupStats.MeanStd([1.0, 5.0, 3.0], GroupIndex.FromLabels(["x", "y", "x"]));
        Assert.Equal([2.0, 5.0], mean);
        Assert.Equal(Math.Sqrt(2), std[0], 15);
        Assert.Equal(0.0, std[1]);
        Assert.Equal([2, 1], count);
        var (_, biased, _) = GroupStats.MeanStd([1.0, 5.0, 3.0], GroupIndex.FromLabels(["x", "y", "x"]), unbiased: false);
        Assert.Equal(1.0, biased[0], 15);
    }

    [Fact]
    public void Non_finite_scores_are_refused_with_their_group_named()
    {
        var ex = Assert.Throws<ArgumentException>(() => GroupStats.MeanStd([1.0, double.NaN, 2.0], GroupIndex.FromLabels(["a", "b", "a"])));
        Assert.Contains("Group 1", ex.Message);
        Assert.Throws<ArgumentException>(() => GroupStats.MeanStd([double.PositiveInfinity], GroupIndex.FromLabels(["a"])));
    }

    [Fact]
    public void Token_matrix_checks_its_shape()
    {
        Assert.Contains("needs 6", Assert.Throws<ArgumentException>(() => new TokenMatrix(2, 3, new double[5])).Message);
        var m = new TokenMatrix(2, 3, [1, 2, 3, 4, 5, 6]);
        Assert.Equal([4.0, 5.0, 6.0], m.Row(1).ToArray());
        Assert.Equal(6.0, m[1, 2]);
        Assert.Contains("same [B, L] shape", Assert.Throws<ArgumentException>(() => m.RequireSameShape(new TokenMatrix(3, 2), "mask", "values")).Message);
        var sums = new double[2];
        m.RowSums(sums);
        Assert.Equal([6.0, 15.0], sums);
    }

    [Property(MaxTest = 100)]
    public bool Members_partition_the_rows(int seed)
    {
        var rng = new Random(seed);
        int n = rng.Next(1, 50);
        var labels = Enumerable.Range(0, n).Select(_ => "p" + rng.Next(7)).ToArray();
        var index = GroupIndex.FromLabels(labels);
        var seen = new List<int>();
        for (int g = 0; g < index.GroupCount; g++)
            foreach (int row in index.Members(g))
            {
                if (labels[row] != index.Label(g) || index.GroupOf(row) != g) return false;
                seen.Add(row);
            }
        return seen.Order().SequenceEqual(Enumerable.Range(0, n));
    }
}
