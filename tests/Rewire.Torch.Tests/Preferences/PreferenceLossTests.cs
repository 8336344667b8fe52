using Rewire.Torch.Preferences;
using TorchSharp;
using static Rewire.Torch.Tests.Objectives.ObjectiveTestData;
using static TorchSharp.torch;

namespace Rewire.Torch.Tests.Preferences;

/// <summary>Each preference loss pinned to a hand-computed case, its invariants, and its gradient to central finite differences (float64).</summary>
[Collection("torch")]
public class PreferenceLossTests
{
    private const double H = 1e-6;

    private static PreferenceBatch Batch(double[] pc, double[] pr, double[] rc, double[] rr, double[]? lc = null, double[]? lr = null) =>
        new(V(pc), V(pr), V(rc), V(rr), V(lc ?? pc.Select(_ => 1.0).ToArray()), V(lr ?? pr.Select(_ => 1.0).ToArray()), Enumerable.Range(0, pc.Length).ToArray());

    private static double Value(IPreferenceObjective o, PreferenceBatch b) => o.Compute(b).Loss.item<double>();

    [Fact]
    public void Dpo_matches_the_hand_computed_case()
    {
        Loaded();
        using var scope = NewDisposeScope();
        // h = (−1 − (−1.5)) − (−2 − (−1.5)) = 1; β·h = 0.1; −log σ(0.1) = ln(1 + e^−0.1) = 0.6443966600735709
        var b = Batch([-1], [-2], [-1.5], [-1.5]);
        Assert.Equal(0.6443966600735709, Value(new DpoObjective(0.1, 0), b), 12);
        // cDPO with ε = 0.2: 0.8·ln(1 + e^−0.1) + 0.2·ln(1 + e^0.1) = 0.6643966600735709
        Assert.Equal(0.6643966600735709, Value(new DpoObjective(0.1, 0.2), b), 12);
    }

    [Fact]
    public void Dpo_at_the_reference_is_log_2_with_gradient_minus_beta_over_2()
    {
        Loaded();
        using var scope = NewDisposeScope();
        var pc = V(-1.3).requires_grad_(true);
        var pr = V(-0.7).requires_grad_(true);
        var loss = new DpoObjective(0.1, 0).Compute(new PreferenceBatch(pc, pr, V(-1.3), V(-0.7), V(1), V(1), [0])).Loss;
        Assert.Equal(Math.Log(2), loss.item<double>(), 12);
        loss.backward();
        Assert.Equal(-0.05, pc.grad!.item<double>(), 12);
        Assert.Equal(0.05, pr.grad!.item<double>(), 12);
    }

    [Fact]
    public void Ipo_matches_the_hand_computed_case_and_its_optimum()
    {
        Loaded();
        using var scope = NewDisposeScope();
        // h = 1, τ = 0.1: (1 − 5)² = 16; at h = 1/(2τ) = 5 the loss is 0
        Assert.Equal(16, Value(new IpoObjective(0.1), Batch([-1], [-2], [-1.5], [-1.5])), 12);
        Assert.Equal(0, Value(new IpoObjective(0.1), Batch([3], [-2], [0], [0])), 12);
    }

    [Fact]
    public void Power_matches_the_hand_computed_case()
    {
        Loaded();
        using var scope = NewDisposeScope();
        // chosen −2 over 4 tokens = −0.5, rejected −3 over 2 tokens = −1.5; Δ = 2·1 = 2; ln(1 + e^−2) = 0.12692801104297263
        var b = Batch([-2], [-3], [0], [0], [4], [2]);
        Assert.Equal(0.12692801104297263, Value(new PowerObjective(2, 0, 0), b), 12);
        // the pessimism term η·(−(1/|y_w|)·log π(y_w)) = 0.5·0.5
        Assert.Equal(0.12692801104297263 + 0.25, Value(new PowerObjective(2, 0, 0.5), b), 12);
        // a margin of 2 makes Δ − m = 0: ln 2
        Assert.Equal(Math.Log(2), Value(new PowerObjective(2, 2, 0), b), 12);
    }

