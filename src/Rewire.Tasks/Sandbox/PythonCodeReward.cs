// Partial-credit reward for real code: the completion's Python program runs in PythonSandbox against the prompt's unit tests.
// Total = passed / tests (the per-test outcomes p_j are the input of VeRPO's dense reward [R01], "Beyond Binary: Turning
// Partial Success into Dense Verifiable Rewards for Reinforcement Learning in Code Generation"); Correct = all pass.
// Components: test_0..test_{n-1} (1 = pass), pass_fraction, correct. The program is the first ```python fenced block of
// the completion when it has one, otherwise the whole completion.
using System.Text.Json;
using Rewire.Core.Rewards;

namespace Rewire.Tasks.Sandbox;

/// <param name="sandbox">Where programs run.</param>
/// <param name="maxParallelism">Rollouts scored at once (each runs its tests one after another). The default is the processor count.</param>
public sealed class PythonCodeReward(PythonSandbox sandbox, int maxParallelism = 0) : IBatchRewardFunction
{
    private readonly int _parallelism = maxParallelism > 0 ? maxParallelism : Environment.ProcessorCount;

    /// <summary>The prompt metadata key holding the unit tests as a JSON array of Python source strings.</summary>
    public const string TestsKey = "tests";

    /// <inheritdoc />
    public string Name => "python_tests";

    /// <summary>Extracts the program from a completion (first ```python or ``` fenced block, otherwise the whole text).</summary>
    public static string ExtractProgram(string completion)
    {
        foreach (var fence in (string[])["```python\n", "```py\n", "```\n"])
        {
            var start = completion.IndexOf(fence, StringComparison.Ordinal);
            if (start < 0) continue;
            start += fence.Length;
            var end = completion.IndexOf("```", start, StringComparison.Ordinal);
            return end < 0 ? completion[start..] : completion[start..end];
        }
        return completion;
    }

    /// <summary>The unit tests of <paramref name="prompt"/>: the JSON array of Python source strings under <see cref="TestsKey"/>.</summary>
    public static IReadOnlyList<string> Tests(Prompt prompt)
    {
        var json = prompt.Meta(TestsKey);
        try
        {
            return JsonSerializer.Deserialize<string[]>(json)
                ?? throw new ArgumentException($"prompt {prompt.Id}: metadata '{TestsKey}' is null; give a JSON array of Python test strings");
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"prompt {prompt.Id}: metadata '{TestsKey}' is not a JSON array of strings ({e.Message})", nameof(prompt));
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<RewardResult>> ScoreAsync(IReadOnlyList<Rollout> rollouts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rollouts);
        var results = new RewardResult[rollouts.Count];
        await Parallel.ForAsync(0, rollouts.Count, new ParallelOptions { MaxDegreeOfParallelism = _parallelism, CancellationToken = cancellationToken },
            async (i, ct) => results[i] = await ScoreOneAsync(rollouts[i], ct).ConfigureAwait(false)).ConfigureAwait(false);
        return results;
    }

    private async Task<RewardResult> ScoreOneAsync(Rollout rollout, CancellationToken ct)
    {
        var tests = Tests(rollout.Prompt);
        var c = new Dictionary<string, double>();
        for (var j = 0; j < tests.Count; j++) c["test_" + j] = 0;
        c["pass_fraction"] = 0;
        c["correct"] = 0;
        var completion = rollout.Completion ?? "";
        if (completion.Length > sandbox.Options.MaxProgramChars)
            return new RewardResult { Total = 0, Correct = false, Components = c, FailureReason = $"program longer than {sandbox.Options.MaxProgramChars} characters; not run" };
        var program = ExtractProgram(completion);
        if (program.Contains('\0'))
            return new RewardResult { Total = 0, Correct = false, Components = c, FailureReason = "program holds a NUL character; not run" };
        if (string.IsNullOrWhiteSpace(program))
            return new RewardResult { Total = 0, Correct = false, Components = c, FailureReason = "empty program; not run" };
        var run = await sandbox.RunAsync(program, tests, ct).ConfigureAwait(false);
        foreach (var t in run.Tests) c["test_" + t.Index] = t.Outcome == TestOutcome.Pass ? 1 : 0;
        c["pass_fraction"] = run.PassFraction;
        var all = run.Passed == run.Tests.Count && run.Tests.Count > 0;
        c["correct"] = all ? 1 : 0;
        var firstBad = run.Tests.FirstOrDefault(t => t.Outcome != TestOutcome.Pass);
        return new RewardResult
        {
            Total = run.PassFraction,
            Correct = all,
            Components = c,
            FailureReason = firstBad is null ? null : $"passed {run.Passed} of {run.Tests.Count} tests; test {firstBad.Index}: {firstBad.Outcome}: {firstBad.Detail}",
        };
    }
}
