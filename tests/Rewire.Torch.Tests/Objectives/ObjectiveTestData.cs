using Rewire.Torch.Objectives.Policy;
using Rewire.Torch.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Tests.Objectives;

/// <summary>Small float64 cases with variable lengths, interior holes and an empty row, made from a seed.</summary>
internal static class ObjectiveTestData
{
    /// <summary>Masks: full row, valid prefix, interior holes, empty row (in that order, repeated).</summary>
    public static double[,] Mask(int b, int l)
    {
        var m = new double[b, l];
        for (int i = 0; i < b; i++)
            for (int t = 0; t < l; t++)
                m[i, t] = (i % 4) switch
                {
                    0 => 1,
                    1 => t < Math.Max(1, l - 2) ? 1 : 0,
                    2 => t % 3 == 1 ? 0 : 1,
                    _ => 0,
                };
        return m;
    }

    public static Tensor T(double[,] a) => torch.tensor(a, dtype: ScalarType.Float64);

    /// <summary>A float64 vector.</summary>
    public static Tensor V(params double[] x) => torch.tensor(x, dtype: ScalarType.Float64);

    public static double[,] Fill(int b, int l, Func<int, int, double> f)
    {
        var a = new double[b, l];
        for (int i = 0; i < b; i++) for (int t = 0; t < l; t++) a[i, t] = f(i, t);
        return a;
    }

    public static double Normal(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

    /// <summary>A random case: per-row advantages (non-zero), log-ratios of scale <paramref name="spread"/>, garbage at masked positions.</summary>
    public static Case Make(int seed, int b = 4, int l = 5, double spread = 0.3, bool tokenAdvantages = false)
    {
        var r = new Random(seed);
        var mask = Mask(b, l);
        var rowAdv = Enumerable.Range(0, b).Select(_ => { double a = Normal(r); return Math.Abs(a) < 0.05 ? 0.5 : a; }).ToArray();
        var adv = Fill(b, l, (i, t) => tokenAdvantages ? rowAdv[i] + 0.3 * Normal(r) : rowAdv[i]);
        var old = Fill(b, l, (i, t) => -0.05 - 2.5 * r.NextDouble());
        var logp = Fill(b, l, (i, t) => mask[i, t] > 0 ? Math.Min(-1e-3, old[i, t] + spread * Normal(r)) : old[i, t] + 7.0 * Normal(r));
        var entropy = Fill(b, l, (i, t) => 3 * r.NextDouble());
        var isw = Fill(b, l, (i, t) => 0.5 + r.NextDouble());
        var refLp = Fill(b, l, (i, t) => old[i, t] + 0.2 * Normal(r));
        var pass = Enumerable.Range(0, b).Select(_ => Math.Round(r.NextDouble() * 8) / 8).ToArray();
        return new Case(logp, old, adv, mask, entropy, isw, refLp, pass);
    }

    internal sealed record Case(double[,] LogProb, double[,] OldLogProb, double[,] Advantages, double[,] Mask, double[,] Entropy, double[,] IsWeights, double[,] RefLogProb, double[] PassRate)
    {
        public PolicyLossInput Input(Tensor logProb, bool withWeights = false) =>
            new(logProb, T(OldLogProb), T(Advantages), T(Mask))
            {
                Entropy = T(Entropy),
                PassRate = torch.tensor(PassRate, dtype: ScalarType.Float64),
                RefLogProb = T(RefLogProb),
                RolloutIsWeights = withWeights ? T(IsWeights) : null,
            };

        public PolicyLossInput Input(bool withWeights = false) => Input(T(LogProb), withWeights);
    }

    /// <summary>Options under which every registered objective is exercised in the generic tests.</summary>
    public static PolicyObjectiveOptions Options(string name) => name switch
    {
        "clip_cov" => new PolicyObjectiveOptions { ClipCov = new ClipCovOptions { Ratio = 0.3, LowerBound = -10, UpperBound = 10, Seed = 3 } },
        "kl_cov" => new PolicyObjectiveOptions { KlCov = new KlCovOptions { Ratio = 0.25, KlCoefficient = 0.7 } },
        "dhpo" => new PolicyObjectiveOptions { Dhpo = new DhpoOptions { Mixing = DhpoMixing.EntropyGuided, SequenceEpsilonLow = 0.05, SequenceEpsilonHigh = 0.05 } },
        "gspo" or "gspo_token" or "gspo_n" => new PolicyObjectiveOptions { ClipRatioLow = 0.05, ClipRatioHigh = 0.06 },
        _ => new PolicyObjectiveOptions(),
    };

    /// <summary>Loss of a fresh objective (so seeded randomness restarts) at log-probs <paramref name="logProb"/>.</summary>
    public static double Loss(string name, Case c, double[,] logProb, bool withWeights = false)
    {
        using var scope = NewDisposeScope();
        var obj = PolicyObjectives.Create(name, Options(name));
        try { return obj.Compute(c.Input(T(logProb), withWeights)).Loss.item<double>(); }
        finally { (obj as IDisposable)?.Dispose(); }
    }

    public static void Loaded() => TorchRuntime.EnsureLoaded();

    public static double[] Flat(Tensor t) => t.detach().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
}
