using System.Numerics;

namespace Rewire.Tasks.Countdown;

/// <summary>An exact rational number in lowest terms with a positive denominator.</summary>
public readonly record struct Rational
{
    public BigInteger Numerator { get; }
    public BigInteger Denominator { get; }

    public Rational(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.IsZero) throw new DivideByZeroException("a rational number needs a non-zero denominator");
        if (denominator.Sign < 0) (numerator, denominator) = (-numerator, -denominator);
        var g = BigInteger.GreatestCommonDivisor(numerator, denominator);
        if (!g.IsOne && !g.IsZero) (numerator, denominator) = (numerator / g, denominator / g);
        Numerator = numerator;
        Denominator = denominator;
    }

    public static Rational Of(long n) => new(n, 1);
    public bool IsZero => Numerator.IsZero;
    public bool IsInteger => Denominator.IsOne;

    public static Rational operator +(Rational a, Rational b) => new(a.Numerator * b.Denominator + b.Numerator * a.Denominator, a.Denominator * b.Denominator);
    public static Rational operator -(Rational a, Rational b) => new(a.Numerator * b.Denominator - b.Numerator * a.Denominator, a.Denominator * b.Denominator);
    public static Rational operator *(Rational a, Rational b) => new(a.Numerator * b.Numerator, a.Denominator * b.Denominator);

    /// <summary>Exact division; null when <paramref name="b"/> is zero.</summary>
    public static Rational? Divide(Rational a, Rational b) => b.IsZero ? null : new Rational(a.Numerator * b.Denominator, a.Denominator * b.Numerator);

    public override string ToString() => IsInteger ? Numerator.ToString() : $"{Numerator}/{Denominator}";
}
