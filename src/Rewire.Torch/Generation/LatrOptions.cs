namespace Rewire.Torch.Generation;

/// <summary>
/// Options of <see cref="LatrRollout"/> [T15]. Defaults are the reference's Countdown settings, except the lookahead
/// windows, which are set for short answers; use {20, 30, 50} for long reasoning traces as in the paper.
/// </summary>
public sealed record LatrOptions
{
    /// <summary>Mix ratio η: n_kt = round(G·η) tree branches per prompt, the other G - n_kt are ordinary samples. <value>The default value is 1.</value></summary>
    public double MixRatio { get; init; } = 1.0;

    /// <summary>Top-m candidates examined per step (m = max_n_branch_per_token). <value>The default value is 2.</value></summary>
    public int MaxBranchPerToken { get; init; } = 2;

    /// <summary>τ_abs: a candidate k ≥ 2 branches only if p_k &gt; τ_abs. <value>The default value is 0.25.</value></summary>
    public double TauAbs { get; init; } = 0.25;

    /// <summary>τ_rel: ... and p_1 - p_k &lt; τ_rel. <value>The default value is 0.15.</value></summary>
    public double TauRel { get; init; } = 0.15;

    /// <summary>Lookahead windows r: a child born r steps ago is compared with its parent over those r tokens. <value>The default value is {4, 8}.</value></summary>
    public IReadOnlyList<int> LookaheadWindows { get; init; } = [4, 8];

    /// <summary>Prune when normalised edit distance &lt; τ_ed; null disables. <value>The default value is 0.4.</value></summary>
    public double? TauEditDistance { get; init; } = 0.4;

    /// <summary>Prune when suffix match &gt; τ_sm; null disables. <value>The default value is null.</value></summary>
    public double? TauSuffixMatch { get; init; }

    /// <summary>Prune when ROUGE-L &gt; τ_rl; null disables. <value>The default value is null.</value></summary>
    public double? TauRougeL { get; init; }

    /// <summary>Decay of the fullness threshold thr = 0.98 - decay·step/max_new_tokens. <value>The default value is 0.05.</value></summary>
    public double ThresholdDecay { get; init; } = 0.05;

    /// <summary>Leave the tree phase at this step at the latest. <value>The default value is 512.</value></summary>
    public int ForceReturnStep { get; init; } = 512;

    /// <summary>Fill roots with fewer than n_kt branches by duplicating their first branch. <value>The default value is true.</value></summary>
    public bool FillReturnSequences { get; init; } = true;

    /// <summary>
    /// Tokens exempt from pruning ("math-core symbols"): a child whose window differs from its parent's in the sequence of
    /// these tokens is never pruned (our reading of <c>keep_math_core_symbols</c>). <value>The default value is empty.</value>
    /// </summary>
    public IReadOnlySet<int> ProtectedTokens { get; init; } = new HashSet<int>();

    /// <summary>η as a step schedule (the reference's {0:1, 10:0.75, ...}): the value of the largest key ≤ <paramref name="trainingStep"/>.</summary>
    public static double ScheduledMixRatio(IReadOnlyDictionary<int, double> schedule, int trainingStep)
    {
        if (schedule.Count == 0) throw new ArgumentException("LATR mix-ratio schedule is empty; give at least {0: η}");
        var keys = schedule.Keys.Where(k => k <= trainingStep).ToList();
        return keys.Count == 0 ? schedule[schedule.Keys.Min()] : schedule[keys.Max()];
    }

    /// <summary>
    /// Checks the options and returns them; throws <see cref="ArgumentException"/> naming the first option out of
    /// range.
    /// </summary>
    public LatrOptions Validate()
    {
        if (!(MixRatio >= 0 && MixRatio <= 1)) throw new ArgumentException($"latr: mix_ratio = {MixRatio}; it must be in [0, 1]");
        if (MaxBranchPerToken < 1) throw new ArgumentException($"latr: max_branch_per_token = {MaxBranchPerToken}; it must be at least 1");
        if (!(TauAbs >= 0 && TauAbs <= 1)) throw new ArgumentException($"latr: tau_abs = {TauAbs}; it must be in [0, 1]");
        if (!(TauRel >= 0 && TauRel <= 1)) throw new ArgumentException($"latr: tau_rel = {TauRel}; it must be in [0, 1]");
        if (LookaheadWindows.Count == 0 || LookaheadWindows.Any(r => r < 1)) throw new ArgumentException($"latr: lookahead_windows = [{string.Join(", ", LookaheadWindows)}]; give at least one positive window");
        if (ForceReturnStep < 1) throw new ArgumentException($"latr: force_return_step = {ForceReturnStep}; it must be at least 1");
        if (ThresholdDecay < 0) throw new ArgumentException($"latr: threshold_decay = {ThresholdDecay}; it must be non-negative");
        return this;
    }
}
