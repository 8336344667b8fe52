namespace Rewire.Classic.Mdp;

/// <summary>
/// A finite discounted MDP with S states and A actions, every action available in every state. Transitions are stored
/// compactly (CSR layout): the outcomes of pair (s, a) are entries <c>Offsets[s·A + a] .. Offsets[s·A + a + 1] − 1</c> of
/// <see cref="Next"/>, <see cref="Probability"/> and <see cref="Reward"/> (reward r(s, a, s')). Terminal states are
/// absorbing with zero reward by convention (give them a self-loop of reward 0); the set is kept so shaping can use
/// Φ(terminal) = 0. Build one with <see cref="TabularMdpBuilder"/>.
/// </summary>
public sealed class TabularMdp
{
    internal TabularMdp(int states, int actions, double gamma, int[] offsets, int[] next, double[] probability, double[] reward, bool[] terminal)
    {
        States = states;
        Actions = actions;
        Gamma = gamma;
        Offsets = offsets;
        Next = next;
        Probability = probability;
        Reward = reward;
        Terminal = terminal;
    }

    /// <summary>Number of states S.</summary>
    public int States { get; }

    /// <summary>Number of actions A (available in every state).</summary>
    public int Actions { get; }

    /// <summary>Discount factor γ in [0, 1) (or 1 for episodic MDPs built with <c>episodic: true</c>).</summary>
    public double Gamma { get; }

    internal int[] Offsets { get; }

    internal int[] Next { get; }

    internal double[] Probability { get; }

    internal double[] Reward { get; }

    internal bool[] Terminal { get; }

    /// <summary>True when <paramref name="state"/> was marked terminal.</summary>
    public bool IsTerminal(int state) => Terminal[state];

    /// <summary>Index range of the outcomes of (s, a) in the transition arrays.</summary>
    public (int Start, int End) Range(int state, int action)
    {
        int i = state * Actions + action;
        return (Offsets[i], Offsets[i + 1]);
    }

    /// <summary>The outcomes (next state, probability, reward) of (s, a).</summary>
    public IEnumerable<(int Next, double Probability, double Reward)> Outcomes(int state, int action)
    {
        var (start, end) = Range(state, action);
        for (int k = start; k < end; k++) yield return (Next[k], Probability[k], Reward[k]);
    }

    /// <summary>Expected one-step reward plus discounted value: <c>Q(s,a) = Σ p (r + γ V(s'))</c>.</summary>
    public double Backup(int state, int action, ReadOnlySpan<double> values)
    {
        int i = state * Actions + action;
        double q = 0;
        for (int k = Offsets[i]; k < Offsets[i + 1]; k++) q += Probability[k] * (Reward[k] + Gamma * values[Next[k]]);
        return q;
    }

    /// <summary>A copy with every transition reward replaced by <paramref name="newReward"/>(s, a, s', r).</summary>
    public TabularMdp WithRewards(Func<int, int, int, double, double> newReward)
    {
        ArgumentNullException.ThrowIfNull(newReward);
        var rewards = new double[Reward.Length];
        for (int s = 0; s < States; s++)
        {
            for (int a = 0; a < Actions; a++)
            {
                var (start, end) = Range(s, a);
                for (int k = start; k < end; k++) rewards[k] = newReward(s, a, Next[k], Reward[k]);
            }
        }
        return new TabularMdp(States, Actions, Gamma, Offsets, Next, Probability, rewards, Terminal);
    }

    /// <summary>
    /// A random MDP for tests and benchmarks: each (s, a) has <paramref name="successors"/> distinct next states with
    /// Dirichlet(1)-like probabilities and rewards uniform in [0, 1).
    /// </summary>
    public static TabularMdp Random(int states, int actions, int successors, double gamma, int seed)
    {
        if (successors < 1 || successors > states)
            throw new ArgumentOutOfRangeException(nameof(successors), successors, $"successors must lie in [1, states = {states}].");
        var rng = new Random(seed);
        var builder = new TabularMdpBuilder(states, actions, gamma);
        var chosen = new int[successors];
        var weights = new double[successors];
        for (int s = 0; s < states; s++)
        {
            for (int a = 0; a < actions; a++)
            {
                int count = 0;
                while (count < successors)
                {
                    int candidate = rng.Next(states);
                    if (Array.IndexOf(chosen, candidate, 0, count) >= 0) continue;
                    chosen[count++] = candidate;
                }
                double total = 0;
                for (int k = 0; k < successors; k++)
                {
                    weights[k] = -Math.Log(1.0 - rng.NextDouble());
                    total += weights[k];
                }
                for (int k = 0; k < successors; k++) builder.Add(s, a, chosen[k], weights[k] / total, rng.NextDouble());
            }
        }
        return builder.Build();
    }
}

