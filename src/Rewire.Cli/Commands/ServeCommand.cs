using System.ComponentModel;
using System.Net;
using Rewire.Cli.Serving;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Rewire.Cli.Commands;

/// <summary>
/// `rewire serve --model DIR|RUN [--port N] [--host ADDRESS] [--max-prompt-tokens N] [--max-n N] [--max-tokens N]`: an
/// OpenAI-compatible inference server for one model until Ctrl-C or SIGTERM (exit code 130). docs/serving.md describes
/// the API, the limits and the log-prob convention.
/// </summary>
public sealed class ServeCommand : Command<ServeCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--model <PATH>")]
        [Description("A Hugging Face model folder (config.json, tokenizer.json, safetensors) or a run folder made by `rewire train` (its newest checkpoint).")]
        public string? Model { get; init; }

        [CommandOption("--port <N>")]
        [Description("TCP port (default 8000; 0 picks a free one).")]
        public int Port { get; init; } = 8000;

        [CommandOption("--host <ADDRESS>")]
        [Description("IP address to listen on (default 127.0.0.1, this machine only). Another address lets anyone who reaches it generate and replace the weights.")]
        public string Host { get; init; } = "127.0.0.1";

        [CommandOption("--max-prompt-tokens <N>")]
        [Description("Longest prompt accepted, in tokens (default: the model's context minus one).")]
        public int? MaxPromptTokens { get; init; }

        [CommandOption("--max-n <N>")]
        [Description("Most completions per prompt (n) accepted (default 64).")]
        public int MaxN { get; init; } = 64;

        [CommandOption("--max-tokens <N>")]
        [Description("Most new tokens per completion (max_tokens) accepted (default: the model's context minus one).")]
        public int? MaxTokens { get; init; }

        [CommandOption("--max-batch <N>")]
        [Description("Most sequences generated together in one batch across requests (default 256).")]
        public int MaxBatch { get; init; } = 256;

        [CommandOption("--seed <S>")]
        [Description("Seed of the generator shared by requests that give no seed (default 0).")]
        public long Seed { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrEmpty(Model)) return ValidationResult.Error("--model is required: a Hugging Face model folder or a run folder made by `rewire train`");
            if (!Directory.Exists(Model)) return ValidationResult.Error($"--model '{Model}' is not a folder; give a Hugging Face model folder or a run folder");
            if (Port is < 0 or > 65535) return ValidationResult.Error($"--port is {Port}; give 1 to 65535, or 0 for a free port");
            if (!IPAddress.TryParse(Host, out _)) return ValidationResult.Error($"--host '{Host}' is not an IP address; give one such as 127.0.0.1 (the default) or ::1");
            if (MaxPromptTokens is < 1) return ValidationResult.Error($"--max-prompt-tokens is {MaxPromptTokens}; give at least 1");
            if (MaxN is < 1 or > 4096) return ValidationResult.Error($"--max-n is {MaxN}; give 1 to 4096");
            if (MaxTokens is < 1) return ValidationResult.Error($"--max-tokens is {MaxTokens}; give at least 1");
            if (MaxBatch is < 1 or > 65536) return ValidationResult.Error($"--max-batch is {MaxBatch}; give 1 to 65536");
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
            var model = ServedModel.Open(settings.Model!);
            InferenceServer server;
            try
            {
                var limits = new ServeLimits(
                    MaxPromptTokens: Math.Min(settings.MaxPromptTokens ?? int.MaxValue, model.ContextLength - 1),
                    MaxN: settings.MaxN,
                    MaxTokens: Math.Min(settings.MaxTokens ?? int.MaxValue, model.ContextLength - 1));
                server = InferenceServer.StartAsync(model, limits, IPAddress.Parse(settings.Host), settings.Port, settings.MaxBatch, settings.Seed, stop.Token)
                    .GetAwaiter().GetResult();
            }
            catch (IOException e)
            {
                model.Dispose();
                Console.Error.WriteLine($"rewire serve: cannot listen on {settings.Host}:{settings.Port} ({e.Message}); pass another --port, or --port 0 for a free one");
                return ExitCodes.Refused;
            }
            catch
            {
                model.Dispose();
                throw;
            }
            try
            {
                if (!IPAddress.IsLoopback(IPAddress.Parse(settings.Host)))
                    AnsiConsole.MarkupLine($"[yellow]Listening on {Markup.Escape(settings.Host)}: anyone who can reach this address can generate and replace the model's weights.[/]");
                // Tests and scripts read this line for the address (with --port 0 it names the port chosen).
                Console.Out.WriteLine($"rewire serve: serving {server.Model.Id} at {server.Address} (Ctrl-C stops)");
                Console.Out.Flush();
                using var onHostStop = server.Stopping.Register(stop.Cancel);
                stop.Token.WaitHandle.WaitOne();
                server.StopAsync().GetAwaiter().GetResult();
            }
            finally
            {
                server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            Console.Out.WriteLine("rewire serve: stopped");
            return ExitCodes.Interrupted;
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Interrupted;
        }
        catch (Exception e) when (e is Rewire.Core.Configuration.ConfigurationException or Rewire.Core.Runs.RunFolderException)
        {
            Console.Error.WriteLine(TerminalText.Clean(e.Message));
            return ExitCodes.Refused;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
