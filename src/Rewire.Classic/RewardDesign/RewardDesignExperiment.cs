using Rewire.Classic.Control;
using Rewire.Classic.Control.Environments;
using Rewire.Core.Techniques;

namespace Rewire.Classic.RewardDesign;

/// <summary>One run of a reward design on a key–door grid world with a tabular learner.</summary>
/// <param name="Design">A reward_design name, or "sparse" for the environment's reward alone.</param>
/// <param name="Environment">A key–door grid world name.</param>
/// <param name="Episodes">Training episodes.</param>
/// <param name="Seed">Seed of the learner.</param>
/// <param name="Settings">Parameters of the design (the rest at the descriptor's defaults).</param>
public sealed record RewardDesignRun(string Design, string Environment, int Episodes, int Seed, IReadOnlyDictionary<string, string>? Settings = null)
{
    /// <summary>Episodes per batch: the design relabels a batch at once (Auto MC-Reward runs its code once per batch).</summary>
    public int BatchEpisodes { get; init; } = 1;

    /// <summary>γ of the learner.</summary>
    public double Gamma { get; init; } = 0.99;
}

/// <summary>
/// What a run achieved, measured on the environment's own (true) reward: environment steps until the first episode that
/// reached the goal, steps until the learner's greedy policy first reached the goal (checked after every batch), the
/// success rate and mean true return of the last 100 episodes, and the design's metrics.
/// </summary>
public sealed record RewardDesignOutcome(string Design, string Environment, int Seed, long EnvSteps, long? FirstGoalStep, long? GreedySolvedStep,
    double SuccessLast100, double MeanReturnLast100, IReadOnlyDictionary<string, double> Metrics);

/// <summary>
/// Runs reward designs on the key–door grid worlds with plain-C# tabular learners, the evidence behind
/// `rewire bench reward-design`: every design except BARFI trains ε-greedy Q-learning (<see cref="TabularQLearner"/>,
/// α = 0.5, ε = 0.1) on the relabelled rewards of each batch; BARFI trains its own REINFORCE policy and learns the
/// shaping weights (<see cref="Barfi"/>), and the naive-shaping baseline is compared with it on the same policy learner
/// when <c>policy_gradient</c> is asked for. Deterministic for a seed.
/// </summary>
public static class RewardDesignExperiment
{
    /// <summary>Descriptor of the sparse baseline (not a registered design).</summary>
    public static TechniqueDescriptor Sparse { get; } = new()
    {
        Kind = TechniqueKinds.RewardDesign,
        Name = "sparse",
        Summary = "The environment's reward alone.",
        Paper = "none",
        Example = ["bench", "reward-design"],
    };

