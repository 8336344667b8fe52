using Rewire.Torch.Objectives.Entropy;
using Rewire.Torch.Objectives.Kl;
using Rewire.Torch.Objectives.Policy;
using Rewire.Torch.Objectives.Value;
using TorchSharp;
using static Rewire.Torch.Tests.Objectives.ObjectiveTestData;
using static TorchSharp.torch;

namespace Rewire.Torch.Tests.Objectives;

/// <summary>Autograd gradients agree with central finite differences in float64, for every objective and loss term.</summary>
[Collection("torch")]
public class GradientCheckTests
{
    private const double H = 1e-6;

    public static TheoryData<string> Objectives()
    {
        var d = new TheoryData<string>();
        foreach (var n in PolicyObjectives.Registry.Names) d.Add(n);
        return d;
    }

    /// <summary>
    /// Objectives with a stop-gradient (GSPO-token's sg[s_i], DHPO's sequence branch, CISPO's sg[clip(r)]) are checked
    /// against finite differences of a plain-loop reference in which the stopped quantity is frozen at the base point;
    /// the reference's value must equal the objective's.
    /// </summary>
    private static readonly HashSet<string> StopGradient = ["gspo_token", "dhpo", "cispo"];

    [Theory]
    [MemberData(nameof(Objectives))]
    public void PolicyObjectiveGradientMatchesFiniteDifferences(string name)
    {
        Loaded();
        foreach (int seed in new[] { 1, 2 })
        foreach (bool weights in new[] { false, true })
        {
            var c = Make(seed, tokenAdvantages: seed == 2);
            double[] auto;
            using (var scope = NewDisposeScope())
            {
                var lp = T(c.LogProb).requires_grad_(true);
                var obj = PolicyObjectives.Create(name, Options(name));
                var loss = obj.Compute(c.Input(lp, weights)).Loss;
                loss.backward();
                auto = Flat(lp.grad!);
                (obj as IDisposable)?.Dispose();
            }
            int b = c.LogProb.GetLength(0), l = c.LogProb.GetLength(1);
            if (StopGradient.Contains(name))
            {
                double value = Loss(name, c, c.LogProb, weights), reference = FrozenReference.Loss(name, c, c.LogProb, weights);
                Assert.True(Math.Abs(value - reference) <= 1e-12 * (1 + Math.Abs(value)), $"{name}: value {value:R}, plain reference {reference:R}");
            }
            for (int i = 0; i < b; i++)
                for (int t = 0; t < l; t++)
                {
                    var plus = (double[,])c.LogProb.Clone(); plus[i, t] += H;
                    var minus = (double[,])c.LogProb.Clone(); minus[i, t] -= H;
                    double fd = StopGradient.Contains(name)
                        ? (FrozenReference.Loss(name, c, plus, weights) - FrozenReference.Loss(name, c, minus, weights)) / (2 * H)
                        : (Loss(name, c, plus, weights) - Loss(name, c, minus, weights)) / (2 * H);
                    double a = auto[i * l + t];
                    Assert.True(Math.Abs(a - fd) <= 1e-6 + 1e-5 * Math.Abs(fd), $"{name} seed {seed} weights {weights} [{i},{t}]: autograd {a:R}, finite difference {fd:R}");
                    if (c.Mask[i, t] == 0) Assert.Equal(0.0, a);
                }
        }
    }

    [Theory]
    [InlineData("k1")]
    [InlineData("abs")]
    [InlineData("k2")]
    [InlineData("k3")]
    public void KlEstimatorGradientMatchesFiniteDifferences(string name)
    {
        Loaded();
        var c = Make(5);
        var est = KlEstimators.Get(name);
        using var scope = NewDisposeScope();
        var lp = T(c.LogProb).requires_grad_(true);
        est.Compute(lp, T(c.RefLogProb)).sum().backward();
        var auto = Flat(lp.grad!);
        var flat = Flat(T(c.LogProb));
        var refFlat = Flat(T(c.RefLogProb));
        for (int k = 0; k < flat.Length; k++)
        {
            double F(double x) => est.Compute(torch.tensor(new[] { x }, dtype: ScalarType.Float64), torch.tensor(new[] { refFlat[k] }, dtype: ScalarType.Float64)).item<double>();
            double fd = (F(flat[k] + H) - F(flat[k] - H)) / (2 * H);
            Assert.True(Math.Abs(auto[k] - fd) <= 1e-6 + 1e-5 * Math.Abs(fd), $"{name}[{k}]: {auto[k]} vs {fd}");
        }
    }

    [Fact]
    public void EntropyLossAndFullKlGradientsMatchFiniteDifferences()
    {
        Loaded();
        using var scope = NewDisposeScope();
        var gen = new Generator(11);
        var logits0 = torch.randn([2, 3, 4], dtype: ScalarType.Float64, generator: gen);
        var refLogits = torch.randn([2, 3, 4], dtype: ScalarType.Float64, generator: gen);
        var mask = T(new double[,] { { 1, 1, 0 }, { 1, 0, 1 } });
        double E(Tensor x) => EntropyLoss.Compute(x, mask, "seq-mean-token-mean").item<double>() + 0.3 * (FullKl.FromLogits(x, refLogits) * mask).sum().item<double>();
        var logits = logits0.clone().requires_grad_(true);
        (EntropyLoss.Compute(logits, mask, "seq-mean-token-mean") + 0.3 * (FullKl.FromLogits(logits, refLogits) * mask).sum()).backward();
        var auto = Flat(logits.grad!);
        var flat = Flat(logits0);
        for (int k = 0; k < flat.Length; k++)
        {
            var p = (double[])flat.Clone(); p[k] += H;
            var m = (double[])flat.Clone(); m[k] -= H;
            double fd = (E(torch.tensor(p, dtype: ScalarType.Float64).reshape(2, 3, 4)) - E(torch.tensor(m, dtype: ScalarType.Float64).reshape(2, 3, 4))) / (2 * H);
            Assert.True(Math.Abs(auto[k] - fd) <= 1e-6 + 1e-5 * Math.Abs(fd), $"logit {k}: {auto[k]} vs {fd}");
        }
    }

    [Fact]
    public void ValueLossGradientMatchesFiniteDifferences()
    {
        Loaded();
        var c = Make(9);
        var loss = new ClippedValueLoss(0.2, "seq-mean-token-mean");
        using var scope = NewDisposeScope();
        var values = T(c.OldLogProb);
        var returns = T(c.RefLogProb);
        var mask = T(c.Mask);
        var v = T(c.LogProb).requires_grad_(true);
        loss.Compute(v, returns, values, mask).Loss.backward();
        var auto = Flat(v.grad!);
        var flat = Flat(T(c.LogProb));
        int l = c.LogProb.GetLength(1);
        for (int k = 0; k < flat.Length; k++)
        {
            double F(double x) { var a = (double[])flat.Clone(); a[k] = x; return loss.Compute(torch.tensor(a, dtype: ScalarType.Float64).reshape(-1, l), returns, values, mask).Loss.item<double>(); }
            double fd = (F(flat[k] + H) - F(flat[k] - H)) / (2 * H);
            Assert.True(Math.Abs(auto[k] - fd) <= 1e-6 + 1e-5 * Math.Abs(fd), $"vpred {k}: {auto[k]} vs {fd}");
        }
    }
}
