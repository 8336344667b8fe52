namespace Rewire.Cli.Tests.Commands;

/// <summary>`rewire bench generation` is registered under the bench branch and validates its options before any work.</summary>
public class BenchGenerationCommandTests
{
    [Fact]
    public void TooFewMemoryCallsIsRejectedBeforeRunning()
    {
        var (code, output, error) = CliHarness.Run("bench", "generation", "--memory-calls", "5");
        Assert.Equal(2, code);
        Assert.Contains("memory-calls", output + error);
    }

    [Fact]
    public void UnknownBenchAreaFails() => Assert.Equal(2, CliHarness.Run("bench", "nonexistent").Code);
}
