using System.ComponentModel;
using System.Globalization;
using Rewire.Torch.Generation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Rewire.Cli.Commands;

/// <summary>`rewire bench generation`: generation and training throughput and the memory check of the default model.</summary>
public sealed class BenchGenerationCommand : Command<BenchGenerationCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--json")]
        [Description("Print the figures as one JSON document.")]
        public bool Json { get; init; }

        [CommandOption("--quick")]
        [Description("Fewer repetitions and 1,000 generate calls for the memory check instead of 10,000.")]
        public bool Quick { get; init; }

        [CommandOption("--memory-calls <N>")]
        [Description("Generate calls of the memory check (at least 100).")]
        public int? MemoryCalls { get; init; }

        [CommandOption("--seed <SEED>")]
        [Description("Seed of prompts, model and sampling (default 0).")]
        public long Seed { get; init; }

        public override ValidationResult Validate() =>
            MemoryCalls is < 100 or > 1_000_000
                ? ValidationResult.Error($"--memory-calls is {MemoryCalls}; give 100 to 1000000 (the check compares against the state after 100 calls)")
                : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var run = new GenerationBenchSettings(settings.Quick, settings.MemoryCalls, settings.Seed);
        var r = GenerationBenchmark.Run(run, settings.Json ? null : step => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(step)}...[/]"));
        if (settings.Json)
        {
            JsonOutput.Write(new
            {
                model = r.Model,
                parameters = r.Parameters,
                threads = r.Threads,
                processor_count = Environment.ProcessorCount,
                cached_tokens_per_s = r.CachedTokensPerS,
                uncached_tokens_per_s = r.UncachedTokensPerS,
                cache_speedup = r.CacheSpeedup,
                tokens_per_s_by_batch = r.TokensPerSByBatch,
                matmul_peak_gflops = r.MatmulPeakGflops,
                train_tokens_per_s = r.TrainTokensPerS,
                train_gflops = r.TrainGflops,
                train_fraction_of_peak = r.TrainFractionOfPeak,
                memory_calls = r.MemoryCalls,
                rss_after_100_mb = r.RssAfter100Mb,
                rss_after_all_mb = r.RssAfterAllMb,
                memory_growth_fraction = r.MemoryGrowthFraction,
                live_tensor_delta = r.LiveTensorDelta,
            });
            return 0;
        }
        string F(double x) => x.ToString("0.##", CultureInfo.InvariantCulture);
        var table = new Table().AddColumn("figure").AddColumn("value").AddColumn("target");
        table.AddRow("model", Markup.Escape(r.Model), "");
        table.AddRow("parameters / threads", $"{r.Parameters} / {r.Threads}", "");
        table.AddRow("cached tokens/s (64x64)", F(r.CachedTokensPerS), "");
        table.AddRow("uncached tokens/s (64x64)", F(r.UncachedTokensPerS), "");
        table.AddRow("cache speed-up", F(r.CacheSpeedup) + "x", ">= 5x");
        foreach (var (b, v) in r.TokensPerSByBatch) table.AddRow($"tokens/s, batch {b}", F(v), "");
        table.AddRow("matmul peak GFLOP/s", F(r.MatmulPeakGflops), "");
        table.AddRow("train tokens/s (fwd+bwd)", F(r.TrainTokensPerS), "");
        table.AddRow("train fraction of peak", F(100 * r.TrainFractionOfPeak) + "%", ">= 40%");
        table.AddRow($"RSS after 100 / {r.MemoryCalls} calls (MB)", $"{F(r.RssAfter100Mb)} / {F(r.RssAfterAllMb)}", "");
        table.AddRow("memory growth", F(100 * r.MemoryGrowthFraction) + "%", "<= 5%");
        table.AddRow("live tensor change over the calls", r.LiveTensorDelta.ToString(CultureInfo.InvariantCulture), "0");
        AnsiConsole.Write(table);
        return 0;
    }
}
