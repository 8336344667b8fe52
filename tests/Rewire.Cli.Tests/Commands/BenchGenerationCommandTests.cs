using Rewire.Cli;

namespace Rewire.Cli.Tests.Commands;

/// <summary>`rewire bench generation` is registered under the bench branch and validates its options before any work.</summary>
public class BenchGenerationCommandTests
{
    [Fact]
    public void TooFewMemoryCallsIsRejectedBeforeRunning()
    {
        var error = new StringWriter();
        var previous = Console.Error;
        Console.SetError(error);
        try
        {
            int code = RewireApp.Run(["bench", "generation", "--memory-calls", "5"]);
            Assert.NotEqual(0, code);
        }
        finally { Console.SetError(previous); }
    }

    [Fact]
    public void UnknownBenchAreaFails() => Assert.NotEqual(0, RewireApp.Run(["bench", "nonexistent"]));
}
