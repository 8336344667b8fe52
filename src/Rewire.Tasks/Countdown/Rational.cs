using System.Numerics;

namespace Rewire.Tasks.Countdown;

/// <summary>An exact rational number in lowest terms with a positive denominator.</summary>
public readonly record struct Rational
{
    /// <summary>The numerator (carries the sign).</summary>
    public BigInteger Numerator { get; }
    /// <summary>The denominator, always positive.</summary>
    public BigInteger Denominator { get; }

    /// <summary>The rational <paramref name="numerator"/>/<paramref name="denominator"/>, reduced to lowest terms with a positive denominator.</summary>
    /// <exception cref="DivideByZeroException">The denominator is zero.</exception>
    public Rational(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.IsZero) throw new DivideByZeroException("a rational number needs a non-zero denominator");
        if (denominator.Sign < 0) (numerator, denominator) = (-numerator, -denominator);
        var g = BigInteger.GreatestCommonDivisor(numerator, denominator);
        if (!g.IsOne && !g.IsZero) (numerator, denominator) = (numerator / g, denominator / g);
        Numerator = numerator;
        Denominator = denominator;
    }

    /// <summary>The integer <paramref name="n"/> as a rational.</summary>
    public static Rational Of(long n) => new(n, 1);
    /// <summary>Whether the value is 0.</summary>
    public bool IsZero => Numerator.IsZero;
    /// <summary>Whether the value is a whole number (denominator 1).</summary>
    public bool IsInteger => Denominator.IsOne;

    /// <summary>Exact sum.</summary>
    public static Rational operator +(Rational a, Rational b) => new(a.Numerator * b.Denominator + b.Numerator * a.Denominator, a.Denominator * b.Denominator);
    /// <summary>Exact difference.</summary>
    public static Rational operator -(Rational a, Rational b) => new(a.Numerator * b.Denominator - b.Numerator * a.Denominator, a.Denominator * b.Denominator);
    /// <summary>Exact product.</summary>
    public static Rational operator *(Rational a, Rational b) => new(a.Numerator * b.Numerator, a.Denominator * b.Denominator);

    /// <summary>Exact division; null when <paramref name="b"/> is zero.</summary>
    public static Rational? Divide(Rational a, Rational b) => b.IsZero ? null : new Rational(a.Numerator * b.Denominator, a.Denominator * b.Numerator);

    /// <c>n</c> for an integer, else <c>n/d</c>.
    public override string ToString() => IsInteger ? Numerator.ToString() : $"{Numerator}/{Denominator}";
}
