using Rewire.Tasks.Lists;

namespace Rewire.Tasks.Tests.Lists;

public sealed class ListOpsTaskTests
{
    private readonly ListOpsTask _task = new();

    [Theory]
    [InlineData("sort 5 3 8 3=", "3 3 5 8", "3 3 5 8", 1, 1, 1)]
    [InlineData("sort 5 3 8 3=", "3 3 5 8", "3 5 8", 0, 0, 1)]
    [InlineData("sort 5 3 8 3=", "3 3 5 8", "8 5 3 3", 0, 1, 1)]
    [InlineData("sort 5 3 8 3=", "3 3 5 8", "3,3,5,8", 0, 0, 0)]
    [InlineData("sort 5 3 8 3=", "3 3 5 8", "3  3 5 8", 0, 0, 0)]
    [InlineData("sort 5 3 8 3=", "3 3 5 8", "03 3 5 8", 0, 0, 0)]
    [InlineData("rev 1 2 3=", "3 2 1", "3 2 1", 1, 1, 1)]
    [InlineData("uniq 4 1 4 2 1=", "4 1 2", "4 1 2", 1, 1, 1)]
    [InlineData("uniq 4 1 4 2 1=", "4 1 2", "1 2 4", 0, 1, 1)]
    [InlineData("kth2 5 3 8 1=", "5", "5", 1, 1, 1)]
    [InlineData("kth2 5 3 8 1=", "5", "8", 0, 1, 1)]
    [InlineData("kth2 5 3 8 1=", "5", "five", 0, 0, 0)]
    public void Hand_written_answers(string prompt, string answer, string completion, double correct, double length, double format)
    {
        var r = _task.Score(TestPrompts.Of("lists", prompt, answer), completion);
        Assert.Equal(correct, r.Total);
        Assert.Equal(length, r.Components["length"]);
        Assert.Equal(format, r.Components["format"]);
        Assert.Equal(correct == 1, r.FailureReason is null);
    }

    [Fact]
    public void Generated_answers_match_an_independent_computation()
    {
        for (var d = 1; d <= _task.MaxDifficulty; d++)
            foreach (var p in _task.GenerateMany(Split.Train, 8, 100, d))
            {
                var parts = p.Text.TrimEnd('=').Split(' ');
                var items = parts[1..].Select(int.Parse).ToList();
                var expected = parts[0] switch
                {
                    "sort" => string.Join(' ', items.OrderBy(x => x)),
                    "rev" => string.Join(' ', Enumerable.Reverse(items)),
                    "uniq" => string.Join(' ', items.Distinct()),
                    var k => items.OrderByDescending(x => x).ToList()[int.Parse(k[3..]) - 1].ToString(),
                };
                Assert.Equal(expected, p.Answer);
                Assert.Equal(parts[0].StartsWith("kth") ? "kth" : parts[0], p.Domain);
            }
    }
}
