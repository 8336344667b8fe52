using Rewire.Tasks.Environments;
using Rewire.Tasks.Environments.Tools;
using Rewire.Tasks.Tests.Sandbox;

namespace Rewire.Tasks.Tests.Environments;

public sealed class CodeRepairEnvironmentTests
{
    [Fact]
    public void The_first_observation_is_the_numbered_buggy_program_and_bad_actions_are_error_observations()
    {
        // No sandbox run happens here: the program is shown and malformed actions never reach the tests.
        var env = new CodeRepairEnvironment(maxTurns: 3);
        var first = env.Reset(5);
        Assert.StartsWith("1 def f(", first, StringComparison.Ordinal);
        Assert.Contains("\n2     return ", first, StringComparison.Ordinal);
        Assert.NotEqual("    " + env.Fix.Code, first.Split('\n')[1][2..]);
        Assert.Equal(first, new CodeRepairEnvironment().Reset(5));
        foreach (var bad in new[] { "fix it", "edit x: return 1", "edit 9: return 1", "edit 2:" })
        {
            var s = env.Step(bad);
            Assert.StartsWith("error: ", s.Observation, StringComparison.Ordinal);
            if (s.Done) { Assert.Equal(0.0, s.Outcome); break; }
        }
        Assert.True(new[] { 0, 1, 2, 3 }.All(seed => new CodeRepairEnvironment().Reset(seed).All(c => ToolAlphabet.Characters.Contains(c))));
    }

    [SkippableFact]
    public void The_scripted_edit_repairs_every_program_in_one_turn()
    {
        var sandbox = SandboxFixture.Create(CodeRepairEnvironment.SandboxOptions);
        for (int seed = 0; seed < 6; seed++)
        {
            var env = new CodeRepairEnvironment(sandbox);
            env.Reset(seed);
            var s = env.Step(env.Demonstrate(0, new Random(seed)));
            Assert.True(s.Done, $"seed {seed}: {s.Observation}");
            Assert.Equal("pass", s.Observation);
            Assert.Equal(1.0, s.Outcome);
            Assert.True(s.Success);
        }
    }

    [SkippableFact]
    public void A_wrong_edit_shows_the_first_failing_test_and_the_python_tool_runs_against_the_program()
    {
        var sandbox = SandboxFixture.Create(CodeRepairEnvironment.SandboxOptions);
        var env = new CodeRepairEnvironment(sandbox, maxTurns: 3);
        env.Reset(2);
        var wrong = env.Step("edit 2: return 0");
        Assert.False(wrong.Done);
        Assert.Matches(@"^fail [01]/2: assert f\(", wrong.Observation);
        var tool = env.Step(ToolCallParser.Format("python", "code", "print(f" + (env.Tests[0].Contains("[", StringComparison.Ordinal) ? "([1,2,3]))" : env.Tests[0].Contains(",", StringComparison.Ordinal) ? "(2,3))" : "(3))")));
        Assert.Equal("0", tool.Observation);
        Assert.Equal(1.0, tool.Components!["tool_call_valid"]);
        var end = env.Step("edit 2: " + env.Fix.Code);
        Assert.Equal("pass", end.Observation);
        Assert.Equal(1.0, end.Outcome);
    }
}
