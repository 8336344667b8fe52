using Rewire.Core.Stats;

namespace Rewire.Core.Shaping;

/// <summary>How VeRPO turns a test's pass rate ρ into a raw difficulty.</summary>
public enum VerpoDifficulty
{
    /// <summary>d = 1 − ρ.</summary>
    Linear,
    /// <summary>d = −log(ρ + ε).</summary>
    Log,
}

/// <summary>
/// VeRPO's dense partial-success reward with online per-test difficulty weights, [R01] ("VeRPO: Verifiable Dense Reward
/// Policy Optimization for Code Generation" / "Beyond Binary: Turning Partial Success into Dense Verifiable Rewards",
/// Wang et al. 2026). Per group, from the outcomes p_ij of rollout i on test j:
/// <code>
/// ρ_j = mean_i p_ij;  d_j = 1 − ρ_j  (or −log(ρ_j + ε));
/// w_j = d_j / n_bin(j)  (density calibration: n_b = tests whose ρ falls in bin b of B equal bins on [0, 1]);  w ← w / Σ w;
/// r_loc,i = Σ_j w_j p_ij ∈ [0, 1];  r_glob,i = 1[all tests pass];
/// R_i = r_glob,i + λ·r_loc,i   (or, gated: R_i = r_glob,i + λ·(1 − r_glob,i)·r_loc,i)
/// </code>
/// When every d_j = 0, r_loc := 0. RECONSTRUCTED: the weight and combination formulas are a reconstruction; λ (0.5),
/// the difficulty form, the calibration, B (5), ε and the gate are all options. Overwrites the scalar rewards; requires
/// <see cref="ShapingBatch.TestOutcomes"/> (same test count within a group).
/// </summary>
public sealed class VerpoDenseReward : IRewardShaper
{
    /// <summary>Creates the VeRPO dense reward.</summary>
    /// <param name="lambda">λ ≥ 0, the weight of the partial-success reward r_loc (default 0.5; λ &lt; 1 keeps a correct response above any partial one).</param>
    /// <param name="difficulty">How a test's pass rate ρ becomes a difficulty (default linear, 1 − ρ).</param>
    /// <param name="densityCalibration">Divide each test's difficulty by the number of tests in its pass-rate bin (default true).</param>
    /// <param name="bins">B ≥ 1, the number of equal pass-rate bins on [0, 1] (default 5).</param>
    /// <param name="epsilon">ε &gt; 0 of the log difficulty (default 1e-6).</param>
    /// <param name="gateLocalWhenCorrect">Add the partial reward only to responses that do not pass every test (default false).</param>
    public VerpoDenseReward(
        double lambda = 0.5,
        VerpoDifficulty difficulty = VerpoDifficulty.Linear,
        bool densityCalibration = true,
        int bins = 5,
        double epsilon = 1e-6,
        bool gateLocalWhenCorrect = false)
    {
        if (!(lambda >= 0) || !double.IsFinite(lambda))
        {
            throw new ArgumentException($"VeRPO λ = {lambda} must be finite and non-negative (λ < 1 keeps correct above partial).", nameof(lambda));
        }

        if (bins < 1 || !(epsilon > 0))
        {
            throw new ArgumentException($"VeRPO needs bins ≥ 1 and ε > 0 (got {bins}, {epsilon}).");
        }

        Lambda = lambda;
        Difficulty = difficulty;
        DensityCalibration = densityCalibration;
        Bins = bins;
        Epsilon = epsilon;
        GateLocalWhenCorrect = gateLocalWhenCorrect;
    }

    /// <inheritdoc />
    public string Name => "verpo";

    /// <summary>λ ≥ 0, the weight of the partial-success reward r_loc.</summary>
    public double Lambda { get; }

    /// <summary>How a test's pass rate becomes its raw difficulty.</summary>
    public VerpoDifficulty Difficulty { get; }

    /// <summary>Whether each test's difficulty is divided by the number of tests in its pass-rate bin.</summary>
    public bool DensityCalibration { get; }

    /// <summary>B, the number of equal pass-rate bins on [0, 1] used by the density calibration.</summary>
    public int Bins { get; }

    /// <summary>ε &gt; 0 in the log difficulty <c>−log(ρ + ε)</c>.</summary>
    public double Epsilon { get; }

    /// <summary>Whether the partial reward is gated off for responses that pass every test: <c>R = r_glob + λ·(1 − r_glob)·r_loc</c>.</summary>
    public bool GateLocalWhenCorrect { get; }

    /// <summary>
    /// The normalised test weights for a group's outcomes <c>[rollout][test]</c>; all zero when no test has positive difficulty.
    /// </summary>
    public double[] Weights(IReadOnlyList<bool[]> outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        if (outcomes.Count == 0)
        {
            return [];
        }

        var tests = outcomes[0].Length;
        var passRate = new double[tests];
        foreach (var row in outcomes)
        {
            if (row.Length != tests)
            {
                throw new ArgumentException($"VeRPO: rollouts of one group report {tests} and {row.Length} test outcomes; every rollout of a prompt runs the same tests.");
            }

            for (var j = 0; j < tests; j++)
            {
                passRate[j] += row[j] ? 1 : 0;
            }
        }

        var binCount = new int[Bins];
        var binOf = new int[tests];
        for (var j = 0; j < tests; j++)
        {
            passRate[j] /= outcomes.Count;
            binOf[j] = Math.Min(Bins - 1, (int)(passRate[j] * Bins));
            binCount[binOf[j]]++;
        }

        var weights = new double[tests];
        double sum = 0;
        for (var j = 0; j < tests; j++)
        {
            var d = Difficulty == VerpoDifficulty.Linear ? 1 - passRate[j] : -Math.Log(passRate[j] + Epsilon);
            d = Math.Max(0, d);
            weights[j] = DensityCalibration ? d / binCount[binOf[j]] : d;
            sum += weights[j];
        }

        if (sum > 0)
        {
            for (var j = 0; j < tests; j++)
            {
                weights[j] /= sum;
            }
        }

        return weights;
    }

    /// <inheritdoc />
    public void Apply(ShapingBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var outcomes = batch.Require(batch.TestOutcomes, nameof(ShapingBatch.TestOutcomes), Name);
        var index = batch.Index;
        var rows = new List<bool[]>();
        for (var g = 0; g < index.GroupCount; g++)
        {
            rows.Clear();
            foreach (var i in index.Members(g))
            {
                rows.Add(outcomes[i] ?? throw new ArgumentException($"VeRPO: rollout {i} has no test outcomes."));
            }

            var weights = Weights(rows);
            foreach (var i in index.Members(g))
            {
                var row = outcomes[i];
                double local = 0;
                var all = true;
                for (var j = 0; j < row.Length; j++)
                {
                    if (row[j])
                    {
                        local += weights[j];
                    }
                    else
                    {
                        all = false;
                    }
                }

                var global = all && row.Length > 0 ? 1.0 : 0.0;
                batch.Rewards[i] = GateLocalWhenCorrect
                    ? global + Lambda * (1 - global) * local
                    : global + Lambda * local;
            }
        }
    }
}
