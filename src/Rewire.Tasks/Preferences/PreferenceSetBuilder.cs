// A preference set from a task with a known ground-truth utility (TrueUtility). For each pair: a training prompt of the
// task, two scripted completions (the reference answer with 0..3 random corruptions each: an item replaced, two
// neighbours swapped, an item dropped or one added), redrawn until their utilities differ (a tie carries no preference);
// each side carries the proxy feature independently with probability 1/2. The label is a Bradley–Terry draw
// ("Rank Analysis of Incomplete Block Designs", Bradley and Terry 1952):
//     P(a ≻ b) = σ(scale·(u_a − u_b) + strength·(f_a − f_b)),
// where u is the true utility and f the proxy feature (strength > 0 makes the labeller favour the proxy, so the proxy goes
// with the label in the data while it is independent of the utility), and then each label is flipped with probability
// `noise`. Everything is drawn from one seeded stream: the same options give the same file.
// The completions' source: `scripted` (the default) corrupts the answer 0..3 times, uniformly, so a pair's chosen side is
// often worse than a warm-started policy; `strong` stands for responses from a stronger model than the policy (the setting
// of preference sets such as UltraFeedback, whose responses come from stronger models): each completion is the exact
// answer with probability `quality`, else the answer with one corruption (a near miss).
using System.Globalization;
using Rewire.Core.Rewards;
using Rewire.Tasks.Common;

namespace Rewire.Tasks.Preferences;

/// <summary>How a preference set is built (see <see cref="PreferenceSetBuilder"/>).</summary>
/// <param name="Pairs">Number of pairs.</param>
/// <param name="Seed">Seed of every draw (prompts, completions, labels, noise).</param>
/// <param name="Noise">Probability that a label is flipped after the Bradley–Terry draw, in [0, 0.5].</param>
/// <param name="Proxy">The proxy feature, or null for none.</param>
/// <param name="ProxyStrength">How much the labeller favours the proxy (in logits); used only with a proxy.</param>
/// <param name="Scale">The Bradley–Terry scale on the utility difference (in logits per unit of utility).</param>
/// <param name="Difficulty">The task's difficulty level of the prompts.</param>
/// <param name="Split">Which half of the task's prompts the pairs are built on (train; test for held-out pairs).</param>
/// <param name="Source">Where the completions come from: scripted corruptions or a near-oracle (strong) source.</param>
/// <param name="Quality">With the strong source, the probability that a completion is exactly right, in [0, 1).</param>
public sealed record PreferenceSetOptions(int Pairs, int Seed, double Noise = 0.1, ProxyFeature? Proxy = null, double ProxyStrength = 8.0,
    double Scale = 20.0, int Difficulty = 1, Split Split = Split.Train, PreferenceSource Source = PreferenceSource.Scripted, double Quality = 0.8)
{
    /// <summary>Every problem of these options, each naming the option and what to give.</summary>
    public IReadOnlyList<string> Problems()
    {
        var p = new List<string>();
        if (Pairs < 1) p.Add($"pairs = {Pairs}; give at least 1");
        if (Seed < 0) p.Add($"seed = {Seed}; give a non-negative seed");
        if (!(Noise >= 0 && Noise <= 0.5)) p.Add($"noise = {Noise}; give a label-flip rate in [0, 0.5]");
        if (!(ProxyStrength >= 0 && double.IsFinite(ProxyStrength))) p.Add($"proxy strength = {ProxyStrength}; give a finite value ≥ 0");
        if (!(Scale > 0 && double.IsFinite(Scale))) p.Add($"scale = {Scale}; give a finite value > 0");
        if (!(Quality >= 0 && Quality < 1)) p.Add($"quality = {Quality}; give the strong source's share of exact completions in [0, 1)");
        return p;
    }
}

/// <summary>Where the completions of a built preference set come from (see <see cref="PreferenceSetBuilder"/>).</summary>
public enum PreferenceSource
{
    /// <summary>The answer with 0..3 random corruptions (uniformly many): often worse than a warm-started policy.</summary>
    Scripted,

    /// <summary>A near-oracle: the exact answer with probability Quality, else one corruption (a stronger source than the policy).</summary>
    Strong,
}