    /// <summary>Runs <paramref name="run"/> and measures it on the environment's own reward.</summary>
    /// <param name="run">Design, environment, episodes, seed and design settings.</param>
    /// <param name="policyGradient">Train with a tabular REINFORCE policy (BARFI's learner) instead of ε-greedy
    /// Q-learning, so a design is compared with BARFI on the same learner.</param>
    /// <param name="policyGradientLearningRate">Step size of that policy-gradient learner.</param>
    public static RewardDesignOutcome Run(RewardDesignRun run, bool policyGradient = false, double policyGradientLearningRate = 0.5)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Episodes < 1) throw new ArgumentOutOfRangeException(nameof(run), run.Episodes, "A run needs at least one episode.");
        if (run.BatchEpisodes < 1) throw new ArgumentOutOfRangeException(nameof(run), run.BatchEpisodes, "A batch holds at least one episode.");
        var rollouts = KeyDoorEnvironments.Create(run.Environment).Rollouts;
        var descriptor = run.Design == "sparse" ? Sparse : RewardDesignCatalog.Find(run.Design);
        var resolved = TechniqueResolution.Resolve(descriptor, run.Settings);
        if (run.Design == "barfi") return RunBarfi(run, rollouts, resolved);
        IEpisodeRewardDesign design = run.Design == "sparse" ? new SparseReward() : RewardDesignCatalog.Create(resolved, run.Environment, run.Gamma);
        if (policyGradient) return RunPolicyGradient(run, rollouts, design, policyGradientLearningRate);

        var grid = rollouts.Grid;
        var learner = new TabularQLearner(grid.StateCount, KeyDoorGrid.ActionCount, run.Seed, gamma: run.Gamma);
        var tracker = new Tracker();
        for (int done = 0; done < run.Episodes;)
        {
            var batch = new List<DesignEpisode>();
            for (int i = 0; i < run.BatchEpisodes && done < run.Episodes; i++, done++)
                batch.Add(rollouts.Episode(learner.Act));
            DesignBatch.Relabel(design, batch);
            foreach (var e in batch) learner.Learn(e);
            DesignBatch.Observe(design, batch);
            tracker.Add(batch);
            if (tracker.GreedySolved is null && rollouts.Episode(learner.Greedy).Return > 0) tracker.GreedySolved = tracker.Steps;
        }
        return tracker.Outcome(run, design.Metrics);
    }

    private static RewardDesignOutcome RunBarfi(RewardDesignRun run, GridRollouts rollouts, ResolvedTechnique p)
    {
        var options = RewardDesignCatalog.BarfiOptions(p);
        var barfi = new Barfi(rollouts.Grid.StateCount, KeyDoorGrid.ActionCount, rollouts.AuxiliaryCount, run.Seed, options);
        var tracker = new Tracker();
        for (int i = 0; i < run.Episodes; i++)
        {
            var e = rollouts.Episode(barfi.Act);
            barfi.Learn(e);
            tracker.Add([e]);
            if (tracker.GreedySolved is null && (i + 1) % run.BatchEpisodes == 0 && rollouts.Episode(s => ArgMax(barfi.Policy(s))).Return > 0)
                tracker.GreedySolved = tracker.Steps;
        }
        var metrics = new Dictionary<string, double>
        {
            ["reward_design/barfi/offset"] = barfi.Offset,
            ["reward_design/barfi/gamma"] = barfi.Gamma,
            ["reward_design/barfi/outer_updates"] = barfi.OuterUpdates,
        };
        for (int j = 0; j < barfi.AuxWeights.Count; j++) metrics[$"reward_design/barfi/aux_weight_{j}"] = barfi.AuxWeights[j];
        return tracker.Outcome(run, metrics);
    }

    /// <summary>A fixed-reward baseline on the same tabular REINFORCE learner as BARFI (its φ frozen at the design's reward).</summary>
    private static RewardDesignOutcome RunPolicyGradient(RewardDesignRun run, GridRollouts rollouts, IEpisodeRewardDesign design, double learningRate)
    {
        var grid = rollouts.Grid;
        var theta = new double[grid.StateCount * KeyDoorGrid.ActionCount];
        var random = new Random(run.Seed);
        var tracker = new Tracker();
        int Act(int s)
        {
            var p = Barfi.Softmax(theta, s, KeyDoorGrid.ActionCount);
            double u = random.NextDouble(), c = 0;
            for (int a = 0; a < p.Length - 1; a++) { c += p[a]; if (u < c) return a; }
            return p.Length - 1;
        }
        for (int i = 0; i < run.Episodes; i++)
        {
            var e = rollouts.Episode(Act);
            DesignBatch.Relabel(design, [e]);
            double g = 0;
            var grads = new double[theta.Length];
            for (int t = e.Length - 1; t >= 0; t--)
            {
                g = e.TrainRewards[t] + run.Gamma * g;
                int s = e.Steps[t].State;
                var p = Barfi.Softmax(theta, s, KeyDoorGrid.ActionCount);
                for (int a = 0; a < p.Length; a++) grads[s * p.Length + a] += g * ((a == e.Steps[t].Action ? 1 : 0) - p[a]);
            }
            for (int k = 0; k < theta.Length; k++) theta[k] += learningRate * grads[k];
            design.EndEpisode(e);
            tracker.Add([e]);
            if (tracker.GreedySolved is null && (i + 1) % run.BatchEpisodes == 0
                && rollouts.Episode(s => ArgMax(Barfi.Softmax(theta, s, KeyDoorGrid.ActionCount))).Return > 0)
                tracker.GreedySolved = tracker.Steps;
        }
        return tracker.Outcome(run, design.Metrics);
    }

    private static int ArgMax(double[] p)
    {
        int best = 0;
        for (int a = 1; a < p.Length; a++) if (p[a] > p[best]) best = a;
        return best;
    }

    private sealed class Tracker
    {
        private readonly Queue<double> _returns = new();

        public long Steps { get; private set; }

        public long? FirstGoal { get; private set; }

        public long? GreedySolved { get; set; }

        public void Add(IEnumerable<DesignEpisode> batch)
        {
            foreach (var e in batch)
            {
                Steps += e.Length;
                if (FirstGoal is null && e.Return > 0) FirstGoal = Steps;
                _returns.Enqueue(e.Return);
                if (_returns.Count > 100) _returns.Dequeue();
            }
        }

        public RewardDesignOutcome Outcome(RewardDesignRun run, IReadOnlyDictionary<string, double> metrics) =>
            new(run.Design, run.Environment, run.Seed, Steps, FirstGoal, GreedySolved,
                _returns.Count == 0 ? 0 : _returns.Count(r => r > 0) / (double)_returns.Count,
                _returns.Count == 0 ? 0 : _returns.Average(), metrics);
    }
}
