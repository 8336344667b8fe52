using Rewire.Core.Rewards;
using Rewire.Core.Tests.Rewards;
using Rewire.Core.Verifiers.Rubrics;

namespace Rewire.Core.Tests.Verifiers;

public class RubricVerifierTests
{
    private static Rollout List(string completion, string answer = "4 1 3 3") => TestRollouts.Make(completion, answer);

    private static RubricVerifier Rubric(double[]? weights = null, bool graded = true) =>
        new(ListRubricCriteria.Names.Select((n, i) => ListRubricCriteria.Create(n, weights?[i] ?? 1.0)), graded);

    [Fact]
    public void Per_criterion_judgements_of_a_hand_computed_case()
    {
        // Reference 4 1 3 3, completion 3 4 1 9: a list of integers (format 1); reference items found as a multiset:
        // 4, 1, one 3 of two (items 3/4); no position agrees (order 0/4); four items (length 1).
        var r = Rubric().Score(List("3 4 1 9"));
        Assert.Equal(1.0, r.Components["format"]);
        Assert.Equal(0.75, r.Components["items"], 12);
        Assert.Equal(0.0, r.Components["order"]);
        Assert.Equal(1.0, r.Components["length"]);
        Assert.Equal((1 + 0.75 + 0 + 1) / 4, r.Total, 12);
        Assert.Contains("order", r.FailureReason);
    }

    [Fact]
    public void Weighted_average_and_binary_judgements()
    {
        // Weights 3, 1, 1, 1: (3·1 + 0.75 + 0 + 1) / 6.
        Assert.Equal(4.75 / 6, Rubric([3, 1, 1, 1]).Score(List("3 4 1 9")).Total, 12);
        // Binary: items 0.75 is not met, so format and length count: 2 / 4.
        var binary = Rubric(graded: false).Score(List("3 4 1 9"));
        Assert.Equal(0.5, binary.Total, 12);
        Assert.Equal(0.0, binary.Components["items"]);
    }

    [Theory]
    [InlineData("4 1 x", 0.0, 0.5, 0.5, 0.0)]      // a non-integer item; 4 and 1 in place
    [InlineData("4 1 3 3", 1.0, 1.0, 1.0, 1.0)]    // the answer
    [InlineData("4  1 3 3", 0.0, 1.0, 1.0, 1.0)]   // a double space is not the format
    [InlineData("", 0.0, 0.0, 0.0, 0.0)]
    [InlineData("3 3 1 4 4", 1.0, 1.0, 0.0, 0.0)]  // every item, none in place, one too many
    public void List_criteria(string completion, double format, double items, double order, double length)
    {
        var r = Rubric().Score(List(completion));
        Assert.Equal(format, r.Components["format"], 12);
        Assert.Equal(items, r.Components["items"], 12);
        Assert.Equal(order, r.Components["order"], 12);
        Assert.Equal(length, r.Components["length"], 12);
        Assert.Equal((format + items + order + length) / 4, r.Total, 12);
    }

    [Fact]
    public void Aggregation_properties_of_the_paper()
    {
        double[] v = [1, 0, 1, 0.5];
        // Equal weights: the share of satisfied rubrics (binary judgements).
        Assert.Equal(0.5, RubricAggregation.Score([1, 1, 1, 1], [1, 0, 1, 0]), 12);
        // One rubric: R = V.
        Assert.Equal(0.3, RubricAggregation.Score([2], [0.3]), 12);
        // Scaling every weight by c > 0 leaves R unchanged.
        double[] w = [0.2, 1.5, 3, 0.7];
        Assert.Equal(RubricAggregation.Score(w, v), RubricAggregation.Score(w.Select(x => 7.5 * x).ToArray(), v), 12);
        // 0 when nothing is satisfied, 1 when everything is.
        Assert.Equal(0, RubricAggregation.Score(w, [0, 0, 0, 0]));
        Assert.Equal(1, RubricAggregation.Score(w, [1, 1, 1, 1]), 12);
        Assert.Throws<ArgumentException>(() => RubricAggregation.Score([0, 0], [1, 1]));
        Assert.Throws<ArgumentException>(() => RubricAggregation.Score([1, -1], [1, 1]));
        Assert.Throws<ArgumentException>(() => RubricAggregation.Score([1], [1.5]));
    }

    [Fact]
    public void Registry_builds_it_from_settings_and_refuses_bad_ones()
    {
        var registry = RewardFunctionRegistry.CreateDefault();
        var r = registry.Create("rubric", new Dictionary<string, string> { ["criteria"] = "items,order", ["weights"] = "1,3" }).Score(List("3 4 1 9"));
        Assert.Equal((0.75 + 0) / 4, r.Total, 12);
        Assert.Equal(["items", "order"], r.Components.Keys.Order());
        Assert.Contains("2 criteria but 3 weights",
            Assert.Throws<ArgumentException>(() => registry.Create("rubric", new Dictionary<string, string> { ["criteria"] = "items,order", ["weights"] = "1,2,3" })).Message);
        Assert.Contains("valid: format, items, order, length",
            Assert.Throws<ArgumentException>(() => registry.Create("rubric", new Dictionary<string, string> { ["criteria"] = "style" })).Message);
    }

    [Fact]
    public void Pipeline_reports_each_criterion_under_the_term()
    {
        var pipeline = new RewardPipeline([RewardTerm.Of(new ExactMatchVerifierStub(), 1.0), RewardTerm.Of(Rubric(), 0.5)]);
        var r = pipeline.Score(List("3 4 1 9"));
        Assert.Equal(0.6875, r.Components["rubric"], 12);
        Assert.Equal(0.75, r.Components["rubric/items"], 12);
        Assert.Equal(0.0, r.Components["rubric/order"], 12);
        Assert.Equal(1 + 0.5 * 0.6875, r.Total, 12);
        // A function that does not report criteria keeps its components inside its term.
        Assert.DoesNotContain("stub/inner", r.Components.Keys);
    }

    [Fact]
    public void A_prompt_without_a_reference_is_a_counted_failure()
    {
        var pipeline = new RewardPipeline([RewardTerm.Of(Rubric())]);
        var r = pipeline.Score(TestRollouts.Make("1 2", answer: null));
        Assert.True(r.Failed);
        Assert.Equal(1, pipeline.Statistics["rubric"].Failures);
        Assert.DoesNotContain("rubric/items", r.Components.Keys);
    }

    private sealed class ExactMatchVerifierStub : IRewardFunction
    {
        public string Name => "stub";
        public RewardResult Score(Rollout rollout) => new() { Total = 1, Components = new Dictionary<string, double> { ["inner"] = 1 } };
    }
}
