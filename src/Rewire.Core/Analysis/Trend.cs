namespace Rewire.Core.Analysis;

/// <summary>
/// A least-squares line through a series over steps: <see cref="Change"/> is the fitted rise from the first to the
/// last step (slope × span), which a few noisy steps move much less than a last-minus-first difference.
/// </summary>
public sealed record Trend(int Points, double Slope, double Start, double End)
{
    /// <summary>The fitted value at the last step minus the fitted value at the first.</summary>
    public double Change => End - Start;

    /// <summary>The least-squares fit of <paramref name="series"/> (non-finite values left out); null with fewer than two distinct steps.</summary>
    public static Trend? Fit(IEnumerable<(int Step, double Value)> series)
    {
        var points = series.Where(p => double.IsFinite(p.Value)).ToArray();
        if (points.Length < 2) return null;
        double mx = points.Average(p => (double)p.Step), my = points.Average(p => p.Value);
        double sxx = 0, sxy = 0;
        foreach (var (x, y) in points)
        {
            sxx += (x - mx) * (x - mx);
            sxy += (x - mx) * (y - my);
        }
        if (sxx == 0) return null;
        double slope = sxy / sxx;
        int first = points.Min(p => p.Step), last = points.Max(p => p.Step);
        return new Trend(points.Length, slope, my + slope * (first - mx), my + slope * (last - mx));
    }
}
