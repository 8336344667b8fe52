using System.Text.Json.Nodes;

namespace Rewire.Classic.Branching;

/// <summary>What one training epoch did.</summary>
/// <param name="Epoch">Epoch number (1-based).</param>
/// <param name="Epsilon">Exploration ε used.</param>
/// <param name="MeanNodes">Mean nodes of the training searches.</param>
/// <param name="MeanRelativeNodes">Mean of nodes / most-fractional nodes over the training instances.</param>
/// <param name="Examples">Q-examples collected.</param>
/// <param name="Loss">Mean squared error over the epoch's updates.</param>
public sealed record ReviBranchEpoch(int Epoch, double Epsilon, double MeanNodes, double MeanRelativeNodes, int Examples, double Loss);

/// <summary>Nodes explored on one held-out instance by each rule.</summary>
/// <param name="Instance">Instance name.</param>
/// <param name="Nodes">Rule name → nodes explored.</param>
/// <param name="Optimal">Rule name → whether the search proved optimality within the node limit.</param>
/// <param name="Objective">Best objective found by any rule that proved optimality (NaN when none).</param>
/// <param name="ObjectivesAgree">Whether every rule that proved optimality found the same optimum.</param>
public sealed record BranchingEvaluation(string Instance, IReadOnlyDictionary<string, int> Nodes, IReadOnlyDictionary<string, bool> Optimal, double Objective, bool ObjectivesAgree);

/// <summary>
/// ReviBranch training (DQN-style value learning on revived trajectories with importance-weighted reward redistribution)
/// on generated instances, and evaluation against classic rules on held-out ones. Every epoch's randomness derives from
/// (seed, epoch), so the saved state (epoch and network) resumes exactly.
/// </summary>
public sealed class ReviBranchTrainer
{
    private readonly ReviBranchOptions _options;
    private readonly ILpSolver _solver;
    private readonly int _seed;
    private readonly Dictionary<int, int> _referenceNodes = [];