/// <summary>Collects transitions (s, a, s', p, r) and builds a validated <see cref="TabularMdp"/>.</summary>
public sealed class TabularMdpBuilder
{
    private readonly List<(int S, int A, int Next, double P, double R)> _transitions = [];
    private readonly bool[] _terminal;

    /// <param name="states">Number of states.</param>
    /// <param name="actions">Number of actions (all available in every state).</param>
    /// <param name="gamma">Discount γ: in [0, 1), or in [0, 1] when <paramref name="episodic"/>.</param>
    /// <param name="episodic">Allow γ = 1 for episodic tasks whose policies all reach a terminal state.</param>
    public TabularMdpBuilder(int states, int actions, double gamma, bool episodic = false)
    {
        if (states < 1) throw new ArgumentOutOfRangeException(nameof(states), states, "An MDP needs at least one state.");
        if (actions < 1) throw new ArgumentOutOfRangeException(nameof(actions), actions, "An MDP needs at least one action.");
        if (!(gamma >= 0 && (gamma < 1 || (episodic && gamma <= 1))))
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "The discount gamma must lie in [0, 1); for gamma = 1 build an episodic MDP (episodic: true) with terminal states.");
        States = states;
        Actions = actions;
        Gamma = gamma;
        _terminal = new bool[states];
    }

    /// <summary>Number of states S of the MDP being built.</summary>
    public int States { get; }

    /// <summary>Number of actions A of the MDP being built.</summary>
    public int Actions { get; }

    /// <summary>Discount factor γ of the MDP being built.</summary>
    public double Gamma { get; }

    /// <summary>Adds outcome s' with probability p and reward r to pair (s, a).</summary>
    public TabularMdpBuilder Add(int state, int action, int next, double probability, double reward)
    {
        CheckState(state, nameof(state));
        CheckState(next, nameof(next));
        if ((uint)action >= (uint)Actions) throw new ArgumentOutOfRangeException(nameof(action), action, $"Actions are numbered 0..{Actions - 1}.");
        if (!(probability > 0 && probability <= 1)) throw new ArgumentOutOfRangeException(nameof(probability), probability, "A transition probability must lie in (0, 1].");
        if (!double.IsFinite(reward)) throw new ArgumentOutOfRangeException(nameof(reward), reward, "Rewards must be finite.");
        _transitions.Add((state, action, next, probability, reward));
        return this;
    }

    /// <summary>Marks <paramref name="state"/> terminal and gives every action a zero-reward self-loop.</summary>
    public TabularMdpBuilder AddTerminal(int state)
    {
        CheckState(state, nameof(state));
        _terminal[state] = true;
        for (int a = 0; a < Actions; a++) Add(state, a, state, 1.0, 0.0);
        return this;
    }

    /// <summary>Builds the MDP; fails if some (s, a) has no outcomes or probabilities that do not sum to 1.</summary>
    public TabularMdp Build()
    {
        int pairs = States * Actions;
        var offsets = new int[pairs + 1];
        foreach (var t in _transitions) offsets[t.S * Actions + t.A + 1]++;
        for (int i = 0; i < pairs; i++) offsets[i + 1] += offsets[i];
        var fill = (int[])offsets.Clone();
        var next = new int[_transitions.Count];
        var prob = new double[_transitions.Count];
        var reward = new double[_transitions.Count];
        foreach (var t in _transitions)
        {
            int k = fill[t.S * Actions + t.A]++;
            next[k] = t.Next;
            prob[k] = t.P;
            reward[k] = t.R;
        }
        for (int i = 0; i < pairs; i++)
        {
            double total = 0;
            for (int k = offsets[i]; k < offsets[i + 1]; k++) total += prob[k];
            if (Math.Abs(total - 1.0) > 1e-9)
            {
                throw new InvalidOperationException(
                    $"State {i / Actions}, action {i % Actions}: outcome probabilities sum to {total:G6}, not 1. Add the missing outcomes (every action must be defined in every state).");
            }
        }
        return new TabularMdp(States, Actions, Gamma, offsets, next, prob, reward, (bool[])_terminal.Clone());
    }

    private void CheckState(int s, string name)
    {
        if ((uint)s >= (uint)States) throw new ArgumentOutOfRangeException(name, s, $"States are numbered 0..{States - 1}.");
    }
}
