using Rewire.Classic.Control;
using Rewire.Classic.Control.Environments;
using Rewire.Core.Sampling;

namespace Rewire.Classic.Offline.Morec;

/// <summary>
/// A cart-pole dataset of mixed quality without a trained agent: a proportional-derivative balancer (push right when
/// θ + 0.5·θ̇ + 0.02·x + 0.1·ẋ &gt; 0) whose actions are replaced by random ones with probability ε, for each ε of the
/// given skill levels in turn (ε = 0 balances for long stretches, ε = 1 is a random policy). Episodes run under
/// CartPole-v1's 500-step time limit, seeded seed, seed + 1, ....
/// </summary>
public static class MixedQualityDataset
{
    /// <summary>The balancer's action for observation (x, ẋ, θ, θ̇).</summary>
    public static int Balancer(float[] o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return o[2] + 0.5 * o[3] + 0.02 * o[0] + 0.1 * o[1] > 0 ? 1 : 0;
    }

    /// <summary>Records <paramref name="episodesPerLevel"/> episodes at each of <paramref name="epsilons"/>.</summary>
    public static (DatasetHeader Header, List<Transition> Transitions) CartPole(int episodesPerLevel, IReadOnlyList<double> epsilons, int seed)
    {
        ArgumentNullException.ThrowIfNull(epsilons);
        var log = new TransitionLog();
        int episode = 0;
        foreach (double eps in epsilons)
        {
            var rng = new Xoshiro256StarStar(Xoshiro256StarStar.Derive(unchecked((ulong)seed), (ulong)(1000 + episode)));
            for (int e = 0; e < episodesPerLevel; e++, episode++)
            {
                var env = new RecordingWrapper<int>(ControlEnvironments.WithTimeLimit(new CartPole(), 500) as IEnvironment<int>
                    ?? throw new InvalidOperationException("cart-pole is discrete."), log, eps, rng, a => [a]);
                var obs = env.Reset(seed + episode).Observation;
                while (true)
                {
                    var r = env.Step(Balancer(obs));
                    obs = r.Observation;
                    if (r.Done) break;
                }
            }
        }
        var header = new DatasetHeader("cartpole", 4, "discrete", 2,
            $"balancer with epsilon {string.Join("/", epsilons.Select(x => x.ToString(System.Globalization.CultureInfo.InvariantCulture)))}, {episodesPerLevel} episodes each, seed {seed}");
        return (header, log.Transitions);
    }
}
