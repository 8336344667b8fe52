using System.Diagnostics;

namespace Rewire.Core.Rewards;

/// <summary>Settings of a <see cref="RewardSoak"/> run.</summary>
/// <param name="Calls">Reward calls to make.</param>
/// <param name="HangShare">Share of calls that hang (ignore cancellation and sleep for <paramref name="HangFor"/>).</param>
/// <param name="ThrowShare">Share of calls that throw.</param>
/// <param name="Budget">The time budget of one call.</param>
/// <param name="HangFor">How long a hanging call blocks before it returns by itself (the soak releases every hang at the end).</param>
/// <param name="AbandonedCallLimit">The component's abandoned-call limit.</param>
/// <param name="Workers">Worker threads of the soak's own pool.</param>
/// <param name="MaxAbandoned">The pool-wide abandoned-thread limit.</param>
/// <param name="Seed">Seed of which calls hang and which throw.</param>
public sealed record RewardSoakOptions(
    int Calls = 10_000,
    double HangShare = 0.01,
    double ThrowShare = 0.01,
    TimeSpan? Budget = null,
    TimeSpan? HangFor = null,
    int AbandonedCallLimit = 8,
    int Workers = 2,
    int MaxAbandoned = 16,
    int Seed = 1)
{
    /// <summary>The call budget (default 20 ms).</summary>
    public TimeSpan CallBudget => Budget ?? TimeSpan.FromMilliseconds(20);

    /// <summary>How long a hang lasts (default five budgets).</summary>
    public TimeSpan HangDuration => HangFor ?? 5 * CallBudget;

    /// <summary>Refuses settings that cannot describe a run.</summary>
    /// <exception cref="ArgumentException">A count below 1, a share outside [0, 1] or summing above 1, or a non-positive budget.</exception>
    public void Validate()
    {
        if (Calls < 1) throw new ArgumentException($"calls is {Calls}; give at least 1");
        if (!(HangShare >= 0 && HangShare <= 1) || !(ThrowShare >= 0 && ThrowShare <= 1) || HangShare + ThrowShare > 1)
            throw new ArgumentException($"hang share {HangShare} and throw share {ThrowShare} must each lie in [0, 1] and add up to at most 1");
        if (CallBudget <= TimeSpan.Zero || HangDuration < TimeSpan.Zero) throw new ArgumentException("the budget must be positive and the hang duration not negative");
        if (Workers < 1 || MaxAbandoned < 0 || AbandonedCallLimit < 0) throw new ArgumentException("workers must be at least 1 and the abandoned limits 0 or more");
    }
}

/// <summary>
/// What a soak did: how many calls of each planned kind (ok, throw, hang) ended in each outcome, with the threads the
/// reward pool used. <see cref="Mismatches"/> counts calls whose outcome does not fit their kind (an ok call that threw or
/// returned the wrong value, a hang that returned a value; a timeout or a quarantine fits any kind); it is 0 in a correct run.
/// </summary>
public sealed record RewardSoakReport(
    RewardSoakOptions Options,
    IReadOnlyDictionary<string, IReadOnlyDictionary<RewardCallOutcome, long>> ByKind,
    RewardCallCounts Counts,
    long Mismatches,
    int PoolWorkers,
    int PeakPoolThreads,
    long PoolThreadsStarted,
    int ProcessThreadsBefore,
    int PeakProcessThreads,
    TimeSpan Elapsed)
{
    /// <summary>Calls per second of wall time.</summary>
    public double CallsPerSecond => Options.Calls / Math.Max(Elapsed.TotalSeconds, 1e-9);
}

/// <summary>
/// A soak of the reward path: many calls through a <see cref="RewardPipeline"/> term of which a share hang (a synchronous
/// function that ignores cancellation) and a share throw. Used by the CI soak test (10,000 calls) and by
/// `rewire bench rewards` (100,000 calls).
/// </summary>
public static class RewardSoak
{
    /// <summary>The planned kind of every call, by call index: "ok", "throw" or "hang", drawn from <paramref name="options"/>' seed and shares.</summary>
    public static string[] Plan(RewardSoakOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var random = new Random(options.Seed);
        var plan = new string[options.Calls];
        for (var i = 0; i < plan.Length; i++)
        {
            var u = random.NextDouble();
            plan[i] = u < options.HangShare ? "hang" : u < options.HangShare + options.ThrowShare ? "throw" : "ok";
        }

        return plan;
    }