/// <summary>Builds preference pairs from a task (see the file header).</summary>
public static class PreferenceSetBuilder
{
    /// <summary>
    /// Refuses a task whose reference answers are not space-separated integers (what the scripted completions corrupt and
    /// <see cref="TrueUtility"/> compares item by item), or whose alphabet lacks the proxy's characters; null when fit.
    /// </summary>
    public static string? Unfit(ITask task, PreferenceSetOptions options)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(options);
        foreach (var p in task.GenerateMany(Split.Train, options.Seed, 16, options.Difficulty))
            if (p.Answer is null || p.Answer.Split(' ').Any(i => !IsInteger(i)))
                return $"the {task.Name} task's answers are not space-separated integers (prompt {p.Id}: '{p.Answer}'), so it has no graded item-by-item utility; use reverse, lists, addition or arithmetic";
        if (options.Proxy is { } proxy && proxy.Suffix.Any(c => !task.Alphabet.Contains(c, StringComparison.Ordinal)))
            return $"the {proxy.Name} proxy writes characters the {task.Name} task's alphabet lacks; choose another proxy";
        foreach (char c in "0123456789 ")
            if (!task.Alphabet.Contains(c, StringComparison.Ordinal)) return $"the {task.Name} task's alphabet lacks '{c}', which scripted completions need";
        return null;
    }

    /// <summary>The pairs, streamed; <paramref name="task"/> must pass <see cref="Unfit"/>.</summary>
    public static IEnumerable<PreferenceRecord> Build(ITask task, PreferenceSetOptions options)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(options);
        var random = new Random(TaskRandom.Mix(options.Seed, 0x707265667300, (long)options.Split));
        // Prompts cycle through a pool, so one prompt meets several pairs, as in preference data collected per prompt.
        int poolSize = Math.Max(1, options.Pairs / 2);
        var pool = task.GenerateMany(options.Split, options.Seed, poolSize, options.Difficulty);
        for (int i = 0; i < options.Pairs; i++)
        {
            var prompt = pool[i % pool.Count];
            string a, b;
            double ua, ub;
            int attempts = 0;
            do
            {
                a = Complete(prompt.Answer!, options, random);
                b = Complete(prompt.Answer!, options, random);
                ua = TrueUtility.Of(prompt.Answer!, a);
                ub = TrueUtility.Of(prompt.Answer!, b);
            } while (ua == ub && ++attempts < 64);
            if (ua == ub) { a = prompt.Answer!; b = Corrupt(prompt.Answer!.Split(' ').ToList(), random); ua = 1; ub = TrueUtility.Of(prompt.Answer!, b); }
            double fa = 0, fb = 0;
            if (options.Proxy is { } proxy)
            {
                if (random.NextDouble() < 0.5) { a = proxy.Apply(a); fa = 1; }
                if (random.NextDouble() < 0.5) { b = proxy.Apply(b); fb = 1; }
            }
            double logit = options.Scale * (ua - ub) + (options.Proxy is null ? 0 : options.ProxyStrength * (fa - fb));
            bool aWins = random.NextDouble() < Sigmoid(logit);
            if (random.NextDouble() < options.Noise) aWins = !aWins;
            var (chosen, rejected, uc, ur, fc, fr) = aWins ? (a, b, ua, ub, fa, fb) : (b, a, ub, ua, fb, fa);
            yield return new PreferenceRecord
            {
                Line = i + 1, Form = PreferenceForm.Paired, Prompt = prompt.Text, Chosen = chosen, Rejected = rejected, PromptId = prompt.Id,
                ChosenUtility = uc, RejectedUtility = ur,
                ChosenProxy = options.Proxy is null ? null : fc, RejectedProxy = options.Proxy is null ? null : fr,
            };
        }
    }

    /// <summary>The source's name as `prefs.source` and `--source` spell it: scripted or strong; null for an unknown name.</summary>
    public static PreferenceSource? ParseSource(string name) => name switch
    {
        "scripted" => PreferenceSource.Scripted,
        "strong" => PreferenceSource.Strong,
        _ => null,
    };

    private static string Complete(string answer, PreferenceSetOptions options, Random random) => options.Source switch
    {
        PreferenceSource.Strong => Strong(answer, options.Quality, random),
        _ => Scripted(answer, random),
    };

    /// <summary>A near-oracle's completion: <paramref name="answer"/> with probability <paramref name="quality"/>, else the answer with one corruption.</summary>
    public static string Strong(string answer, double quality, Random random)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(random);
        return random.NextDouble() < quality ? answer : Corrupt(answer.Split(' ').ToList(), random);
    }

    /// <summary>σ(x) = 1 / (1 + e^(−x)).</summary>
    public static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    /// <summary>The reference answer with 0..3 corruptions (uniformly many), each an item replaced, a swap, a drop or an addition.</summary>
    public static string Scripted(string answer, Random random)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(random);
        var items = answer.Split(' ').ToList();
        int k = random.Next(0, Math.Min(3, items.Count) + 1);
        string text = answer;
        for (int j = 0; j < k; j++)
        {
            text = Corrupt(items, random);
            items = text.Split(' ').ToList();
        }
        return text;
    }

    private static string Corrupt(List<string> items, Random random)
    {
        var copy = new List<string>(items);
        int op = random.Next(items.Count > 1 ? 4 : 2);
        switch (op)
        {
            case 0: // replace an item by another number of the same width
                int i = random.Next(copy.Count);
                string old = copy[i];
                string fresh;
                do fresh = RandomNumber(old.TrimStart('-').Length, random); while (fresh == old);
                copy[i] = fresh;
                break;
            case 1: // add an item
                copy.Insert(random.Next(copy.Count + 1), RandomNumber(copy[0].TrimStart('-').Length, random));
                break;
            case 2: // swap two neighbours (a different list only when they differ)
                int s = random.Next(copy.Count - 1);
                (copy[s], copy[s + 1]) = (copy[s + 1], copy[s]);
                if (copy.SequenceEqual(items)) copy[s] = RandomNumber(copy[s].Length, random) is var n && n != copy[s] ? n : copy[s] + "1";
                break;
            default: // drop an item
                copy.RemoveAt(random.Next(copy.Count));
                break;
        }
        return string.Join(' ', copy);
    }

    private static string RandomNumber(int digits, Random random)
    {
        digits = Math.Clamp(digits, 1, 3);
        int low = digits == 1 ? 0 : (int)Math.Pow(10, digits - 1), high = (int)Math.Pow(10, digits);
        return random.Next(low, high).ToString(CultureInfo.InvariantCulture);
    }

    private static bool IsInteger(string s)
    {
        var t = s.StartsWith('-') ? s[1..] : s;
        return t.Length is > 0 and <= 3 && t.All(char.IsAsciiDigit);
    }
}
