namespace Rewire.Core.Shaping;

/// <summary>Squashing function of <see cref="BoundedTransform"/>.</summary>
public enum BoundedFunction
{
    /// <summary><c>tanh(x)</c> ∈ (−1, 1).</summary>
    Tanh,
    /// <summary><c>σ(x)</c> ∈ (0, 1).</summary>
    Sigmoid,
    /// <summary><c>(2/π)·atan(x)</c> ∈ (−1, 1).</summary>
    Atan,
}

/// <summary>
/// Bounded transform, one of the shaping baselines of [R02] PAR ("Reward Shaping to Mitigate Reward Hacking in RLHF",
/// design principle 1: the RL reward should be bounded). <c>r' = f((r − center) / scale)</c> with f = tanh, sigmoid or
/// (2/π)·atan. (PAR's code uses raw atan; the 2/π factor makes all three bounded by 1 and is a Rewire choice.)
/// </summary>
public sealed class BoundedTransform : IRewardShaper
{
    /// <param name="function">The squashing function. <value>The default value is Tanh.</value></param>
    /// <param name="scale">Divides the reward first; must be positive. <value>The default value is 1.</value></param>
    /// <param name="center">Subtracted first. <value>The default value is 0.</value></param>
    public BoundedTransform(BoundedFunction function = BoundedFunction.Tanh, double scale = 1.0, double center = 0.0)
    {
        if (!(scale > 0) || !double.IsFinite(scale) || !double.IsFinite(center))
        {
            throw new ArgumentException($"bounded transform needs a finite positive scale and a finite center (got scale {scale}, center {center}).");
        }

        Function = function;
        Scale = scale;
        Center = center;
    }

    /// <inheritdoc />
    public string Name => "bounded";

    /// <summary>The squashing function f.</summary>
    public BoundedFunction Function { get; }

    /// <summary>The positive divisor applied to the centred reward before squashing.</summary>
    public double Scale { get; }

    /// <summary>The value subtracted from the reward before scaling.</summary>
    public double Center { get; }

    /// <summary>The transform of one value.</summary>
    public double Transform(double r)
    {
        var x = (r - Center) / Scale;
        return Function switch
        {
            BoundedFunction.Tanh => Math.Tanh(x),
            BoundedFunction.Sigmoid => Sigmoid(x),
            _ => 2.0 / Math.PI * Math.Atan(x),
        };
    }

    /// <inheritdoc />
    public void Apply(ShapingBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var r = batch.Rewards;
        for (var i = 0; i < r.Length; i++)
        {
            r[i] = Transform(r[i]);
        }
    }

    /// <summary>Numerically stable logistic function.</summary>
    public static double Sigmoid(double x) => x >= 0 ? 1.0 / (1.0 + Math.Exp(-x)) : Math.Exp(x) / (1.0 + Math.Exp(x));
}
