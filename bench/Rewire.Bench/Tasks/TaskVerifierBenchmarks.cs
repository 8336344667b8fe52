using BenchmarkDotNet.Attributes;
using Rewire.Core.Rewards;
using Rewire.Tasks;

namespace Rewire.Bench.Tasks;

/// <summary>
/// Cost of grading one completion per task (right answer, from the demonstrator) and of one hostile 24 KB output, and of
/// generating one prompt. Target: grading well under 10 µs for the char-level tasks, so reward is never the bottleneck.
/// </summary>
[MemoryDiagnoser]
public class TaskVerifierBenchmarks
{
    private ITask _task = null!;
    private Rollout _right = null!;
    private Rollout _hostile = null!;
    private int _index;

    [Params("arithmetic", "countdown", "lists", "reasoning", "programs")]
    public string Task { get; set; } = "arithmetic";

    [GlobalSetup]
    public void Setup()
    {
        _task = TaskRegistry.CreateDefault().Create(Task);
        var prompt = _task.Generate(Split.Train, 1, 0, Math.Min(2, _task.MaxDifficulty));
        _right = new Rollout(prompt, _task.Demonstrate(prompt, 0, new Random(1)));
        _hostile = new Rollout(prompt, string.Concat(Enumerable.Repeat("(9^9)", 4800)));
    }

    [Benchmark]
    public double ScoreRight() => _task.Verifier.Score(_right).Total;

    [Benchmark]
    public double ScoreHostile24K() => _task.Verifier.Score(_hostile).Total;

    [Benchmark]
    public string GeneratePrompt() => _task.Generate(Split.Train, 1, _index++ & 1023, 1).Text;
}
