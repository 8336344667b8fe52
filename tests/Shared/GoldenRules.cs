// Rewire's deliberate differences from the reference, as rules over a case's function, kwargs and inputs (never case
// ids), so the same difference is recognised in any family of cases drawn from the same functions. Each rule is a
// documented decision (docs/golden.md) with its own test of Rewire's chosen behaviour. Nothing else may be left
// unchecked by a golden runner.
using System.Text.Json;

namespace Rewire.Golden;

/// <summary>One deliberate difference: which cases it covers, why Rewire differs, and what Rewire does instead.</summary>
/// <param name="Name">A short stable name, used in reports and in docs/golden.md.</param>
/// <param name="Layer">The layer whose runner applies it (<see cref="GoldenLayers"/>).</param>
/// <param name="Reference">What the reference does for the covered inputs.</param>
/// <param name="Decision">What Rewire does instead, and why.</param>
/// <param name="Matches">The predicate over a case's function, kwargs, inputs (and, for refusals, the reference's error).</param>
public sealed record GoldenRule(string Name, string Layer, string Reference, string Decision, Func<GoldenCase, bool> Matches)
{
    public override string ToString() => Name;
}

public static class GoldenRules
{
    public static readonly GoldenRule RlooLoopSingletonGroup = new(
        "rloo-loop-singleton-group",
        GoldenLayers.Core,
        "verl's loop RLOO (compute_rloo_outcome_advantage) keeps the raw score of a response that is alone in its group; " +
        "its vectorized RLOO gives the same response 0.",
        "Rewire gives a group of one response advantage 0 under both 'rloo' and 'rloo_vectorized': with no other sample " +
        "there is no leave-one-out baseline, and a raw score would be an unbaselined outlier in the batch. The loop " +
        "behaviour stays available as RlooSingleton.RawScore.",
        c => c.Function == "compute_rloo_outcome_advantage" && c.HasInput("index") && !c.ExpectsError
             && c.IndexInput().GroupBy(label => label, StringComparer.Ordinal).Any(g => g.Count() == 1));

    public static readonly GoldenRule KlStraightThroughSuffix = new(
        "kl-penalty-straight-through-suffix",
        GoldenLayers.Torch,
        "verl at b178a3c raises NotImplementedError for a KL estimator name ending in '+' (e.g. 'k3+', 'low_var_kl+'): " +
        "the suffix reaches kl_penalty_forward unchanged, a bug fixed later upstream.",
        "Rewire implements what the '+' form means: the base estimator's value in the forward pass with the k2 " +
        "(squared log-ratio) gradient in the backward pass (straight-through).",
        c => c.Function == "kl_penalty" && c.KwString("kl_penalty") is { } name && name.EndsWith('+')
             && c.ExpectsError && c.ErrorType == "NotImplementedError");

    public static readonly GoldenRule EntropyOfMinusInfinityLogits = new(
        "entropy-with-minus-infinity-logits",
        GoldenLayers.Torch,
        "verl computes entropy as logsumexp(x) - sum(softmax(x) * x), which is NaN at a position whose logits contain " +
        "-inf (0 * -inf), although the distribution is well defined (a masked-out vocabulary entry has probability 0).",
        "Rewire computes -sum(p * log p) from log_softmax and counts entries with p = 0 as 0, so a -inf logit gives the " +
        "entropy of the remaining entries, a finite value; positions without -inf match the reference.",
        c => c.Function is "entropy_from_logits" or "compute_entropy_loss" && c.HasInput("logits") && ContainsNegativeInfinity(c.Input("logits")));

    /// <summary>Every rule, in the order a runner tries them.</summary>
    public static readonly IReadOnlyList<GoldenRule> All = [RlooLoopSingletonGroup, KlStraightThroughSuffix, EntropyOfMinusInfinityLogits];

    /// <summary>The rule that covers a case, or null when the case must match the reference.</summary>
    public static GoldenRule? Find(GoldenCase c) => All.FirstOrDefault(r => r.Matches(c));

    /// <summary>For a report: how many cases of a family each rule covers; a rule that covers nothing says so.</summary>
    public static IEnumerable<string> Coverage(IEnumerable<GoldenCase> cases, string layer)
    {
        var list = cases.ToList();
        foreach (var rule in All.Where(r => r.Layer == layer))
        {
            var hits = list.Where(rule.Matches).Select(c => c.Id).ToList();
            yield return hits.Count == 0
                ? $"  rule {rule.Name}: matches no case of this family (fine: the difference does not arise here)"
                : $"  rule {rule.Name}: {hits.Count} case(s) left to its decision test ({string.Join(", ", hits.Take(8))}{(hits.Count > 8 ? ", ..." : "")})";
        }
    }

    private static bool ContainsNegativeInfinity(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Array => e.EnumerateArray().Any(ContainsNegativeInfinity),
        JsonValueKind.String => e.GetString() == "-Infinity",
        _ => false,
    };
}
