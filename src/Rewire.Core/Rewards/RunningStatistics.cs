namespace Rewire.Core.Rewards;

/// <summary>A snapshot of one reward component's statistics.</summary>
/// <param name="Count">Number of values seen (failed calls included, with their failure value).</param>
/// <param name="Mean">Mean of the values (0 when empty).</param>
/// <param name="Std">Population standard deviation (0 when fewer than two values).</param>
/// <param name="Min">Smallest value (NaN when empty).</param>
/// <param name="Max">Largest value (NaN when empty).</param>
/// <param name="Failures">Number of failed calls.</param>
public readonly record struct ComponentStatistics(long Count, double Mean, double Std, double Min, double Max, long Failures);

/// <summary>
/// Running count, mean, standard deviation (Welford's algorithm), minimum, maximum and failure count of a stream of
/// values. Thread-safe; O(1) memory.
/// </summary>
public sealed class RunningStatistics
{
    private readonly Lock _gate = new();
    private long _count;
    private double _mean;
    private double _m2;
    private double _min = double.NaN;
    private double _max = double.NaN;
    private long _failures;

    /// <summary>Adds one value; <paramref name="failed"/> also counts it as a failure.</summary>
    public void Add(double value, bool failed = false)
    {
        lock (_gate)
        {
            _count++;
            var delta = value - _mean;
            _mean += delta / _count;
            _m2 += delta * (value - _mean);
            _min = _count == 1 ? value : Math.Min(_min, value);
            _max = _count == 1 ? value : Math.Max(_max, value);
            if (failed)
            {
                _failures++;
            }
        }
    }

    /// <summary>The current statistics.</summary>
    public ComponentStatistics Snapshot()
    {
        lock (_gate)
        {
            var std = _count > 1 ? Math.Sqrt(Math.Max(0, _m2 / _count)) : 0.0;
            return new ComponentStatistics(_count, _mean, std, _min, _max, _failures);
        }
    }

    /// <summary>Forgets everything seen so far.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _count = 0;
            _mean = 0;
            _m2 = 0;
            _min = double.NaN;
            _max = double.NaN;
            _failures = 0;
        }
    }
}