    [Fact]
    public void Power_dl_starts_as_power_and_moves_its_label_towards_the_models_preference()
    {
        Loaded();
        using var scope = NewDisposeScope();
        var b = Batch([-2], [-3], [0], [0], [4], [2]);
        var o = new PowerDlObjective(2, 0, 0, 0.1, pairs: 1);
        Assert.Equal(0.12692801104297263, Value(o, b), 12);
        // l = 0.9·1 + 0.1·σ(2) = 0.9880797077977882
        double l = 0.9 + 0.1 / (1 + Math.Exp(-2));
        Assert.Equal(l, o.Labels[0], 12);
        // −[l·log σ(2) + (1 − l)·log σ(−2)] = 0.12692801104297263 + (1 − l)·2
        Assert.Equal(0.12692801104297263 + (1 - l) * 2, Value(o, b), 12);
        // γ = 0 is POWER: the label stays 1
        var power = new PowerDlObjective(2, 0, 0, 0, pairs: 1);
        Value(power, b);
        Value(power, b);
        Assert.Equal(1, power.Labels[0]);
    }

    [Fact]
    public void Power_dl_gradient_vanishes_at_the_stationary_label()
    {
        Loaded();
        using var scope = NewDisposeScope();
        var o = new PowerDlObjective(1, 0, 0, 1.0, pairs: 1); // γ = 1: the label jumps to σ(Δ)
        var b = Batch([-1], [-2], [0], [0]);
        Value(o, b);
        var pc = V(-1).requires_grad_(true);
        var loss = o.Compute(new PreferenceBatch(pc, V(-2), V(0), V(0), V(1), V(1), [0])).Loss;
        loss.backward();
        Assert.Equal(0, pc.grad!.item<double>(), 12);
    }

    [Fact]
    public void Bradley_terry_matches_the_hand_computed_case()
    {
        Loaded();
        using var scope = NewDisposeScope();
        // ln(1 + e^−0.5) = 0.47407698418010663; with margin 1: ln(1 + e^0.5) = 0.9740769841801067
        Assert.Equal(0.47407698418010663, BradleyTerryLoss.Compute(V(1.0), V(0.5), 0).item<double>(), 12);
        Assert.Equal(0.9740769841801067, BradleyTerryLoss.Compute(V(1.0), V(0.5), 1).item<double>(), 12);
        // the mean over pairs
        Assert.Equal((0.47407698418010663 + Math.Log(2)) / 2, BradleyTerryLoss.Compute(V(1.0, 0.3), V(0.5, 0.3), 0).item<double>(), 12);
    }

    [Fact]
    public void Dno_with_hard_targets_is_dpo_against_the_previous_iterate_and_soft_targets_match_the_hand_computed_case()
    {
        Loaded();
        using var scope = NewDisposeScope();
        var b = Batch([-1], [-2], [-1.5], [-1.5]); // h = 1, β·h = 0.1
        var dno = new DnoObjective(0.1);
        Assert.Equal(0.6443966600735709, Value(dno, b), 12); // no targets set: the practical algorithm's q = 1, DPO's loss
        // q = 0.7: 0.7·ln(1 + e^−0.1) + 0.3·ln(1 + e^0.1) = 0.6743966600735709
        dno.SetTargets([0.7]);
        Assert.Equal(0.6743966600735709, Value(dno, b), 12);
        // at π_θ = π_t the loss is ln 2 whatever the target
        Assert.Equal(Math.Log(2), Value(dno, Batch([-1], [-2], [-1], [-2])), 12);
        Assert.Throws<ArgumentException>(() => dno.SetTargets([1.5]));
    }

