using Rewire.Classic.Control;
using Rewire.Classic.Offline;
using Rewire.Classic.Offline.Morec;
using Rewire.Core.Sampling;

namespace Rewire.Classic.Tests.Offline;

/// <summary>MOREC: the dynamics reward and the filter on hand-computed cases, and the learned models on a small cart-pole dataset.</summary>
public sealed class MorecTests
{
    [Fact]
    public void Dynamics_reward_is_minus_log_one_minus_the_mean_clipped_probability()
    {
        Assert.Equal(0, DynamicsReward.FromProbabilities([0.0, 0.0, 0.0]));
        Assert.Equal(Math.Log(2), DynamicsReward.FromProbabilities([0.5, 0.5]), 12);
        Assert.Equal(-Math.Log(0.6), DynamicsReward.FromProbabilities([0.2, 0.6]), 12);        // mean 0.4
        Assert.Equal(-Math.Log(0.5), DynamicsReward.FromProbabilities([0.9], clip: 0.5), 12);  // clipped to 0.5
        Assert.Equal(-Math.Log(1 - 0.35), DynamicsReward.FromProbabilities([0.9, 0.2], clip: 0.5), 12); // (0.5 + 0.2) / 2
        Assert.Equal(-Math.Log(DynamicsReward.Floor), DynamicsReward.FromProbabilities([1.0, 1.0]), 9);
        Assert.Throws<ArgumentException>(() => DynamicsReward.FromProbabilities([]));
    }

    [Fact]
    public void Dynamics_reward_increases_with_the_mean_probability()
    {
        double previous = -1;
        for (int i = 0; i <= 100; i++)
        {
            double r = DynamicsReward.FromProbabilities([i / 100.0 * 0.99]);
            Assert.True(r > previous);
            previous = r;
        }
    }

    [Fact]
    public void A_discriminator_probability_is_the_sigmoid_of_its_logit_clipped_between_learner_and_expert()
    {
        Assert.Equal(1 / (1 + Math.Exp(-2)), DynamicsReward.Probability(5, learnerLogit: -1, expertLogit: 2), 12);
        Assert.Equal(1 / (1 + Math.Exp(1)), DynamicsReward.Probability(-3, -1, 2), 12);
        Assert.Equal(1 / (1 + Math.Exp(-0.5)), DynamicsReward.Probability(0.5, -1, 2), 12);
        Assert.Equal(1 / (1 + Math.Exp(-0.5)), DynamicsReward.Probability(0.5, 2, -1), 12);  // the order of the bounds does not matter
    }

    [Fact]
    public void Argmax_keeps_the_candidate_with_the_highest_dynamics_reward()
    {
        var rng = new Xoshiro256StarStar(1);
        Assert.Equal(1, TransitionFilter.Select([0.1, 0.9, 0.3], FilterSelection.Argmax, 0.1, rng));
        Assert.Equal(0, TransitionFilter.Select([0.7, 0.7, 0.3], FilterSelection.Argmax, 0.1, rng));   // first of equal maxima
        Assert.Equal(2, TransitionFilter.Select([-5, -4, -1], FilterSelection.Argmax, 0.1, rng));
        var random = new Xoshiro256StarStar(2);
        for (int trial = 0; trial < 200; trial++)
        {
            var scores = Enumerable.Range(0, 10).Select(_ => random.NextGaussian()).ToArray();
            int kept = TransitionFilter.Select(scores, FilterSelection.Argmax, 0.1, rng);
            Assert.All(scores, s => Assert.True(scores[kept] >= s));
        }
    }

    [Fact]
    public void Softmax_selection_draws_in_proportion_to_exp_score_over_temperature()
    {
        // Scores 0 and 0.1·ln 3 at temperature 0.1: weights 1 and 3, so the second is kept with probability 3/4.
        var rng = new Xoshiro256StarStar(3);
        int second = 0, n = 40_000;
        for (int i = 0; i < n; i++) second += TransitionFilter.Select([0, 0.1 * Math.Log(3)], FilterSelection.Softmax, 0.1, rng);
        Assert.InRange(second / (double)n, 0.74, 0.76);
    }

    [Theory]
    [InlineData(0.5, 0.6, 1, 0, true)]
    [InlineData(0.6, 0.6, 1, 0, false)]   // at the threshold the rollout goes on
    [InlineData(0.7, 0.6, 1, 0, false)]
    [InlineData(0.1, 0.6, 2, 3, false)]   // before the minimal rollout length
    [InlineData(0.1, 0.6, 3, 3, true)]
    public void A_rollout_ends_at_the_first_kept_transition_below_the_threshold(double score, double threshold, int steps, int minimal, bool ends) =>
        Assert.Equal(ends, TransitionFilter.Terminates(score, threshold, steps, minimal));

    private static OfflineData CartPoleData(int perLevel = 4, int seed = 5)
    {
        var (header, transitions) = MixedQualityDataset.CartPole(perLevel, [0, 0.5, 1.0], seed);
        return new OfflineData(header, transitions);
    }