    /// <summary>The value an "ok" call returns for call <paramref name="index"/>.</summary>
    public static double OkValue(int index) => index % 10 / 10.0;

    /// <summary>Runs the soak; every hang is released before it returns, so it leaves no thread behind for long.</summary>
    public static RewardSoakReport Run(RewardSoakOptions options, Action<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var plan = Plan(options);
        using var release = new ManualResetEventSlim();
        var function = new SoakReward(plan, options.HangDuration, release);
        using var pool = new RewardWorkerPool(options.Workers, options.MaxAbandoned);
        var policy = new FailurePolicy { FailureValue = -1, TimeBudget = options.CallBudget, AbandonedCallLimit = options.AbandonedCallLimit };
        var pipeline = new RewardPipeline([RewardTerm.Of(function, 1.0, policy)], "soak", pool);
        var byKind = new Dictionary<string, Dictionary<RewardCallOutcome, long>>(StringComparer.Ordinal);
        foreach (var kind in new[] { "ok", "throw", "hang" })
            byKind[kind] = Enum.GetValues<RewardCallOutcome>().ToDictionary(o => o, _ => 0L);
        long mismatches = 0;
        var threadsBefore = CurrentThreads();
        var peakThreads = threadsBefore;
        var prompt = new Prompt("soak", "soak", "soak", "soak", null);
        var clock = Stopwatch.StartNew();
        try
        {
            var last = pipeline.CallCounts[function.Name];
            for (var i = 0; i < plan.Length; i++)
            {
                var result = pipeline.Score(new Rollout(prompt, i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                var now = pipeline.CallCounts[function.Name];
                var outcome = Delta(last, now);
                last = now;
                byKind[plan[i]][outcome]++;
                // A timeout fits every kind: on a loaded machine even a quick call can miss a 20 ms budget.
                var fits = outcome is RewardCallOutcome.Quarantined or RewardCallOutcome.TimedOut || plan[i] switch
                {
                    "ok" => outcome == RewardCallOutcome.Ok && result.Total == OkValue(i),
                    "throw" => outcome == RewardCallOutcome.Threw,
                    _ => outcome == RewardCallOutcome.TimedOut,
                };
                if (!fits || (outcome != RewardCallOutcome.Ok && result.Total != policy.FailureValue)) mismatches++;
                if ((i & 255) == 0)
                {
                    peakThreads = Math.Max(peakThreads, CurrentThreads());
                    progress?.Invoke(i);
                }
            }
        }
        finally
        {
            release.Set();
        }

        clock.Stop();
        peakThreads = Math.Max(peakThreads, CurrentThreads());
        progress?.Invoke(plan.Length);
        return new RewardSoakReport(
            options,
            byKind.ToDictionary(kv => kv.Key, kv => (IReadOnlyDictionary<RewardCallOutcome, long>)kv.Value, StringComparer.Ordinal),
            pipeline.CallCounts[function.Name],
            mismatches,
            pool.Workers,
            pool.PeakLiveThreads,
            pool.ThreadsStarted,
            threadsBefore,
            peakThreads,
            clock.Elapsed);
    }

    private static int CurrentThreads()
    {
        using var process = Process.GetCurrentProcess();
        return process.Threads.Count;
    }

    private static RewardCallOutcome Delta(RewardCallCounts a, RewardCallCounts b) =>
        b.Ok > a.Ok ? RewardCallOutcome.Ok
        : b.Threw > a.Threw ? RewardCallOutcome.Threw
        : b.Invalid > a.Invalid ? RewardCallOutcome.Invalid
        : b.TimedOut > a.TimedOut ? RewardCallOutcome.TimedOut
        : b.Quarantined > a.Quarantined ? RewardCallOutcome.Quarantined
        : throw new InvalidOperationException("a reward call ended without being counted");

    /// <summary>Call i does what the plan says; a hang ignores cancellation and blocks until released or its time is up.</summary>
    private sealed class SoakReward(string[] plan, TimeSpan hangFor, ManualResetEventSlim release) : IRewardFunction
    {
        public string Name => "soak";

        public RewardResult Score(Rollout rollout)
        {
            var i = int.Parse(rollout.Completion, System.Globalization.CultureInfo.InvariantCulture);
            switch (plan[i])
            {
                case "hang":
                    release.Wait(hangFor);
                    return RewardResult.Of(1.0);
                case "throw":
                    throw new InvalidOperationException($"planned failure of call {i}");
                default:
                    return RewardResult.Of(OkValue(i));
            }
        }
    }
}
