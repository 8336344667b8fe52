using Rewire.Core.Advantages;
using Rewire.Core.Stats;

namespace Rewire.Core.Tests.Advantages;

/// <summary>Seeded random batches for the property tests.</summary>
internal static class AdvantageTestData
{
    public sealed record Batch(double[] Scores, string[] Labels, TokenMatrix Rewards, TokenMatrix Mask)
    {
        public AdvantageInput Input() => new(Rewards, Mask) { Index = GroupIndex.FromLabels(Labels) };
    }

    /// <summary>Groups of 2..maxGroup responses, shuffled (non-contiguous), outcome score at the last valid token.</summary>
    public static Batch Make(int seed, int maxGroups = 5, int maxGroup = 6, int length = 5, bool binary = false, bool allowSingletons = false)
    {
        var rng = new Random(seed);
        int groups = rng.Next(1, maxGroups + 1);
        var labels = new List<string>();
        for (int g = 0; g < groups; g++)
        {
            int size = rng.Next(allowSingletons ? 1 : 2, maxGroup + 1);
            for (int k = 0; k < size; k++) labels.Add("prompt-" + g);
        }
        var shuffled = labels.OrderBy(_ => rng.Next()).ToArray();
        int b = shuffled.Length;
        var scores = new double[b];
        var rewards = new TokenMatrix(b, length);
        var mask = new TokenMatrix(b, length);
        for (int i = 0; i < b; i++)
        {
            scores[i] = binary ? rng.Next(2) : Math.Round(rng.NextDouble() * 4 - 2, 3);
            int len = rng.Next(1, length + 1);
            for (int t = 0; t < len; t++) mask[i, t] = 1;
            rewards[i, len - 1] = scores[i];
        }
        return new Batch(scores, shuffled, rewards, mask);
    }

    /// <summary>Per-row advantage of an outcome estimator (value at the first token; every row has at least one valid token).</summary>
    public static double[] FirstColumn(TokenMatrix m)
    {
        var r = new double[m.Rows];
        for (int i = 0; i < m.Rows; i++) r[i] = m[i, 0];
        return r;
    }

    public static bool Close(double a, double b, double tol = 1e-9) => Math.Abs(a - b) <= tol * (1 + Math.Abs(b));
}
