using Rewire.Classic.Control;

namespace Rewire.Classic.Tests.Control;

public sealed class EnvironmentCheckerTests
{
    [Fact]
    public void A_correct_environment_passes()
    {
        var report = EnvironmentChecker.Check(new CountingEnvironment(5));
        Assert.True(report.Ok, report.ToString());
        Assert.True(EnvironmentChecker.Check(new BrokenEnvironment(BrokenEnvironment.Fault.None)).Ok);
    }

    [Theory]
    [InlineData(BrokenEnvironment.Fault.WrongLength, "observation of length 3")]
    [InlineData(BrokenEnvironment.Fault.NaNObservation, "observations must be finite")]
    [InlineData(BrokenEnvironment.Fault.OutsideSpace, "outside its observation space: coordinate 1 is 5")]
    [InlineData(BrokenEnvironment.Fault.NaNReward, "rewards must be finite")]
    [InlineData(BrokenEnvironment.Fault.NotDeterministic, "not deterministic under a seed")]
    [InlineData(BrokenEnvironment.Fault.StepThrows, "threw InvalidOperationException: physics exploded")]
    [InlineData(BrokenEnvironment.Fault.ReusesArray, "overwrote an observation array")]
    [InlineData(BrokenEnvironment.Fault.NullInfo, "null info")]
    [InlineData(BrokenEnvironment.Fault.NoObservationSpace, "has no ObservationSpace")]
    public void A_broken_environment_is_rejected_with_the_reason(BrokenEnvironment.Fault fault, string reason)
    {
        var report = EnvironmentChecker.Check(new BrokenEnvironment(fault));
        Assert.False(report.Ok);
        Assert.Contains(report.Errors, e => e.Contains(reason, StringComparison.Ordinal));
        Assert.Contains("broken-" + fault, report.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unnormalised_box_action_space_is_a_warning_not_an_error()
    {
        var report = EnvironmentChecker.Check(ControlEnvironments.Make("pendulum"));
        Assert.True(report.Ok);
        Assert.Contains(report.Warnings, w => w.Contains("not [-1, 1]", StringComparison.Ordinal));
    }
}
