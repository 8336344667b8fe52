namespace Rewire.Cli.Tests.Commands;

/// <summary>`rewire bench generation` is registered under the bench branch and validates its options before any work.</summary>
public class BenchGenerationCommandTests
{
    [Fact]
    public void TooFewMemoryCallsIsRejectedBeforeRunning()
    {
        var (code, output, error) = CliHarness.Run("bench", "generation", "--memory-calls", "5");
        Assert.NotEqual(0, code);
        Assert.Contains("memory-calls", output + error);
    }

    [Fact]
    public void UnknownBenchAreaFails() => Assert.NotEqual(0, CliHarness.Run("bench", "nonexistent").Code);
}
