using Rewire.Core.Stats;

namespace Rewire.Core.Advantages;

/// <summary>
/// [T05] DCPO's Smooth Advantage Standardization (SAS), "DCPO: Dynamic Clipping Policy Optimization" (arXiv 2509.02333).
/// Stateful across training steps, keyed by prompt id (the group label of <see cref="AdvantageInput.Index"/>). On the
/// i-th visit of a prompt:
/// <c>Â_new = (R − μ_new)/(σ_new + ε)</c> over the current group, <c>Â_total = (R − μ_total)/(σ_total + ε)</c> over all
/// visits so far, with the per-visit merge <c>μ_total = (μ_old·(i−1) + μ_new)/i</c>,
/// <c>σ²_total = [(i−1)σ_old² + σ_new² + ((i−1)/i)(μ_new − μ_old)²]/i</c>;
/// <c>SA_new = ((i−1)/i)·Â_new + (1/i)·Â_total</c>, <c>SA_total = (1/i)·Â_new + ((i−1)/i)·Â_total</c>, and the
/// advantage is whichever of the two has the smaller magnitude. σ = 0 makes the corresponding Â 0. σ_new is the
/// unbiased group std; a group of one has σ_new = 0. On a first visit this equals GRPO (except singleton groups,
/// which get 0 here). Each <see cref="Compute"/> call is one visit of every prompt in the batch; export and import the
/// state with checkpoints.
/// </summary>
public sealed class DcpoSmoothAdvantage : IAdvantageEstimator, Rewire.Core.Techniques.IStatefulTechnique
{
    private readonly Dictionary<string, DcpoPromptState> _state = new(StringComparer.Ordinal);

    /// <summary>Creates a DCPO estimator with no prompt visited yet.</summary>
    /// <param name="epsilon">ε added to each standard deviation before dividing; finite and ≥ 0 (default 1e-6).</param>
    public DcpoSmoothAdvantage(double epsilon = 1e-6)
    {
        if (!(epsilon >= 0) || double.IsInfinity(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), $"DCPO epsilon is {epsilon}; it must be a finite value >= 0 (default 1e-6).");
        Epsilon = epsilon;
    }

    /// <summary>ε added to the group and running standard deviations before dividing (≥ 0).</summary>
    public double Epsilon { get; }

    /// <inheritdoc />
    public string Name => "dcpo";

    /// <summary>Per-prompt state (visits, running mean, running std), e.g. to save with a checkpoint.</summary>
    public IReadOnlyDictionary<string, DcpoPromptState> ExportState() => new Dictionary<string, DcpoPromptState>(_state, StringComparer.Ordinal);

    /// <summary>The per-prompt statistics as JSON: {prompt id: [visits, mean, std]} (for checkpoints).</summary>
    public System.Text.Json.Nodes.JsonObject SaveState()
    {
        var o = new System.Text.Json.Nodes.JsonObject();
        foreach (var (prompt, s) in _state.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            o[prompt] = new System.Text.Json.Nodes.JsonArray(s.Visits, s.Mean, s.Std);
        return o;
    }

    /// <summary>Restores the statistics written by <see cref="SaveState"/>.</summary>
    public void RestoreState(System.Text.Json.Nodes.JsonObject state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var imported = new Dictionary<string, DcpoPromptState>(StringComparer.Ordinal);
        foreach (var (prompt, node) in state)
        {
            if (node is not System.Text.Json.Nodes.JsonArray { Count: 3 } a)
                throw new ArgumentException($"DCPO state of prompt '{prompt}' must be [visits, mean, std], got {node?.ToJsonString() ?? "null"}", nameof(state));
            imported[prompt] = new DcpoPromptState(a[0]!.GetValue<int>(), a[1]!.GetValue<double>(), a[2]!.GetValue<double>());
        }
        ImportState(imported);
    }

    /// <summary>Replaces the per-prompt state (e.g. from a checkpoint). Prompts not in it start fresh.</summary>
    public void ImportState(IReadOnlyDictionary<string, DcpoPromptState> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        foreach (var (prompt, s) in state)
            if (s.Visits < 0 || !(s.Std >= 0) || !double.IsFinite(s.Mean))
                throw new ArgumentException($"DCPO state of prompt '{prompt}' is invalid ({s}); visits and std must be >= 0 and the mean finite.", nameof(state));
        _state.Clear();
        foreach (var (prompt, s) in state) _state[prompt] = s;
    }

    /// <inheritdoc />
    public AdvantageResult Compute(AdvantageInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var index = input.RequireIndex(Name);
        int b = input.BatchSize;
        var scores = new double[b];
        input.TokenLevelRewards.RowSums(scores);
        var (meanNew, stdNew, _) = GroupStats.MeanStd(scores, index);
        var adv = new double[b];
        for (int g = 0; g < index.GroupCount; g++)
        {
            string prompt = index.Label(g);
            var old = _state.GetValueOrDefault(prompt);
            int visit = old.Visits + 1;
            double i = visit;
            double muNew = meanNew[g], sdNew = stdNew[g];
            double muTotal, sdTotal;
            if (visit == 1)
            {
                muTotal = muNew;
                sdTotal = sdNew;
            }
            else
            {
                muTotal = (old.Mean * (i - 1) + muNew) / i;
                double dm = muNew - old.Mean;
                double varTotal = ((i - 1) * old.Std * old.Std + sdNew * sdNew + (i - 1) / i * dm * dm) / i;
                sdTotal = Math.Sqrt(Math.Max(varTotal, 0));
            }
            foreach (int row in index.Members(g))
            {
                double aNew = sdNew == 0 ? 0.0 : (scores[row] - muNew) / (sdNew + Epsilon);
                double aTotal = sdTotal == 0 ? 0.0 : (scores[row] - muTotal) / (sdTotal + Epsilon);
                double saNew = (i - 1) / i * aNew + aTotal / i;
                double saTotal = aNew / i + (i - 1) / i * aTotal;
                adv[row] = Math.Abs(saNew) < Math.Abs(saTotal) ? saNew : saTotal;
            }
            _state[prompt] = new DcpoPromptState(visit, muTotal, sdTotal);
        }
        var advantages = OutcomeAdvantageEstimator.Broadcast(adv, input.ResponseMask);
        return new AdvantageResult(advantages, advantages.Clone());
    }
}

/// <summary>DCPO's per-prompt running statistics: number of visits, mean and std of its rewards over all visits.</summary>
public readonly record struct DcpoPromptState(int Visits, double Mean, double Std);
