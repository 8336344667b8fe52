// Held-out figures of the preference stages. Pairwise: the accuracy of a scorer's margins Δ = s(y_w) − s(y_l) (a tie
// counts one half), the log loss −log σ(Δ), and the expected calibration error of P(y_w ≻ y_l) = σ(Δ) over ten bins of
// confidence max(p, 1 − p) (the share of pairs in a bin times |accuracy − mean confidence|, summed). Policy: the mean
// true utility and proxy feature of samples of the held-out prompts, and the win rate of one policy's samples over
// another's on the same prompts (ties one half).
using Rewire.Tasks.Preferences;
using Rewire.Torch.Generation;
using Rewire.Torch.Models;
using Rewire.Torch.Training;
using TorchSharp;

namespace Rewire.Torch.Preferences;

/// <summary>Accuracy, log loss and calibration of pairwise margins.</summary>
public sealed record PairwiseFigures(double Accuracy, double LogLoss, double Ece)
{
    /// <summary>The figures of margins <paramref name="margins"/> (chosen minus rejected).</summary>
    public static PairwiseFigures Of(IReadOnlyList<double> margins)
    {
        ArgumentNullException.ThrowIfNull(margins);
        if (margins.Count == 0) return new PairwiseFigures(0, 0, 0);
        double acc = 0, logLoss = 0;
        var binCount = new int[10];
        var binAcc = new double[10];
        var binConf = new double[10];
        foreach (double d in margins)
        {
            double correct = d > 0 ? 1 : d == 0 ? 0.5 : 0;
            acc += correct;
            logLoss += d >= 0 ? double.LogP1(Math.Exp(-d)) : -d + double.LogP1(Math.Exp(d));
            double p = PreferenceSetBuilder.Sigmoid(d), conf = Math.Max(p, 1 - p);
            int bin = Math.Min(9, (int)((conf - 0.5) / 0.05));
            binCount[bin]++;
            binAcc[bin] += correct;
            binConf[bin] += conf;
        }
        double ece = 0;
        for (int b = 0; b < 10; b++)
            if (binCount[b] > 0) ece += Math.Abs(binAcc[b] - binConf[b]) / margins.Count;
        return new PairwiseFigures(acc / margins.Count, logLoss / margins.Count, ece);
    }
}

/// <summary>The texts a policy writes for the held-out prompts, and their figures against another policy's.</summary>
internal static class PolicyFigures
{
    /// <summary><paramref name="samples"/> completions of each held-out prompt, decoded without eos, in prompt-major order.</summary>
    public static string[] Samples(IPolicy policy, PolicySession session, int samples, long seed)
    {
        var prompts = session.TestSet.SelectMany(p => Enumerable.Repeat((IReadOnlyList<int>)session.Template.Encode(p, session.Tokenizer), samples)).ToArray();
        var texts = new List<string>(prompts.Length);
        using var g = new torch.Generator((ulong)seed);
        for (int at = 0; at < prompts.Length; at += 256)
        {
            var chunk = prompts.Skip(at).Take(256).ToArray();
            foreach (var s in policy.Generate(chunk, session.Generation, g))
                texts.Add(session.Tokenizer.Decode(s.Tokens.Where(t => t != session.Tokenizer.EosId)));
        }
        return [.. texts];
    }

    /// <summary>The true utility of each sample (the answers of the held-out prompts, repeated per sample).</summary>
    public static double[] Utilities(PolicySession session, IReadOnlyList<string> texts, int samples) =>
        texts.Select((t, i) => TrueUtility.Of(session.TestSet[i / samples].Answer ?? "", t)).ToArray();

    /// <summary>The share of slots where <paramref name="a"/>'s utility beats <paramref name="b"/>'s (ties one half).</summary>
    public static double WinRate(IReadOnlyList<double> a, IReadOnlyList<double> b) =>
        a.Count == 0 ? 0 : a.Select((u, i) => u > b[i] ? 1.0 : u == b[i] ? 0.5 : 0.0).Average();
}
