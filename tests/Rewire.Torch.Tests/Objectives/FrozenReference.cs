using Rewire.Torch.Objectives.Policy;
using TorchSharp;
using static Rewire.Torch.Tests.Objectives.ObjectiveTestData;
using static TorchSharp.torch;

namespace Rewire.Torch.Tests.Objectives;

/// <summary>
/// Plain-loop references of the stop-gradient objectives, with the stopped quantities frozen at the case's own log-probs
/// (c.LogProb), so their finite differences are the gradient the objective defines.
/// </summary>
internal static class FrozenReference
{
    public static double Loss(string name, ObjectiveTestData.Case c, double[,] logp, bool weights) => name switch
    {
        "gspo_token" => GspoToken(c, logp, weights, 0.05, 0.06, seqMeanTokenMean: true, w: null, tokLow: 0, tokHigh: 0),
        "cispo" => Cispo(c, logp, weights, 0.2, 0.2),
        "dhpo" => Dhpo(c, logp, weights),
        _ => throw new ArgumentException(name),
    };

    private static double[] SeqLogRatio0(ObjectiveTestData.Case c)
    {
        int b = c.Mask.GetLength(0), l = c.Mask.GetLength(1);
        var s = new double[b];
        for (int i = 0; i < b; i++)
        {
            double sum = 0, len = 0;
            for (int t = 0; t < l; t++) { sum += c.Mask[i, t] * (c.LogProb[i, t] - c.OldLogProb[i, t]); len += c.Mask[i, t]; }
            s[i] = sum / Math.Max(len, 1);
        }
        return s;
    }

    private static double Clip(double x, double lo, double hi) => Math.Max(Math.Min(x, hi), lo);

    private static double GspoToken(ObjectiveTestData.Case c, double[,] logp, bool weights, double low, double high, bool seqMeanTokenMean, double[,]? w, double tokLow, double tokHigh)
    {
        int b = c.Mask.GetLength(0), l = c.Mask.GetLength(1);
        var seq = SeqLogRatio0(c);
        double total = 0, rows = 0, tokens = 0;
        for (int i = 0; i < b; i++)
        {
            double rowSum = 0, len = 0;
            for (int t = 0; t < l; t++)
            {
                if (c.Mask[i, t] == 0) continue;
                double a = c.Advantages[i, t];
                double s = Math.Exp(Math.Min(seq[i] + logp[i, t] - c.LogProb[i, t], 10));
                double sc = Clip(s, 1 - low, 1 + high);
                double rho = s, rhoc = sc;
                if (w is not null)
                {
                    double r = Math.Exp(Clip(logp[i, t] - c.OldLogProb[i, t], -20, 20));
                    rho = w[i, t] * r + (1 - w[i, t]) * s;
                    rhoc = w[i, t] * Clip(r, 1 - tokLow, 1 + tokHigh) + (1 - w[i, t]) * sc;
                }
                double ell = Math.Max(-a * rho, -a * rhoc) * (weights ? c.IsWeights[i, t] : 1);
                rowSum += ell; len++;
            }
            tokens += len;
            if (len > 0) { total += seqMeanTokenMean ? rowSum / (len + 1e-8) : rowSum; rows++; }
        }
        return seqMeanTokenMean ? total / Math.Max(rows, 1) : total / Math.Max(tokens, 1);
    }

    private static double Cispo(ObjectiveTestData.Case c, double[,] logp, bool weights, double low, double high)
    {
        int b = c.Mask.GetLength(0), l = c.Mask.GetLength(1);
        double sum = 0, n = 0;
        for (int i = 0; i < b; i++)
            for (int t = 0; t < l; t++)
            {
                if (c.Mask[i, t] == 0) continue;
                double r0 = Math.Exp(Clip(c.LogProb[i, t] - c.OldLogProb[i, t], -20, 20));
                sum += -Clip(r0, 1 - low, 1 + high) * c.Advantages[i, t] * logp[i, t] * (weights ? c.IsWeights[i, t] : 1);
                n++;
            }
        return sum / Math.Max(n, 1);
    }

    private static double Dhpo(ObjectiveTestData.Case c, double[,] logp, bool weights)
    {
        var o = ObjectiveTestData.Options("dhpo");
        var obj = new DhpoObjective(o);
        double[,] w;
        using (NewDisposeScope())
        {
            var flat = Flat(obj.MixingWeight(c.Input()));
            int l = c.Mask.GetLength(1);
            w = Fill(c.Mask.GetLength(0), l, (i, t) => flat[i * l + t]);
        }
        return GspoToken(c, logp, weights, o.Dhpo.SequenceEpsilonLow, o.Dhpo.SequenceEpsilonHigh, seqMeanTokenMean: false, w, o.Dhpo.TokenEpsilonLow, o.Dhpo.TokenEpsilonHigh);
    }
}
