// Cooper's reward-model pairs ("Cooper: Co-Optimizing Policy and Reward Models in Reinforcement Learning for Large
// Language Models", the ZJU-REAL/cooper recipe): after each policy step, for every prompt of the step
//   - the positive is the first rollout the rule-based verifier marks correct (its precision is why it is trusted); a
//     prompt without one gives no pair;
//   - the negative is the positive rewritten into a plausible wrong answer, accepted only when the verifier says the
//     rewrite is wrong, with at most 3 attempts; a prompt whose attempts all fail gives no pair.
// The paper's rewriter is an assistant LLM prompted for wrong reasoning of similar length; here it is a scripted
// rewrite of the answer (PreferenceSetBuilder.Scripted: items replaced, neighbours swapped, dropped or added), so the
// negatives are near misses of the right answer, as the paper's are.
using Rewire.Core.Rewards;

namespace Rewire.Torch.Preferences;

/// <summary>One Cooper pair: a verified-correct rollout and a verified-wrong rewrite of it.</summary>
internal sealed record CooperPair(Prompt Prompt, string Positive, string Negative);

/// <summary>Builds Cooper's pairs (see the file header).</summary>
internal static class CooperPairs
{
    /// <summary>The paper's attempts at a negative per positive.</summary>
    public const int Attempts = 3;

    /// <summary>
    /// The pairs of <paramref name="rollouts"/> (prompt, completion, verifier correctness), one per prompt with a correct
    /// rollout and an accepted rewrite, in the order the prompts first appear; <paramref name="invalid"/> counts the
    /// prompts that gave none.
    /// </summary>
    public static List<CooperPair> Build(IEnumerable<(Prompt Prompt, string Completion, bool Correct)> rollouts,
        Func<string, Random, string> rewrite, Func<Prompt, string, bool> verify, Random random, out int invalid)
    {
        var order = new List<string>();
        var positive = new Dictionary<string, (Prompt Prompt, string? Completion)>(StringComparer.Ordinal);
        foreach (var (prompt, completion, correct) in rollouts)
        {
            if (!positive.TryGetValue(prompt.Id, out var seen)) { order.Add(prompt.Id); positive[prompt.Id] = seen = (prompt, null); }
            if (correct && seen.Completion is null) positive[prompt.Id] = (prompt, completion);
        }
        var pairs = new List<CooperPair>();
        invalid = 0;
        foreach (var id in order)
        {
            var (prompt, pos) = positive[id];
            if (pos is null) { invalid++; continue; }
            string? negative = null;
            for (int attempt = 0; attempt < Attempts && negative is null; attempt++)
            {
                string candidate = rewrite(pos, random);
                if (!verify(prompt, candidate)) negative = candidate;
            }
            if (negative is null) invalid++;
            else pairs.Add(new CooperPair(prompt, pos, negative));
        }
        return pairs;
    }
}