    private static readonly MorecOptions Small = new() { Members = 3, EliteCount = 2, ModelEpochs = 8, RewardRounds = 20, DiscriminatorSteps = 40, RewardLearningRate = 3e-3 };

    [Fact]
    public void The_mixed_dataset_holds_every_skill_level_and_reads_back()
    {
        var (header, transitions) = MixedQualityDataset.CartPole(3, [0, 1.0], 7);
        var returns = transitions.GroupBy(t => t.Episode).Select(g => g.Sum(t => t.Reward)).ToList();
        Assert.Equal(6, returns.Count);
        Assert.True(returns.Take(3).Min() > returns.Skip(3).Max(), "the balancer outlasts the random policy");
        string path = Path.Combine(Path.GetTempPath(), $"morec-{Guid.NewGuid():N}.jsonl");
        try
        {
            TransitionDataset.Write(path, header, transitions);
            Assert.Equal(transitions.Count, TransitionDataset.Read(path).Transitions.Count);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void The_learned_dynamics_reward_scores_data_transitions_above_perturbed_ones()
    {
        var data = CartPoleData();
        var models = MorecFit.Fit(data, Small, seed: 1);
        Assert.NotNull(models.Reward);
        Assert.Equal(2, models.Reward!.Discriminators);   // rounds 10 and 20
        var rng = new Xoshiro256StarStar(9);
        int higher = 0, n = 300;
        double realSum = 0, wrongSum = 0;
        for (int i = 0; i < n; i++)
        {
            var t = data[rng.NextInt(data.Count)];
            var wrong = (float[])t.NextObservation.Clone();
            for (int j = 0; j < wrong.Length; j++)
                wrong[j] += (float)(3 * data.Scaling.TargetStd[j] * (rng.NextBernoulli(0.5) ? 1 : -1));
            double real = models.Reward.Score(t.Observation, t.Action, t.NextObservation), invented = models.Reward.Score(t.Observation, t.Action, wrong);
            realSum += real;
            wrongSum += invented;
            if (real > invented) higher++;
        }
        Assert.True(higher > 0.9 * n, $"real transition scored higher in {higher} of {n} (mean r^D {realSum / n:F3} real, {wrongSum / n:F3} perturbed; bounds {string.Join(" ", models.Reward.LogitBounds)})");
    }

    [Fact]
    public void The_ensemble_predicts_the_data_well_and_the_same_seed_gives_the_same_models()
    {
        var data = CartPoleData();
        var a = MorecFit.Fit(data, Small, seed: 2);
        var b = MorecFit.Fit(data, Small, seed: 2);
        Assert.Equal(a.Ensemble.ValidationError, b.Ensemble.ValidationError);
        Assert.All(a.Ensemble.Elites, k => Assert.True(a.Ensemble.ValidationError[k] < 0.2, $"member {k}: {a.Ensemble.ValidationError[k]}"));
        var t = data[10];
        Assert.Equal(a.Reward!.Score(t.Observation, t.Action, t.NextObservation), b.Reward!.Score(t.Observation, t.Action, t.NextObservation));
        Assert.Equal(2 * 2, a.Ensemble.Candidates(t.Observation, t.Action, 2, new Xoshiro256StarStar(1), out double u).Count);
        Assert.True(u > 0);
    }

    [Fact]
    public void Model_rollouts_end_at_the_threshold_and_without_the_filter_never_by_it()
    {
        var data = CartPoleData();
        var models = MorecFit.Fit(data, Small, seed: 3);
        ModelRolloutStatistics Roll(MorecOptions o, out List<int> lengths)
        {
            var stats = new ModelRolloutStatistics();
            var env = new ModelEnvironment<int>("cartpole-model", ControlEnvironments.Make("cartpole").ObservationSpace, new DiscreteSpace(2), data,
                models.Ensemble, o.Filter ? models.Reward : null, o, a => [a], stats);
            lengths = [];
            for (int episode = 0; episode < 20; episode++)
            {
                env.Reset(episode);
                int steps = 0;
                while (true)
                {
                    var r = env.Step(episode % 2);
                    steps++;
                    if (r.Done) break;
                }
                lengths.Add(steps);
            }
            return stats;
        }
        // An unreachable threshold ends every filtered rollout at its first step.
        var strict = Roll(Small with { TerminalDynamicsReward = 100 }, out var strictLengths);
        Assert.All(strictLengths, l => Assert.Equal(1, l));
        Assert.Equal(20, strict.FilterTerminations + strict.ModelTerminations);
        // ... or at the minimal rollout length, unless the model ends it first.
        Roll(Small with { TerminalDynamicsReward = 100, MinimalRolloutLength = 3 }, out var minimal);
        Assert.All(minimal, l => Assert.InRange(l, 1, 3));
        Assert.Contains(3, minimal);
        // Without the filter no rollout ends by the dynamics reward, and the rollout length truncates the rest.
        var plain = Roll(Small with { Filter = false, RolloutLength = 5 }, out var plainLengths);
        Assert.Equal(0, plain.FilterTerminations);
        Assert.All(plainLengths, l => Assert.InRange(l, 1, 5));
        Assert.Equal(0, plain.DynamicsRewardSum);
    }
}
