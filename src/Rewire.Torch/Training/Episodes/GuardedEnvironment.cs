// Failure isolation of a text environment, as for reward functions and control environments: every Reset and Step runs
// under an EnvironmentCallGuard (a dedicated worker thread of the reward path's RewardWorkerPool, with a time budget;
// .NET cannot abort a thread, so a call past its budget is given up on and its thread is counted until the call returns
// by itself; past env.max_abandoned such threads the run stops instead of holding more). A call that throws, runs out
// of time or answers with a non-finite reward ends its episode as a failure; the trainer counts it and goes on.
using Rewire.Classic.Control;
using Rewire.Tasks.Environments;

namespace Rewire.Torch.Training;

/// <summary>The outcome of one guarded environment call: its value, or why it failed.</summary>
/// <param name="Value">The call's result when it succeeded.</param>
/// <param name="Failure">Why it failed; null when it succeeded.</param>
/// <param name="TimedOut">True when it ran past its time budget.</param>
public readonly record struct GuardedResult<T>(T? Value, string? Failure, bool TimedOut)
{
    /// <summary>True when the call succeeded.</summary>
    public bool Ok => Failure is null;
}

/// <summary>One environment instance whose calls go through a guard. An instance that failed once is never called again.</summary>
public sealed class GuardedEnvironment(ITextEnvironment environment, EnvironmentCallGuard guard)
{
    private bool _broken;

    /// <summary>Starts the episode of <paramref name="seed"/>.</summary>
    public GuardedResult<string> Reset(int seed) => Call(() => environment.Reset(seed), "reset", o => o is null ? "returned no observation" : null);

    /// <summary>Applies <paramref name="action"/>.</summary>
    public GuardedResult<EnvironmentStep> Step(string action) => Call(() => environment.Step(action), "step", Check);

    private static string? Check(EnvironmentStep? s) =>
        s is null ? "returned no step"
        : s.Observation is null ? "returned no observation"
        : !double.IsFinite(s.Reward) ? $"returned a non-finite step reward ({s.Reward})"
        : s.Outcome is { } o && !double.IsFinite(o) ? $"returned a non-finite outcome ({o})"
        : null;

    private GuardedResult<T> Call<T>(Func<T> call, string what, Func<T?, string?> check)
    {
        string name = $"environment '{environment.Name}' {what}";
        if (_broken) return new(default, $"{name}: the instance failed before", false);
        try
        {
            if (!guard.TryCall(call, out var value))
            {
                _broken = true;
                guard.ThrowIfAtLimit(name);
                return new(default, $"{name} ran past its time budget of {guard.Budget!.Value.TotalMilliseconds:0} ms", true);
            }
            if (check(value) is { } problem)
            {
                _broken = true;
                return new(default, $"{name} {problem}", false);
            }
            return new(value, null, false);
        }
        catch (EnvironmentHangException)
        {
            throw;
        }
        catch (Exception e)
        {
            _broken = true;
            return new(default, $"{name} threw {e.GetType().Name}: {e.Message}", false);
        }
    }
}
