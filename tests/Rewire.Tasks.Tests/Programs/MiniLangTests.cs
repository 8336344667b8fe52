using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Rewire.Tasks.Programs;

namespace Rewire.Tasks.Tests.Programs;

public sealed class MiniLangTests
{
    [Theory]
    [InlineData("2*x+1", 3, 7)]
    [InlineData("2 * (x + 1)", 3, 8)]
    [InlineData("x*x-4*x", 5, 5)]
    [InlineData("7/2", 0, 3)]
    [InlineData("-7/2", 0, -3)]
    [InlineData("-7%3", 0, -1)]
    [InlineData("x<5?1:2", 4, 1)]
    [InlineData("x<5?1:2", 5, 2)]
    [InlineData("x=3", 3, 1)]
    [InlineData("x%2=0?x:x+1", 7, 8)]
    [InlineData("sum(1,x,i*2)", 4, 20)]
    [InlineData("sum(1,3,sum(1,i,1))", 0, 6)]
    [InlineData("sum(5,1,i)", 0, 0)]
    [InlineData("i", 9, 0)]
    [InlineData("--x", 4, 4)]
    public void Evaluates_hand_computed_programs(string source, long x, long expected)
    {
        var p = MiniLang.Parse(source, out var error);
        Assert.True(p is not null, error);
        Assert.Equal((expected, (string?)null), p!.Run(x));
    }

    [Theory]
    [InlineData("x/0", "division by zero")]
    [InlineData("x%(x-x)", "division by zero")]
    [InlineData("999999*999999*999999*999999", "overflow")]
    [InlineData("sum(0,999999,sum(0,999999,i))", "step limit")]
    public void Runtime_errors_are_reported(string source, string error)
    {
        var p = MiniLang.Parse(source, out _)!;
        var (v, e) = p.Run(3);
        Assert.Null(v);
        Assert.Contains(error, e);
    }

    [Theory]
    [InlineData("2x+1", "unexpected 'x'")]
    [InlineData("x+", "ends where a value")]
    [InlineData("(x+1", "missing ')'")]
    [InlineData("x<1?2", "':'")]
    [InlineData("sum(1,x)", "three arguments")]
    [InlineData("1234567", "more than 6 digits")]
    [InlineData("y", "unexpected 'y'")]
    [InlineData("((((((((((((((x))))))))))))))", "deeper")]
    public void Malformed_programs_are_rejected_with_a_reason(string source, string reason)
    {
        Assert.Null(MiniLang.Parse(source, out var error));
        Assert.Contains(reason, error);
    }

    [Property(MaxTest = 500)]
    public Property Parser_and_interpreter_never_throw(string? source, int x)
    {
        var p = MiniLang.Parse(source ?? "", out var error);
        if (p is null) return (error is not null).ToProperty();
        var (v, e) = p.Run(x);
        return (v is not null ^ e is not null).ToProperty();
    }
}
