using Rewire.Tasks.Environments;
using Rewire.Tasks.Environments.Tools;

namespace Rewire.Tasks.Tests.Environments;

public sealed class ToolTests
{
    private static readonly ToolBox Box = new(new CalculatorTool());

    [Theory]
    [InlineData("2+3*4", "14")]
    [InlineData("(2+3)*4", "20")]
    [InlineData("417*382", "159294")]
    [InlineData("7/2", "3.5")]
    [InlineData("-3 - -4", "1")]
    [InlineData("1.50*2", "3")]
    public void The_calculator_evaluates_exactly(string expression, string expected)
    {
        var r = Box.Call(ToolCallParser.Format("calc", "expression", expression));
        Assert.True(r.Valid, r.Output);
        Assert.Equal(expected, r.Output);
    }

    [Theory]
    [InlineData("calc 2+3", "no tool call")]
    [InlineData("<tool>{\"name\": \"calc\"", "no closing </tool>")]
    [InlineData("<tool>{name: calc}</tool>", "not valid JSON")]
    [InlineData("<tool>[1, 2]</tool>", "must be a JSON object")]
    [InlineData("<tool>{\"arguments\": {}}</tool>", "no \"name\"")]
    [InlineData("<tool>{\"name\": \"shell\", \"arguments\": {}}</tool>", "unknown tool 'shell'; tools: calc")]
    [InlineData("<tool>{\"name\": \"calc\", \"arguments\": 5}</tool>", "must be a JSON object")]
    [InlineData("<tool>{\"name\": \"calc\", \"arguments\": {}}</tool>", "needs a string argument \"expression\"")]
    [InlineData("<tool>{\"name\": \"calc\", \"arguments\": {\"expression\": \"1/0\"}}</tool>", "division by zero")]
    [InlineData("<tool>{\"name\": \"calc\", \"arguments\": {\"expression\": \"2^3\"}}</tool>", "unexpected '^'")]
    [InlineData("<tool>{\"name\": \"calc\", \"arguments\": {\"expression\": \"((((((((((((((((((1))))))))))))))))))\"}}</tool>", "nest deeper")]
    [InlineData("<tool>{\"name\": \"calc\", \"arguments\": {\"expression\": \"99999999999999999999*99999999999999999999\"}}</tool>", "too large")]
    public void A_malformed_or_unknown_call_is_an_error_observation_not_an_exception(string action, string expected)
    {
        var r = Box.Call(action);
        Assert.False(r.Valid);
        Assert.StartsWith("error: ", r.Output);
        Assert.Contains(expected, r.Output);
    }

    [Fact]
    public void Hostile_actions_never_throw()
    {
        var random = new Random(3);
        const string chars = "<>{}[]\":,tool/calcnm ea0123456789+-*/()";
        for (int i = 0; i < 2000; i++)
        {
            var text = "<tool>" + new string(Enumerable.Range(0, random.Next(0, 60)).Select(_ => chars[random.Next(chars.Length)]).ToArray()) + (random.Next(2) == 0 ? "</tool>" : "");
            var r = Box.Call(text);
            Assert.NotNull(r.Output);
        }
    }

    [Fact]
    public void The_calc_environment_is_solved_by_calling_the_calculator_then_answering()
    {
        var env = new ToolArithmeticEnvironment();
        for (int seed = 0; seed < 20; seed++)
        {
            var question = env.Reset(seed);
            Assert.Matches(@"^\d{3}\*\d{3}\?$", question);
            var call = env.Demonstrate(0, new Random(1));
            var s1 = env.Step(call);
            Assert.Equal(env.Product.ToString(System.Globalization.CultureInfo.InvariantCulture), s1.Observation);
            Assert.Equal(1, s1.Components!["tool_call_valid"]);
            var s2 = env.Step(env.Demonstrate(0, new Random(1)));
            Assert.True(s2.Done);
            Assert.True(s2.Success);
            Assert.Equal(1.0, s2.Outcome);
        }
        env.Reset(1);
        var bad = env.Step("<tool>{\"name\": \"calculator\"}</tool>");
        Assert.StartsWith("error: unknown tool", bad.Observation);
        Assert.Equal(0, bad.Components!["tool_call_valid"]);
        Assert.Equal("wrong", env.Step("answer 12").Observation);
    }

    [Fact]
    public void The_search_environment_answers_its_corpus_lookup_as_a_tool()
    {
        var env = new SearchEnvironment();
        var question = env.Reset(4);
        var terms = question.TrimEnd('?');
        var step = env.Step(ToolCallParser.Format("lookup", "query", terms));
        Assert.False(step.Done);
        Assert.Contains(": " + terms + " " + env.Answer, step.Observation);
        Assert.Equal(1, step.Components!["tool_call_valid"]);
        var bad = env.Step("<tool>{\"name\": \"lookup\", \"arguments\": {\"q\": 1}}</tool>");
        Assert.StartsWith("error: lookup needs a string argument", bad.Observation);
    }
}
