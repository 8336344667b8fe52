namespace Rewire.Torch.Control;

/// <summary>
/// Stable-Baselines3's schedules of a value over training, read from the progress remaining p = 1 − steps/total (1 at
/// the start, 0 at the end): constant, or linear <c>value·p</c> (rl-baselines3-zoo's <c>lin_X</c>); and the exploration
/// schedule of DQN, linear from a start to an end value over the first fraction of training, then constant.
/// </summary>
public static class LinearSchedule
{
    /// <summary>1 − steps/total, clamped to [0, 1].</summary>
    public static double ProgressRemaining(long steps, long total) => total <= 0 ? 0 : Math.Clamp(1.0 - (double)steps / total, 0, 1);

    /// <summary>value·p when <paramref name="linear"/>, else value.</summary>
    public static double Value(double value, bool linear, double progressRemaining) => linear ? value * progressRemaining : value;

    /// <summary>start + (end − start)·min(1, (1 − p)/fraction) (SB3's <c>get_linear_fn</c>).</summary>
    public static double Exploration(double start, double end, double fraction, double progressRemaining)
    {
        double progress = 1 - progressRemaining;
        return progress > fraction || fraction <= 0 ? end : start + progress * (end - start) / fraction;
    }
}
