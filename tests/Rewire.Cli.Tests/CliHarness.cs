using Spectre.Console;

namespace Rewire.Cli.Tests;

/// <summary>
/// Runs `rewire` in-process with standard output and error captured. Spectre's <see cref="AnsiConsole"/> keeps the writer
/// it first saw, so it is pointed at the capture too and restored afterwards (otherwise a later test would write to a
/// disposed writer). Calls are serialised: the console is process-wide.
/// </summary>
internal static class CliHarness
{
    private static readonly Lock Gate = new();

    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        lock (Gate)
        {
            var oldOut = Console.Out;
            var oldErr = Console.Error;
            var oldAnsi = AnsiConsole.Console;
            using var o = new StringWriter();
            using var e = new StringWriter();
            Console.SetOut(o);
            Console.SetError(e);
            AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(o),
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
            });
            try
            {
                int code = RewireApp.Run(args);
                return (code, o.ToString(), e.ToString());
            }
            finally
            {
                Console.SetOut(oldOut);
                Console.SetError(oldErr);
                AnsiConsole.Console = oldAnsi;
            }
        }
    }
}
