using Rewire.Core.Sampling;

namespace Rewire.Classic.Recommendation;

/// <summary>
/// The logging policy of one user, of mixed quality across users: a clickbait propensity α (the bait level of each slot
/// is round(3α + N(0, 0.5²)) of the item scale), a focus (diverse: the user's top categories by observed features;
/// focused: the top category throughout) and an exploration rate ε ∈ {0, 0.3, 1} (a slot is a uniformly random item with
/// probability ε). A slot that repeats an item is replaced by a random unused item.
/// </summary>
public sealed class BehaviourPolicy
{
    private readonly RecommenderSimOptions _o;
    private readonly Xoshiro256StarStar _rng;

    /// <summary>A policy drawn from <paramref name="seed"/>.</summary>
    public BehaviourPolicy(RecommenderSimOptions options, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(options);
        _o = options;
        _rng = new Xoshiro256StarStar(seed);
        BaitPropensity = _rng.NextDouble();
        Focused = _rng.NextBernoulli(0.5);
        Epsilon = new[] { 0.0, 0.3, 1.0 }[_rng.NextInt(3)];
    }

    /// <summary>Clickbait propensity α in [0, 1].</summary>
    public double BaitPropensity { get; }

    /// <summary>Whether every slot comes from the user's top category.</summary>
    public bool Focused { get; }

    /// <summary>Probability that a slot is a uniformly random item.</summary>
    public double Epsilon { get; }

    /// <summary>The slate for a user with observable <paramref name="features"/>.</summary>
    public int[] Slate(IReadOnlyList<double> features)
    {
        ArgumentNullException.ThrowIfNull(features);
        var ranked = Enumerable.Range(0, _o.Categories).OrderByDescending(c => features[c]).ThenBy(c => c).ToArray();
        var slate = new int[_o.Slate];
        var used = new HashSet<int>();
        int levels = _o.ItemsPerCategory - 1;
        for (int j = 0; j < slate.Length; j++)
        {
            int item;
            if (_rng.NextBernoulli(Epsilon)) item = _rng.NextInt(_o.Items);
            else
            {
                int category = Focused ? ranked[0] : ranked[j % ranked.Length];
                int level = (int)Math.Clamp(Math.Round(levels * BaitPropensity + 0.5 * _rng.NextGaussian()), 0, levels);
                item = category * _o.ItemsPerCategory + level;
            }
            while (used.Contains(item)) item = _rng.NextInt(_o.Items);
            used.Add(item);
            slate[j] = item;
        }
        return slate;
    }
}