    [Fact]
    public void Mm_dpo_scales_beta_by_the_reward_margin()
    {
        Loaded();
        using var scope = NewDisposeScope();
        var scaling = new Rewire.Core.Shaping.DynamicRewardScaling(0.1, 0.1, 0.5);
        var b = Batch([-1, -1, -1], [-2, -2, -2], [-1.5, -1.5, -1.5], [-1.5, -1.5, -1.5]); // h = 1 for each pair
        // δ = 0 (and a negative δ, clamped) is DPO with β = 0.1; δ = 2: β = 0.1·(1 + 0.1·(1 − e^−1)) = 0.10632120558828557
        var o = new MmDpoObjective(scaling, 0, [0, 2, -3]);
        Assert.Equal(0.1, o.BetaOf(0), 12);
        Assert.Equal(0.10632120558828557, o.BetaOf(1), 12);
        Assert.Equal(0.1, o.BetaOf(2), 12);
        Assert.Equal((2 * 0.6443966600735709 + 0.6413989375652516) / 3, Value(o, b), 12);
        // w = 0 is DPO exactly
        Assert.Equal(0.6443966600735709, Value(new MmDpoObjective(new Rewire.Core.Shaping.DynamicRewardScaling(0.1, 0, 0.5), 0, [5, 5, 5]), b), 12);
    }

    public static TheoryData<string> Objectives() => ["dpo", "dpo_smoothed", "ipo", "power", "power_dl", "bradley_terry", "dno", "dno_soft", "mm_dpo"];

    private static double Loss(string name, double[] x, int b)
    {
        using var scope = NewDisposeScope();
        return LossTensor(name, V(x[..b]), V(x[b..(2 * b)]), b).item<double>();
    }

    private static Tensor LossTensor(string name, Tensor pc, Tensor pr, int b)
    {
        var rc = V(Enumerable.Range(0, b).Select(i => -1.0 - 0.3 * i).ToArray());
        var rr = V(Enumerable.Range(0, b).Select(i => -1.5 + 0.2 * i).ToArray());
        var lc = V(Enumerable.Range(0, b).Select(i => 2.0 + i).ToArray());
        var lr = V(Enumerable.Range(0, b).Select(i => 4.0 - i).ToArray());
        var batch = new PreferenceBatch(pc, pr, rc, rr, lc, lr, Enumerable.Range(0, b).ToArray());
        if (name == "bradley_terry") return BradleyTerryLoss.Compute(pc, pr, 0.3);
        IPreferenceObjective o = name switch
        {
            "dpo" => new DpoObjective(0.5, 0),
            "dpo_smoothed" => new DpoObjective(0.5, 0.1),
            "ipo" => new IpoObjective(0.1),
            "power" => new PowerObjective(2, 0.2, 0.3),
            "dno" => new DnoObjective(0.5),
            "dno_soft" => Soft(new DnoObjective(0.5), b),
            "mm_dpo" => new MmDpoObjective(new Rewire.Core.Shaping.DynamicRewardScaling(0.5, 0.3, 0.7), 0.1, [.. Enumerable.Range(0, b).Select(i => 1.5 * i)]),
            _ => new PowerDlObjective(2, 0.2, 0.3, 0.1, b), // fresh labels (all 1) on every evaluation
        };
        return o.Compute(batch).Loss;
    }

    private static DnoObjective Soft(DnoObjective o, int b)
    {
        o.SetTargets([.. Enumerable.Range(0, b).Select(i => 0.6 + 0.15 * i)]);
        return o;
    }

    [Theory]
    [MemberData(nameof(Objectives))]
    public void Gradient_matches_finite_differences(string name)
    {
        Loaded();
        const int b = 3;
        var rng = new Random(7);
        var x = Enumerable.Range(0, 2 * b).Select(_ => -3 * rng.NextDouble()).ToArray();
        double[] auto;
        using (var scope = NewDisposeScope())
        {
            var pc = V(x[..b]).requires_grad_(true);
            var pr = V(x[b..]).requires_grad_(true);
            LossTensor(name, pc, pr, b).backward();
            auto = [.. Flat(pc.grad!), .. Flat(pr.grad!)];
        }
        for (int i = 0; i < x.Length; i++)
        {
            var plus = (double[])x.Clone(); plus[i] += H;
            var minus = (double[])x.Clone(); minus[i] -= H;
            double numeric = (Loss(name, plus, b) - Loss(name, minus, b)) / (2 * H);
            Assert.True(Math.Abs(numeric - auto[i]) <= 1e-6 * (1 + Math.Abs(numeric)), $"{name}: d/dx{i} autograd {auto[i]:R}, finite differences {numeric:R}");
        }
    }
}
