namespace Rewire.Core.Tests.Stats;

/// <summary>Plain-loop references (double[,] and dictionaries, no spans) that the fast code is checked against.</summary>
internal static class Reference
{
    public static double MaskedSum(double[,] v, double[,] m)
    {
        double s = 0;
        for (int i = 0; i < v.GetLength(0); i++)
            for (int j = 0; j < v.GetLength(1); j++)
                if (m[i, j] != 0) s += v[i, j] * m[i, j];
        return s;
    }

    public static double MaskCount(double[,] m)
    {
        double s = 0;
        foreach (double x in m) s += x;
        return s;
    }

    public static double MaskedMean(double[,] v, double[,] m) => MaskedSum(v, m) / (MaskCount(m) + 1e-8);

    public static double MaskedVar(double[,] v, double[,] m, bool unbiased)
    {
        double mean = MaskedMean(v, m);
        var sq = new double[v.GetLength(0), v.GetLength(1)];
        for (int i = 0; i < v.GetLength(0); i++)
            for (int j = 0; j < v.GetLength(1); j++) sq[i, j] = (v[i, j] - mean) * (v[i, j] - mean);
        double var = MaskedMean(sq, m);
        double n = MaskCount(m);
        if (unbiased)
        {
            if (n == 0 || n == 1) throw new ArgumentException("mask sum 0 or 1");
            var *= n / (n - 1);
        }
        return var;
    }

    public static double[,] MaskedWhiten(double[,] v, double[,] m)
    {
        double mean = MaskedMean(v, m);
        double var = MaskedVar(v, m, true);
        var r = new double[v.GetLength(0), v.GetLength(1)];
        for (int i = 0; i < v.GetLength(0); i++)
            for (int j = 0; j < v.GetLength(1); j++) r[i, j] = (v[i, j] - mean) / Math.Sqrt(var + 1e-8);
        return r;
    }

    /// <summary>GRPO as verl's loop writes it: dictionary of label -> scores; singleton mean 0, std 1.</summary>
    public static double[] Grpo(double[] scores, string[] labels, bool normalize, double eps = 1e-6)
    {
        var groups = new Dictionary<string, List<double>>();
        for (int i = 0; i < scores.Length; i++)
        {
            if (!groups.TryGetValue(labels[i], out var list)) groups[labels[i]] = list = [];
            list.Add(scores[i]);
        }
        var result = new double[scores.Length];
        for (int i = 0; i < scores.Length; i++)
        {
            var list = groups[labels[i]];
            double mean = 0, std = 1;
            if (list.Count > 1)
            {
                mean = list.Average();
                std = Math.Sqrt(list.Sum(x => (x - mean) * (x - mean)) / (list.Count - 1));
            }
            result[i] = normalize ? (scores[i] - mean) / (std + eps) : scores[i] - mean;
        }
        return result;
    }

    /// <summary>RLOO by definition: r_i minus the mean of the other members of its group; 0 for a singleton.</summary>
    public static double[] Rloo(double[] scores, string[] labels)
    {
        var result = new double[scores.Length];
        for (int i = 0; i < scores.Length; i++)
        {
            double sum = 0;
            int n = 0;
            for (int j = 0; j < scores.Length; j++)
                if (j != i && labels[j] == labels[i]) { sum += scores[j]; n++; }
            result[i] = n == 0 ? 0 : scores[i] - sum / n;
        }
        return result;
    }
}
