using Rewire.Core.Sampling;

namespace Rewire.Classic.Control;

/// <summary>What <see cref="EnvironmentChecker"/> found: errors make an environment unusable; warnings are advice.</summary>
public sealed record EnvironmentCheckReport(IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings)
{
    /// <summary>True when the check found no errors (warnings allowed).</summary>
    public bool Ok => Errors.Count == 0;

    /// <inheritdoc />
    public override string ToString() =>
        Ok && Warnings.Count == 0 ? "environment check passed"
        : string.Join(Environment.NewLine, Errors.Select(e => "error: " + e).Concat(Warnings.Select(w => "warning: " + w)));
}

/// <summary>
/// Stable-Baselines3's <c>check_env</c> for Rewire environments: resets and steps the environment with actions sampled
/// from its action space and reports, each with what to change: missing spaces, an unsupported action space, Reset or Step
/// throwing, observations of the wrong length, outside the observation space or not finite, rewards that are NaN or
/// infinite, a null info, observation arrays reused and overwritten by later steps, and results that differ between two
/// runs from the same seed with the same actions.
/// </summary>
public static class EnvironmentChecker
{
    /// <summary>Checks an environment of either action type.</summary>
    public static EnvironmentCheckReport Check(IEnvironment environment, int seed = 0, int steps = 200)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return environment switch
        {
            IEnvironment<int> d => Check(d, seed, steps),
            IEnvironment<float[]> c => Check(c, seed, steps),
            _ => new EnvironmentCheckReport(
                [$"'{environment.Name}' implements neither IEnvironment<int> (discrete actions) nor IEnvironment<float[]> (continuous actions); implement one of them."], []),
        };
    }

    /// <summary>Checks <paramref name="environment"/> over <paramref name="steps"/> steps (resetting when an episode ends).</summary>
    public static EnvironmentCheckReport Check<TAction>(IEnvironment<TAction> environment, int seed = 0, int steps = 200) where TAction : notnull
    {
        ArgumentNullException.ThrowIfNull(environment);
        var errors = new List<string>();
        var warnings = new List<string>();
        string name = SafeName(environment);
        BoxSpace? obsSpace = Try(() => environment.ObservationSpace, errors, "ObservationSpace");
        Space<TAction>? actSpace = Try(() => environment.ActionSpace, errors, "ActionSpace");
        if (obsSpace is null) errors.Add($"'{name}' has no ObservationSpace; return a BoxSpace with the bounds of the observation vector.");
        if (actSpace is null) errors.Add($"'{name}' has no ActionSpace; return a DiscreteSpace or a BoxSpace.");
        if (errors.Count > 0) return new EnvironmentCheckReport(errors, warnings);

        switch (actSpace)
        {
            case DiscreteSpace: break;
            case BoxSpace box:
                if (!box.IsBounded) warnings.Add($"the action space {box} of '{name}' is unbounded; Gaussian policies are usually clipped to finite bounds.");
                else if (box.Low.Any(l => l != -1) || box.High.Any(h => h != 1))
                    warnings.Add($"the action space {box} of '{name}' is not [-1, 1]; Stable-Baselines3 advises rescaling continuous actions to [-1, 1].");
                break;
            default:
                errors.Add($"the action space of '{name}' is {actSpace!.GetType().Name}; the learners support DiscreteSpace (int actions) and BoxSpace (float[] actions).");
                return new EnvironmentCheckReport(errors, warnings);
        }

        var first = Trajectory(environment, obsSpace!, actSpace!, seed, steps, errors, name);
        if (errors.Count == 0)
        {
            var second = Trajectory(environment, obsSpace!, actSpace!, seed, steps, errors, name);
            if (errors.Count == 0) CompareRuns(first, second, errors, name);
        }
        return new EnvironmentCheckReport(errors.Distinct().ToList(), warnings);
    }

    private sealed record Record(float[] Observation, double Reward, bool Terminated, bool Truncated);

    private static List<Record> Trajectory<TAction>(IEnvironment<TAction> env, BoxSpace obsSpace, Space<TAction> actSpace, int seed, int steps,
        List<string> errors, string name) where TAction : notnull
    {
        var records = new List<Record>();
        var rng = new Xoshiro256StarStar(unchecked((ulong)seed * 7919 + 17));
        ResetResult reset;
        try { reset = env.Reset(seed); }
        catch (Exception e) { errors.Add($"Reset({seed}) of '{name}' threw {e.GetType().Name}: {e.Message}"); return records; }
        if (!CheckObservation(reset.Observation, obsSpace, "Reset", errors, name)) return records;
        if (reset.Info is null) errors.Add($"Reset of '{name}' returned a null info; return EnvInfo.Empty when there is nothing to report.");
        records.Add(new Record((float[])reset.Observation.Clone(), 0, false, false));
        var earlier = new List<(float[] Returned, float[] Copy)> { (reset.Observation, (float[])reset.Observation.Clone()) };
        for (int t = 0; t < steps; t++)
        {
            TAction action = actSpace.Sample(rng);
            StepResult r;
            try { r = env.Step(action); }
            catch (Exception e) { errors.Add($"Step (step {t + 1} after Reset({seed})) of '{name}' threw {e.GetType().Name}: {e.Message}"); return records; }
            if (!CheckObservation(r.Observation, obsSpace, $"Step {t + 1}", errors, name)) return records;
            if (!double.IsFinite(r.Reward)) { errors.Add($"Step {t + 1} of '{name}' returned the reward {r.Reward}; rewards must be finite numbers."); return records; }
            if (r.Info is null) { errors.Add($"Step {t + 1} of '{name}' returned a null info; return EnvInfo.Empty when there is nothing to report."); return records; }
            foreach (var (returned, copy) in earlier)
                if (!returned.AsSpan().SequenceEqual(copy))
                {
                    errors.Add($"'{name}' overwrote an observation array it had returned earlier; return a new array from every Reset and Step.");
                    return records;
                }
            earlier.Add((r.Observation, (float[])r.Observation.Clone()));
            if (earlier.Count > 8) earlier.RemoveAt(0);
            records.Add(new Record((float[])r.Observation.Clone(), r.Reward, r.Terminated, r.Truncated));
            if (r.Done)
            {
                try { reset = env.Reset(); }
                catch (Exception e) { errors.Add($"Reset() after an episode end of '{name}' threw {e.GetType().Name}: {e.Message}"); return records; }
                if (!CheckObservation(reset.Observation, obsSpace, "Reset after an episode end", errors, name)) return records;
                records.Add(new Record((float[])reset.Observation.Clone(), 0, false, false));
                earlier.Add((reset.Observation, (float[])reset.Observation.Clone()));
            }
        }
        return records;
    }

    private static bool CheckObservation(float[]? obs, BoxSpace space, string where, List<string> errors, string name)
    {
        if (obs is null) { errors.Add($"{where} of '{name}' returned a null observation; return a float[] of length {space.Dimension}."); return false; }
        if (obs.Length != space.Dimension)
        {
            errors.Add($"{where} of '{name}' returned an observation of length {obs.Length}, but the observation space {space} has {space.Dimension} coordinates.");
            return false;
        }
        int bad = Array.FindIndex(obs, v => !float.IsFinite(v));
        if (bad >= 0) { errors.Add($"{where} of '{name}' returned an observation with {obs[bad]} at coordinate {bad}; observations must be finite."); return false; }
        if (!space.Contains(obs))
        {
            int i = Enumerable.Range(0, obs.Length).First(k => obs[k] < space.Low[k] || obs[k] > space.High[k]);
            errors.Add($"{where} of '{name}' returned an observation outside its observation space: coordinate {i} is {obs[i]}, bounds [{space.Low[i]}, {space.High[i]}]; widen the space or fix the dynamics.");
            return false;
        }
        return true;
    }

    private static void CompareRuns(List<Record> a, List<Record> b, List<string> errors, string name)
    {
        for (int i = 0; i < Math.Min(a.Count, b.Count); i++)
        {
            var (x, y) = (a[i], b[i]);
            if (!x.Observation.AsSpan().SequenceEqual(y.Observation) || x.Reward != y.Reward || x.Terminated != y.Terminated || x.Truncated != y.Truncated)
            {
                errors.Add(i == 0
                    ? $"'{name}' is not deterministic under a seed: two Reset(seed) calls with the same seed gave different observations; draw all randomness from a generator seeded in Reset."
                    : $"'{name}' is not deterministic under a seed: two runs from the same seed with the same actions differ at record {i}; draw all randomness from a generator seeded in Reset.");
                return;
            }
        }
        if (a.Count != b.Count) errors.Add($"'{name}' is not deterministic under a seed: two runs from the same seed had different lengths.");
    }

    private static T? Try<T>(Func<T> get, List<string> errors, string what) where T : class
    {
        try { return get(); }
        catch (Exception e) { errors.Add($"reading {what} threw {e.GetType().Name}: {e.Message}"); return null; }
    }

    private static string SafeName(IEnvironment env)
    {
        try { return env.Name ?? env.GetType().Name; }
        catch (Exception) { return env.GetType().Name; }
    }
}
