using System.ComponentModel;
using System.Net;
using Rewire.Cli.Dashboard;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Rewire.Cli.Commands;

/// <summary>
/// `rewire dashboard [--runs DIR] [--port N] [--host ADDRESS]`: serves the runs folder's reports on 127.0.0.1 until
/// Ctrl-C or SIGTERM (exit code 130). docs/reports.md describes what it serves and its security properties.
/// </summary>
public sealed class DashboardCommand : Command<DashboardCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--runs <DIR>")]
        [Description("The folder holding run folders (default: runs, where `rewire train` writes them).")]
        public string Runs { get; init; } = "runs";

        [CommandOption("--port <N>")]
        [Description("TCP port (default 8050; 0 picks a free one).")]
        public int Port { get; init; } = 8050;

        [CommandOption("--host <ADDRESS>")]
        [Description("IP address to listen on (default 127.0.0.1, this machine only). Another address exposes every run to that network.")]
        public string Host { get; init; } = "127.0.0.1";

        public override ValidationResult Validate()
        {
            if (!Directory.Exists(Runs)) return ValidationResult.Error($"runs folder '{Runs}' does not exist; pass --runs with the folder `rewire train` writes to (default runs)");
            if (Port is < 0 or > 65535) return ValidationResult.Error($"--port is {Port}; give 1 to 65535, or 0 for a free port");
            if (!IPAddress.TryParse(Host, out _)) return ValidationResult.Error($"--host '{Host}' is not an IP address; give one such as 127.0.0.1 (the default) or ::1");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var host = IPAddress.Parse(settings.Host);
            DashboardServer server;
            try
            {
                server = DashboardServer.StartAsync(settings.Runs, host, settings.Port, stop.Token).GetAwaiter().GetResult();
            }
            catch (IOException e)
            {
                Console.Error.WriteLine($"rewire dashboard: cannot listen on {settings.Host}:{settings.Port} ({e.Message}); pass another --port, or --port 0 for a free one");
                return ExitCodes.Refused;
            }
            try
            {
                if (!IPAddress.IsLoopback(host))
                    AnsiConsole.MarkupLine($"[yellow]Listening on {Markup.Escape(settings.Host)}: every run under {Markup.Escape(server.Root.RealPath)} is readable by anyone who can reach this address.[/]");
                // Tests and scripts read this line for the address (with --port 0 it names the port chosen).
                Console.Out.WriteLine($"rewire dashboard: serving {server.Root.RealPath} at {server.Address} (Ctrl-C stops)");
                Console.Out.Flush();
                // Ctrl-C (SIGINT) cancels `stop` directly; SIGTERM stops the host, which cancels it through Stopping.
                using var onHostStop = server.Stopping.Register(stop.Cancel);
                stop.Token.WaitHandle.WaitOne();
                server.StopAsync().GetAwaiter().GetResult();
            }
            finally
            {
                server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            Console.Out.WriteLine("rewire dashboard: stopped");
            return ExitCodes.Interrupted;
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Interrupted;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
