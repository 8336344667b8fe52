using Rewire.Core.Rewards;
using Rewire.Core.Sampling;

namespace Rewire.Core.Tests.Sampling;

/// <summary>Prompts with known pass rates and seeded Bernoulli rollouts, for sampler statistics.</summary>
internal sealed class SyntheticPopulation
{
    private readonly Dictionary<string, double> _passRate = new(StringComparer.Ordinal);
    private readonly Xoshiro256StarStar _rng;

    public SyntheticPopulation(ulong seed) => _rng = new Xoshiro256StarStar(seed);

    public List<Prompt> Pool { get; } = [];

    public int GroupSize { get; init; } = 8;

    public Prompt Add(string id, double passRate, string domain = "d", int difficulty = 1)
    {
        var p = new Prompt(id, "synthetic", domain, id, null, difficulty);
        Pool.Add(p);
        _passRate[id] = passRate;
        return p;
    }

    public double PassRate(Prompt p) => _passRate[p.Id];

    public void SetPassRate(Prompt p, double value) => _passRate[p.Id] = value;

    public IReadOnlyList<GroupOutcome> Rollout(IReadOnlyList<Prompt> prompts) =>
        prompts.Select(p =>
        {
            var c = new bool[GroupSize];
            for (var i = 0; i < c.Length; i++) c[i] = _rng.NextBernoulli(_passRate[p.Id]);
            return GroupOutcome.FromCorrectness(p, c);
        }).ToArray();

    /// <summary>Pass rates 0, 0.1, 0.5, 0.9 and 1.0, <paramref name="each"/> prompts of each.</summary>
    public static SyntheticPopulation Mixed(ulong seed, int each = 20, int groupSize = 8)
    {
        var pop = new SyntheticPopulation(seed) { GroupSize = groupSize };
        double[] rates = [0.0, 0.1, 0.5, 0.9, 1.0];
        for (var i = 0; i < each; i++)
            foreach (var r in rates)
                pop.Add($"p{r:0.0}-{i}", r, domain: r < 0.5 ? "hard" : "easy", difficulty: r >= 0.9 ? 1 : r >= 0.5 ? 2 : 3);
        return pop;
    }
}
