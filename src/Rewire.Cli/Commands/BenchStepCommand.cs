using System.ComponentModel;
using System.Globalization;
using Rewire.Torch.Benchmarks;
using Rewire.Torch.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Rewire.Cli.Commands;

/// <summary>
/// `rewire bench step --workload peer-tiny|smollm2-135m`: a GRPO step and its parts, training and generation throughput
/// and a matmul peak (<see cref="StepBenchmark"/>), in the figures bench/python/bench_step.py prints for plain PyTorch.
/// </summary>
public sealed class BenchStepCommand : Command<BenchStepCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--workload <NAME>")]
        [Description("peer-tiny (a 0.8M-parameter GPT) or smollm2-135m (a random model of SmolLM2-135M's shape).")]
        public string? Workload { get; init; }

        [CommandOption("--repeats <N>")]
        [Description("Timed repetitions of each figure after one warm-up; the median is reported (default 3).")]
        public int Repeats { get; init; } = 3;

        [CommandOption("--seed <S>")]
        [Description("Seed of the random model, prompts and sampling (default 0).")]
        public long Seed { get; init; }

        [CommandOption("--threads <N>")]
        [Description("LibTorch threads (default 2, as the PyTorch side).")]
        public int Threads { get; init; } = 2;

        [CommandOption("--json")]
        [Description("Print the figures as one JSON document (the keys bench/python/bench_step.py prints).")]
        public bool Json { get; init; }

        public override ValidationResult Validate()
        {
            string names = string.Join(", ", StepWorkload.All.Keys);
            if (Workload is null) return ValidationResult.Error($"give --workload NAME; one of {names}");
            if (!StepWorkload.All.ContainsKey(Workload)) return ValidationResult.Error($"--workload \"{Workload}\" is unknown; choose one of {names}");
            if (Repeats is < 1 or > 1000) return ValidationResult.Error($"--repeats {Repeats} is out of range; give 1 to 1000 timed repetitions");
            if (Seed < 0) return ValidationResult.Error($"--seed {Seed} is negative; give 0 or more");
            if (Threads is < 1 or > 1024) return ValidationResult.Error($"--threads {Threads} is out of range; give 1 to 1024");
            return ValidationResult.Success();
        }
    }

    /// <summary>Tests only: shrinks a workload's sizes so the whole command runs in seconds (figures are not asserted).</summary>
    internal static Func<StepWorkload, StepWorkload>? ResizeForTests { get; set; }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        TorchRuntime.EnsureLoaded();
        var workload = StepWorkload.All[settings.Workload!];
        if (ResizeForTests is { } resize) workload = resize(workload);
        int threads = TorchSharp.torch.get_num_threads();
        StepBenchResult r;
        TorchSharp.torch.set_num_threads(settings.Threads);
        try
        {
            r = StepBenchmark.Run(workload, new StepBenchSettings(settings.Repeats, settings.Seed),
                settings.Json ? null : step => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(step)}...[/]"));
        }
        finally
        {
            TorchSharp.torch.set_num_threads(threads);   // in-process callers (tests) keep their thread count
        }
        if (settings.Json)
        {
            JsonOutput.Write(new
            {
                workload = r.Workload,
                parameters = r.Parameters,
                threads = r.Threads,
                repeats = r.Repeats,
                train_tokens_per_s = r.TrainTokensPerS,
                uncached_tokens_per_s = r.UncachedTokensPerS,
                cached_tokens_per_s = r.CachedTokensPerS,
                grpo_step_seconds = r.GrpoStepSeconds,
                generate_s = r.GenerateSeconds,
                score_s = r.ScoreSeconds,
                update_s = r.UpdateSeconds,
                grpo_rollouts = r.GrpoRollouts,
                grpo_new_tokens = r.GrpoNewTokens,
                matmul_gflops = r.MatmulGflops,
            });
            return ExitCodes.Done;
        }
        string F(double x) => x.ToString("0.###", CultureInfo.InvariantCulture);
        var table = new Table().AddColumn("figure").AddColumn("value");
        table.AddRow("workload / parameters", $"{Markup.Escape(r.Workload)} / {r.Parameters.ToString(CultureInfo.InvariantCulture)}");
        table.AddRow("threads / repeats (median)", $"{r.Threads} / {r.Repeats}");
        table.AddRow("training tokens/s", F(r.TrainTokensPerS));
        table.AddRow("uncached generation tokens/s", F(r.UncachedTokensPerS));
        table.AddRow("cached generation tokens/s", F(r.CachedTokensPerS));
        table.AddRow("GRPO step seconds", F(r.GrpoStepSeconds));
        table.AddRow("  generate / score / update s", $"{F(r.GenerateSeconds)} / {F(r.ScoreSeconds)} / {F(r.UpdateSeconds)}");
        table.AddRow("  rollouts / new tokens", $"{r.GrpoRollouts} / {r.GrpoNewTokens}");
        table.AddRow("matmul GFLOP/s", F(r.MatmulGflops));
        AnsiConsole.Write(table);
        return ExitCodes.Done;
    }
}
