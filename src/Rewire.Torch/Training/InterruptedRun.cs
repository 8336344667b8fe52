using Rewire.Core.Configuration;

namespace Rewire.Torch.Training;

/// <summary>The summary of a run stopped (Ctrl-C) before its RL stage began, so summary.json records the stop.</summary>
public static class InterruptedRun
{
    /// <summary>
    /// Stopped during the supervised warm start: no checkpoint was written (a resume repeats the warm start, which is
    /// deterministic), no step was taken and nothing was evaluated, so the accuracies are 0.
    /// </summary>
    public static RunSummary DuringWarmStart(TrainOptions o, TimeSpan elapsed) => new()
    {
        Steps = 0,
        Seconds = elapsed.TotalSeconds,
        K = o.Eval.PassK,
        Seed = o.Run.Seed,
        ConfigHash = OptionsBinder.Hash(o),
        Task = o.Task.Name,
        Objective = o.Rl.Objective,
        Estimator = o.Rl.Estimator,
        Sampler = o.Rl.Sampler,
        Completed = false,
        StopReason = "interrupted",
    };
}
