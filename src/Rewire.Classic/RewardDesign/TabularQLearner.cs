namespace Rewire.Classic.RewardDesign;

/// <summary>
/// ε-greedy tabular Q-learning (Watkins 1989; Sutton and Barto 2018, §6.5), the plain-C# learner on which the reward
/// designs are compared on the grid world. It learns from finished episodes (the designs relabel rewards once per batch),
/// sweeping each episode backwards so a sparse reward travels back along it in one pass:
/// <c>Q(s,a) ← Q(s,a) + α (r + γ·max_a' Q(s',a')·[s' not terminal] − Q(s,a))</c>; a time-limit truncation bootstraps.
/// Ties between greedy actions are broken at random, so an all-zero table explores like a random walk.
/// </summary>
public sealed class TabularQLearner
{
    private readonly double[] _q;
    private readonly Random _random;

    /// <summary>Creates a learner with an all-zero Q table.</summary>
    /// <param name="states">Number of states, at least 1.</param>
    /// <param name="actions">Number of actions, at least 1.</param>
    /// <param name="seed">Seed of exploration and tie-breaking.</param>
    /// <param name="learningRate">Step size α in (0, 1].</param>
    /// <param name="gamma">Discount γ in [0, 1].</param>
    /// <param name="epsilon">Exploration probability ε in [0, 1].</param>
    public TabularQLearner(int states, int actions, int seed, double learningRate = 0.5, double gamma = 0.99, double epsilon = 0.1)
    {
        if (states < 1 || actions < 1) throw new ArgumentOutOfRangeException(nameof(states), "Q-learning needs at least one state and one action.");
        if (!(learningRate is > 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate α must lie in (0, 1].");
        if (!(gamma is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "γ must lie in [0, 1].");
        if (!(epsilon is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε must lie in [0, 1].");
        States = states;
        Actions = actions;
        LearningRate = learningRate;
        Gamma = gamma;
        Epsilon = epsilon;
        _q = new double[states * actions];
        _random = new Random(seed);
    }

    /// <summary>Number of states.</summary>
    public int States { get; }

    /// <summary>Number of actions.</summary>
    public int Actions { get; }

    /// <summary>Step size α.</summary>
    public double LearningRate { get; }

    /// <summary>Discount γ.</summary>
    public double Gamma { get; }

    /// <summary>Exploration probability ε of <see cref="Act"/>.</summary>
    public double Epsilon { get; }

    /// <summary>The current estimate Q(s, a).</summary>
    public double Q(int state, int action) => _q[state * Actions + action];

    /// <summary>An ε-greedy action.</summary>
    public int Act(int state) => _random.NextDouble() < Epsilon ? _random.Next(Actions) : Greedy(state);

    /// <summary>A greedy action, ties broken at random.</summary>
    public int Greedy(int state)
    {
        int best = 0, ties = 0;
        double max = double.NegativeInfinity;
        for (int a = 0; a < Actions; a++)
        {
            double v = _q[state * Actions + a];
            if (v > max) { max = v; best = a; ties = 1; }
            else if (v == max && _random.Next(++ties) == 0) best = a;
        }
        return best;
    }

    private double Max(int state)
    {
        double max = double.NegativeInfinity;
        for (int a = 0; a < Actions; a++) max = Math.Max(max, _q[state * Actions + a]);
        return max;
    }

    /// <summary>Learns from one episode on its <see cref="DesignEpisode.TrainRewards"/>, last step first.</summary>
    public void Learn(DesignEpisode episode)
    {
        ArgumentNullException.ThrowIfNull(episode);
        for (int t = episode.Length - 1; t >= 0; t--)
        {
            var step = episode.Steps[t];
            double target = episode.TrainRewards[t] + (step.Terminal ? 0.0 : Gamma * Max(step.NextState));
            int i = step.State * Actions + step.Action;
            _q[i] += LearningRate * (target - _q[i]);
        }
    }
}
