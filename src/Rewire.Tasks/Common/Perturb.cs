using System.Globalization;

namespace Rewire.Tasks.Common;

/// <summary>Plausible wrong answers for imperfect demonstrations.</summary>
public static class Perturb
{
    /// <summary>
    /// A different canonical non-negative-or-negative integer close to <paramref name="answer"/>: one digit moved by ±1 (most of
    /// the time) or the whole value moved by ±1. Never returns <paramref name="answer"/> itself.
    /// </summary>
    public static string IntegerText(string answer, Random random)
    {
        var value = long.Parse(answer, CultureInfo.InvariantCulture);
        for (var attempt = 0; attempt < 16; attempt++)
        {
            long candidate;
            if (random.Chance(0.7))
            {
                var digits = Math.Abs(value).ToString(CultureInfo.InvariantCulture);
                var pos = random.Next(digits.Length);
                var place = (long)Math.Pow(10, digits.Length - 1 - pos);
                var delta = random.Chance(0.5) ? place : -place;
                candidate = value + (value < 0 ? -delta : delta);
            }
            else
            {
                candidate = value + (random.Chance(0.5) ? 1 : -1);
            }
            if (candidate != value && (candidate >= 0 || value < 0)) return candidate.ToString(CultureInfo.InvariantCulture);
        }
        return (value + 1).ToString(CultureInfo.InvariantCulture);
    }
}
