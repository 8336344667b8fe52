using System.Globalization;
using Rewire.Core.Techniques;
using static Rewire.Core.Techniques.TechniqueParameter;

namespace Rewire.Classic.Branching;

/// <summary>
/// The branching algorithms as listed techniques (kind <c>branching_algorithm</c>), run with
/// <c>rewire branch --algo NAME branch.KEY=VALUE ...</c>: ReviBranch trains on generated MILPs and is compared on held-out
/// ones with the classic rules; the classic rules alone only run the held-out comparison.
/// </summary>
public static class BranchingAlgorithms
{
    /// <summary>The ReviBranch paper.</summary>
    public const string ReviBranchPaper = "ReviBranch: Deep Reinforcement Learning for Branch-and-Bound with Revived Trajectories (arXiv 2508.17452)";

    /// <summary>The classic branching-rules reference.</summary>
    public const string BranchingRulesPaper = "Branching rules revisited (Achterberg, Koch, Martin, Operations Research Letters 2005)";

    private static IReadOnlyList<TechniqueParameter> Problem() =>
    [
        Choice("problem", "setcover", "MILP class of the generated instances.", "setcover", "knapsack", "facility"),
        Integer("size", 35, "Instance size: set-cover columns (three times as many rows), knapsack items (3 resources), facility-location customers (half as many facilities).", 2, 200),
        Integer("eval_instances", 10, "Held-out instances the rules are compared on.", 1, 10_000),
        Integer("node_limit", 3000, "Node limit of every branch-and-bound search.", 1, 10_000_000),
        Choice("selection", "best-bound", "Node selection.", "best-bound", "depth-first"),
        Integer("strong_limit", 8, "Candidates tried by limited strong branching (strong-limited).", 1, 10_000),
    ];

    /// <summary>Every listed branching algorithm.</summary>
    public static IReadOnlyList<TechniqueDescriptor> Descriptors { get; } =
    [
        new()
        {
            Kind = TechniqueKinds.BranchingAlgorithm,
            Name = "revibranch",
            Summary = "ReviBranch: a Q-network over candidate variables (bipartite-graph features, node state, revived history of the decisions above the node) learned on root-to-leaf revived trajectories with the terminal reward -nodes/most-fractional-nodes redistributed over the steps by importance; compared on held-out MILPs with most-fractional, pseudo-cost and strong branching.",
            Paper = ReviBranchPaper,
            Spec = "rewards-and-classic C24",
            DefaultsNote = "RECONSTRUCTED: the paper's GCN and transformer are replaced by fixed mean message passing and a decayed causal history mean under a plain-C# MLP Q-head trained on returns-to-go; the redistribution softmax, its importance (1 - gap share closed by the weaker child) and temperature are reconstructions; the paper's instance sizes and hyperparameters were not retrievable, the defaults are sized to finish in about two minutes on 2 cores.",
            Parameters =
            [
                .. Problem(),
                Integer("train_instances", 12, "Training instances, each searched once per epoch.", 1, 10_000),
                Integer("epochs", 6, "Training epochs (collect, then update).", 0, 10_000),
                Integer("paths_per_search", 16, "Root-to-leaf paths (revived trajectories) sampled per training search.", 1, 100_000),
                Integer("updates_per_epoch", 300, "Adam updates per epoch.", 0, 1_000_000),
                Integer("batch", 64, "Minibatch size.", 1, 100_000),
                Number("learning_rate", 1e-3, "Adam learning rate.", 1e-9, 1),
                Integer("hidden", 32, "Hidden units of the Q-network.", 1, 4096),
                Number("epsilon_start", 0.3, "Exploration epsilon in the first epoch.", 0, 1),
                Number("epsilon_end", 0.05, "Exploration epsilon in the last epoch (linear in between).", 0, 1),
                Number("temperature", 0.5, "Temperature T of the importance softmax w_i = exp(iota_i/T)/sum_j exp(iota_j/T).", 1e-6, 1e6),
                Number("history_decay", 0.5, "Weight decay per step up the path of the revived history.", 0, 1),
            ],
            Example = ["branch", "--algo", "revibranch", "branch.size=25", "branch.train_instances=6", "branch.eval_instances=4", "branch.epochs=3", "branch.updates_per_epoch=100", "--json"],
        },
        Classic("most-fractional", "Most-fractional branching: the fractional integer variable closest to 1/2 (the common weak baseline of learning-to-branch papers).", "Branching rules revisited (Achterberg, Koch, Martin 2005): most infeasible branching"),
        Classic("pseudo-cost", "Pseudo-cost branching: the product score of each variable's mean objective gain per unit rounding, learned from the child LPs of the same search.", "Experiments in mixed-integer linear programming (Benichou et al., Mathematical Programming 1971)"),
        Classic("strong", "Full strong branching: solve both child LPs of every candidate and take the best product score of the two gains (the usual node-count lower reference).", "Finding cuts in the TSP (Applegate, Bixby, Chvatal, Cook 1995)"),
        Classic("strong-limited", "Limited strong branching: strong branching over only the strong_limit most fractional candidates.", BranchingRulesPaper),
    ];

    private static TechniqueDescriptor Classic(string name, string summary, string paper) => new()
    {
        Kind = TechniqueKinds.BranchingAlgorithm,
        Name = name,
        Summary = summary + " `rewire branch --algo " + name + "` runs only the held-out comparison (no training).",
        Paper = paper,
        Spec = "rewards-and-classic C24 (baseline)",
        Parameters = Problem(),
        Example = ["branch", "--algo", name, "branch.size=20", "branch.eval_instances=3", "--json"],
    };

    /// <summary>The names accepted by <c>rewire branch --algo</c>.</summary>
    public static IReadOnlyList<string> Names => Descriptors.Select(d => d.Name).ToArray();

    /// <summary>Options from checked parameter values (every parameter present, as the descriptor's defaults fill them).</summary>
    public static ReviBranchOptions Options(IReadOnlyDictionary<string, string> p)
    {
        ArgumentNullException.ThrowIfNull(p);
        int I(string n, int d) => p.TryGetValue(n, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : d;
        double D(string n, double d) => p.TryGetValue(n, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : d;
        var o = new ReviBranchOptions();
        return o with
        {
            Problem = p.TryGetValue("problem", out var prob) ? prob : o.Problem,
            Size = I("size", o.Size),
            EvalInstances = I("eval_instances", o.EvalInstances),
            NodeLimit = I("node_limit", o.NodeLimit),
            Selection = p.TryGetValue("selection", out var sel) && sel == "depth-first" ? NodeSelection.DepthFirst : NodeSelection.BestBound,
            StrongLimit = I("strong_limit", o.StrongLimit),
            TrainInstances = I("train_instances", o.TrainInstances),
            Epochs = I("epochs", o.Epochs),
            PathsPerSearch = I("paths_per_search", o.PathsPerSearch),
            UpdatesPerEpoch = I("updates_per_epoch", o.UpdatesPerEpoch),
            Batch = I("batch", o.Batch),
            LearningRate = D("learning_rate", o.LearningRate),
            Hidden = I("hidden", o.Hidden),
            EpsilonStart = D("epsilon_start", o.EpsilonStart),
            EpsilonEnd = D("epsilon_end", o.EpsilonEnd),
            Temperature = D("temperature", o.Temperature),
            HistoryDecay = D("history_decay", o.HistoryDecay),
        };
    }
}
