namespace Rewire.Classic.Branching;

/// <summary>Settings of a ReviBranch training and evaluation run (the <c>branch.*</c> keys of <c>rewire branch</c>).</summary>
public sealed record ReviBranchOptions
{
    /// <summary>MILP class: setcover, knapsack or facility. The default value is setcover.</summary>
    public string Problem { get; init; } = "setcover";
    /// <summary>Size of the generated instances (set-cover columns, knapsack items or facility-location customers). The default value is 35.</summary>
    public int Size { get; init; } = 35;
    /// <summary>Training instances (seen every epoch). The default value is 12.</summary>
    public int TrainInstances { get; init; } = 12;
    /// <summary>Held-out evaluation instances. The default value is 10.</summary>
    public int EvalInstances { get; init; } = 10;
    /// <summary>Training epochs (collect one search per training instance, then update). The default value is 6.</summary>
    public int Epochs { get; init; } = 6;
    /// <summary>Root-to-leaf paths (revived trajectories) sampled per search. The default value is 16.</summary>
    public int PathsPerSearch { get; init; } = 16;
    /// <summary>Adam updates per epoch. The default value is 300.</summary>
    public int UpdatesPerEpoch { get; init; } = 300;
    /// <summary>Minibatch size. The default value is 64.</summary>
    public int Batch { get; init; } = 64;
    /// <summary>Adam learning rate. The default value is 0.001.</summary>
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Hidden units of the Q-network. The default value is 32.</summary>
    public int Hidden { get; init; } = 32;
    /// <summary>ε of ε-greedy exploration in the first epoch. The default value is 0.3.</summary>
    public double EpsilonStart { get; init; } = 0.3;
    /// <summary>ε in the last epoch (linear in between). The default value is 0.05.</summary>
    public double EpsilonEnd { get; init; } = 0.05;
    /// <summary>Temperature T of the importance softmax. The default value is 0.5.</summary>
    public double Temperature { get; init; } = 0.5;
    /// <summary>Decay of the revived history's weights per step up the path. The default value is 0.5.</summary>
    public double HistoryDecay { get; init; } = 0.5;
    /// <summary>Node limit of every search. The default value is 3000.</summary>
    public int NodeLimit { get; init; } = 3000;
    /// <summary>Node selection: best-bound or depth-first. The default value is best-bound.</summary>
    public NodeSelection Selection { get; init; } = NodeSelection.BestBound;
    /// <summary>Candidates tried by the limited strong-branching baseline (the full one tries all). The default value is 8.</summary>
    public int StrongLimit { get; init; } = 8;

    /// <summary>ε of epoch <paramref name="epoch"/> (0-based).</summary>
    public double Epsilon(int epoch) => Epochs <= 1 ? EpsilonEnd : EpsilonStart + (EpsilonEnd - EpsilonStart) * epoch / (Epochs - 1);
}
