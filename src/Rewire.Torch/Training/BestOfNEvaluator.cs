// Best-of-N (BoN) as an inference-time strategy, the baseline of "Review, Refine, Repeat: Understanding Iterative Decoding
// of AI Agents with Dynamic Evaluation and Selection" (IAD, arXiv 2504.01931): sample N candidates per prompt, score each
// with a verifier, answer with the highest-scoring one. One set of N_max samples per prompt serves every N ≤ N_max (the
// first N candidates), so the figures for N = 1, 2, 4, ... are nested and comparable.
using Rewire.Core.Rewards;
using Rewire.Torch.Generation;
using Rewire.Torch.Models;
using Rewire.Torch.Tokenizers;
using TorchSharp;

namespace Rewire.Torch.Training;

/// <summary>Accuracy of verifier-guided best-of-N for one N.</summary>
/// <param name="N">Candidates per prompt.</param>
/// <param name="Accuracy">Share of prompts whose selected candidate the task's verifier judges correct.</param>
/// <param name="MeanScore">Mean selector score of the selected candidates.</param>
public sealed record BestOfNPoint(int N, double Accuracy, double MeanScore);

/// <summary>Verifier-guided best-of-N selection on held-out prompts.</summary>
public static class BestOfNEvaluator
{
    /// <summary>The N reported for a budget of <paramref name="max"/>: 1, 2, 4, ... below it, and <paramref name="max"/> itself.</summary>
    public static IReadOnlyList<int> Sizes(int max)
    {
        if (max < 1) throw new ArgumentOutOfRangeException(nameof(max), max, "best-of-N needs N of at least 1");
        var sizes = new List<int>();
        for (int n = 1; n < max; n *= 2) sizes.Add(n);
        sizes.Add(max);
        return sizes;
    }

    /// <summary>The index of the candidate best-of-N answers with among the first <paramref name="n"/>: the highest score, the earliest on ties.</summary>
    public static int Select(IReadOnlyList<double> scores, int n)
    {
        if (n < 1 || n > scores.Count) throw new ArgumentOutOfRangeException(nameof(n), n, $"n must be in 1..{scores.Count}");
        int best = 0;
        for (int i = 1; i < n; i++)
            if (scores[i] > scores[best]) best = i;
        return best;
    }

    /// <summary>
    /// Samples <paramref name="maxN"/> candidates per prompt, scores each with <paramref name="selector"/> (its total; a failed
    /// or non-finite score ranks last) and reports, for each N of <see cref="Sizes"/>, the accuracy of the selected candidate
    /// under <paramref name="verifier"/>.
    /// </summary>
    /// <param name="policy">The policy that writes the candidates.</param>
    /// <param name="tokenizer">Encodes prompts and decodes candidates.</param>
    /// <param name="template">Turns a prompt into token ids.</param>
    /// <param name="verifier">Grades the selected candidate (the task's verifier).</param>
    /// <param name="selector">Scores candidates; the highest is selected (the task's reward: the verifier-guided form).</param>
    /// <param name="prompts">The held-out prompts.</param>
    /// <param name="sampling">Generation settings of the candidates.</param>
    /// <param name="maxN">The largest N.</param>
    /// <param name="seed">Seed of the sampling.</param>
    /// <param name="batch">Prompts generated at once.</param>
    public static IReadOnlyList<BestOfNPoint> Evaluate(IPolicy policy, ITokenizer tokenizer, PromptTemplate template, IRewardFunction verifier,
        IRewardFunction selector, IReadOnlyList<Prompt> prompts, GenerationOptions sampling, int maxN, long seed, int batch = 256)
    {
        var sizes = Sizes(maxN);
        var encoded = prompts.Select(p => (IReadOnlyList<int>)template.Encode(p, tokenizer)).ToArray();
        var scores = prompts.Select(_ => new List<double>(maxN)).ToArray();
        var correct = prompts.Select(_ => new List<bool>(maxN)).ToArray();
        using (var g = new torch.Generator((ulong)seed))
        {
            for (int s = 0; s < maxN; s++)
                for (int start = 0; start < encoded.Length; start += batch)
                {
                    var chunk = encoded.AsSpan(start, Math.Min(batch, encoded.Length - start)).ToArray();
                    var seqs = policy.Generate(chunk, sampling, g);
                    for (int i = 0; i < seqs.Count; i++)
                    {
                        var p = prompts[start + i];
                        string text = tokenizer.Decode(seqs[i].Tokens.Where(t => t != tokenizer.EosId));
                        var rollout = new Rollout(p, text, seqs[i].Tokens.Length, seqs[i].Finish, p.Id);
                        var scored = selector.Score(rollout);
                        scores[start + i].Add(scored.Failed || !double.IsFinite(scored.Total) ? double.NegativeInfinity : scored.Total);
                        correct[start + i].Add(ReferenceEquals(selector, verifier) ? scored.Correct == true : verifier.Score(rollout).Correct == true);
                    }
                }
        }
        return sizes.Select(n =>
        {
            int right = 0;
            double scoreSum = 0;
            for (int i = 0; i < prompts.Count; i++)
            {
                int pick = Select(scores[i], n);
                if (correct[i][pick]) right++;
                scoreSum += double.IsFinite(scores[i][pick]) ? scores[i][pick] : 0;
            }
            return new BestOfNPoint(n, prompts.Count == 0 ? 0 : right / (double)prompts.Count, prompts.Count == 0 ? 0 : scoreSum / prompts.Count);
        }).ToArray();
    }
}