    /// <summary>A trainer with a fresh network.</summary>
    public ReviBranchTrainer(ReviBranchOptions options, ILpSolver solver, int seed)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _solver = solver ?? throw new ArgumentNullException(nameof(solver));
        _seed = seed;
        Network = new QNetwork(BranchingFeatures.InputWidth, options.Hidden, Mix(seed, 17, 0));
    }

    /// <summary>The Q-network being trained.</summary>
    public QNetwork Network { get; }

    /// <summary>Epochs done.</summary>
    public int Epoch { get; private set; }

    /// <summary>Whether every epoch is done.</summary>
    public bool Done => Epoch >= _options.Epochs;

    /// <summary>The i-th training instance.</summary>
    public Milp TrainInstance(int i) => MilpGenerators.Generate(_options.Problem, _options.Size, Mix(_seed, 1, i));

    /// <summary>The i-th held-out instance (seeds disjoint from the training ones).</summary>
    public Milp EvalInstance(int i) => MilpGenerators.Generate(_options.Problem, _options.Size, Mix(_seed, 2, i));

    private BranchAndBound Search() => new(_solver, new BranchAndBoundOptions { NodeLimit = _options.NodeLimit, Selection = _options.Selection });

    /// <summary>One epoch: a search per training instance with the ε-greedy policy, then Adam updates on the revived trajectories.</summary>
    public ReviBranchEpoch RunEpoch()
    {
        if (Done) throw new InvalidOperationException("every epoch is done");
        int e = Epoch;
        double eps = _options.Epsilon(e);
        var rng = new Random(Mix(_seed, 3, e));
        var data = new List<QExample>();
        double nodes = 0, relative = 0;
        for (int i = 0; i < _options.TrainInstances; i++)
        {
            var milp = TrainInstance(i);
            if (!_referenceNodes.TryGetValue(i, out int reference))
                _referenceNodes[i] = reference = Math.Max(1, Search().Solve(milp, new MostFractionalRule()).Nodes);
            var rule = new ReviBranchRule(Network, eps, Mix(_seed, 4, e * 100_003 + i), _options.HistoryDecay);
            var result = Search().Solve(milp, rule);
            nodes += result.Nodes;
            relative += (double)result.Nodes / reference;
            double terminal = -(double)result.Nodes / reference;
            data.AddRange(RevivedTrajectories.Examples(result, rule.Decisions, terminal, _options.Temperature, _options.PathsPerSearch, rng));
        }
        double loss = 0;
        if (data.Count > 0)
        {
            var xs = new List<double[]>(_options.Batch);
            var ys = new List<double>(_options.Batch);
            for (int u = 0; u < _options.UpdatesPerEpoch; u++)
            {
                xs.Clear(); ys.Clear();
                for (int b = 0; b < _options.Batch; b++)
                {
                    var ex = data[rng.Next(data.Count)];
                    xs.Add(ex.Input); ys.Add(ex.Target);
                }
                loss += Network.Train(xs, ys, _options.LearningRate);
            }
            loss /= Math.Max(1, _options.UpdatesPerEpoch);
        }
        Epoch++;
        return new ReviBranchEpoch(Epoch, eps, nodes / _options.TrainInstances, relative / _options.TrainInstances, data.Count, loss);
    }

    /// <summary>The rules compared on held-out instances, the learned one last.</summary>
    public IReadOnlyList<IBranchingRule> Rules() =>
    [
        new MostFractionalRule(),
        new PseudoCostRule(),
        new StrongBranchingRule(),
        new StrongBranchingRule(_options.StrongLimit),
        new ReviBranchRule(Network),
    ];

    /// <summary>The classic rule named <paramref name="name"/> (most-fractional, pseudo-cost, strong, strong-limited) or the learned one (revibranch).</summary>
    public IBranchingRule Rule(string name) => Rules().FirstOrDefault(r => r.Name == name)
        ?? throw new ArgumentException($"'{name}' is not a branching rule; valid: {string.Join(", ", Rules().Select(r => r.Name))}", nameof(name));

    /// <summary>Nodes explored by each of <paramref name="rules"/> (default <see cref="Rules"/>) on held-out instance <paramref name="i"/>.</summary>
    public BranchingEvaluation Evaluate(int i, IReadOnlyList<IBranchingRule>? rules = null)
    {
        var milp = EvalInstance(i);
        var nodes = new Dictionary<string, int>();
        var optimal = new Dictionary<string, bool>();
        var values = new List<double>();
        foreach (var rule in rules ?? Rules())
        {
            var r = Search().Solve(milp, rule);
            nodes[rule.Name] = r.Nodes;
            optimal[rule.Name] = r.Status == SearchStatus.Optimal;
            if (r.Status == SearchStatus.Optimal) values.Add(r.Objective);
        }
        bool agree = values.Count == 0 || values.Max() - values.Min() <= 1e-6 * (1 + Math.Abs(values[0]));
        return new BranchingEvaluation(milp.Name, nodes, optimal, values.Count > 0 ? values.Min() : double.NaN, agree);
    }

    /// <summary>Epoch and network state for a checkpoint.</summary>
    public JsonObject SaveState() => new() { ["epoch"] = Epoch, ["network"] = Network.Save() };

    /// <summary>Restores <see cref="SaveState"/>'s output.</summary>
    public void RestoreState(JsonObject state)
    {
        ArgumentNullException.ThrowIfNull(state);
        int epoch = state["epoch"]!.GetValue<int>();
        if (epoch < 0 || epoch > _options.Epochs) throw new FormatException($"the checkpoint is at epoch {epoch}, outside 0..{_options.Epochs}");
        Network.Restore(state["network"]!.AsObject());
        Epoch = epoch;
    }

    private static int Mix(int seed, int stream, int index)
    {
        ulong z = unchecked((ulong)(uint)seed * 0x9E3779B97F4A7C15UL + (ulong)stream * 0xBF58476D1CE4E5B9UL + (ulong)(uint)index * 0x94D049BB133111EBUL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)((z ^ (z >> 31)) & 0x7FFFFFFF);
    }
}
