using Rewire.Core.Rewards;
using Rewire.Torch.Generation;
using Rewire.Torch.Models;
using Rewire.Torch.Tokenizers;
using TorchSharp;

namespace Rewire.Torch.Training;

/// <summary>Held-out evaluation figures.</summary>
/// <param name="Accuracy">Mean correctness over all samples at the rollout temperature (avg@n, the expected pass@1).</param>
/// <param name="GreedyAccuracy">Correctness of the greedy completion.</param>
/// <param name="PassAtK">Unbiased pass@k from n samples per prompt (Chen et al. 2021): 1 − C(n−c, k) / C(n, k), averaged.</param>
/// <param name="MeanLength">Mean completion length in tokens over the sampled completions.</param>
/// <param name="Prompts">Number of held-out prompts evaluated.</param>
/// <param name="SamplesPerPrompt">Samples n drawn per prompt.</param>
/// <param name="K">The k of pass@k.</param>
public sealed record EvalResult(int Prompts, int SamplesPerPrompt, int K, double Accuracy, double GreedyAccuracy, double PassAtK, double MeanLength);

/// <summary>Evaluates a policy on held-out prompts with the task's verifier.</summary>
public static class Evaluator
{
    /// <summary>
    /// Samples <paramref name="samples"/> completions per prompt and one greedy completion, and grades them with
    /// <paramref name="verifier"/>.
    /// </summary>
    /// <param name="policy">The policy to evaluate.</param>
    /// <param name="tokenizer">Encodes prompts and decodes completions.</param>
    /// <param name="template">Turns a prompt into token ids.</param>
    /// <param name="verifier">The task's verifier; a completion is correct when it says so.</param>
    /// <param name="prompts">The held-out prompts.</param>
    /// <param name="sampling">Generation settings of the sampled completions (the greedy one uses the same with
    /// greedy decoding).</param>
    /// <param name="samples">Samples n per prompt.</param>
    /// <param name="k">The k of pass@k, at most <paramref name="samples"/>.</param>
    /// <param name="seed">Seed of the sampling.</param>
    /// <param name="batch">Prompts generated at once.</param>
    public static EvalResult Evaluate(IPolicy policy, ITokenizer tokenizer, PromptTemplate template, IRewardFunction verifier,
        IReadOnlyList<Prompt> prompts, GenerationOptions sampling, int samples, int k, long seed, int batch = 256)
    {
        if (k > samples) throw new ArgumentException($"pass@{k} needs at least {k} samples per prompt, got {samples}");
        var encoded = prompts.Select(p => (IReadOnlyList<int>)template.Encode(p, tokenizer)).ToArray();
        var correct = new int[prompts.Count];
        long lengthSum = 0;
        using (var g = new torch.Generator((ulong)seed))
        {
            for (int s = 0; s < samples; s++)
                ForBatches(encoded, batch, (start, chunk) =>
                {
                    var seqs = policy.Generate(chunk, sampling, g);
                    for (int i = 0; i < seqs.Count; i++)
                    {
                        lengthSum += seqs[i].Tokens.Length;
                        if (IsCorrect(verifier, tokenizer, prompts[start + i], seqs[i])) correct[start + i]++;
                    }
                });
        }
        int greedyCorrect = 0;
        var greedy = sampling with { Greedy = true };
        using (var g = new torch.Generator((ulong)seed))
        {
            ForBatches(encoded, batch, (start, chunk) =>
            {
                var seqs = policy.Generate(chunk, greedy, g);
                for (int i = 0; i < seqs.Count; i++)
                    if (IsCorrect(verifier, tokenizer, prompts[start + i], seqs[i])) greedyCorrect++;
            });
        }
        double accuracy = correct.Sum() / (double)(prompts.Count * samples);
        double passAtK = correct.Average(c => PassAtK(samples, c, k));
        return new EvalResult(prompts.Count, samples, k, accuracy, greedyCorrect / (double)prompts.Count, passAtK,
            lengthSum / (double)(prompts.Count * samples));
    }

    /// <summary>Unbiased pass@k: 1 − C(n−c, k) / C(n, k), computed as a stable product.</summary>
    public static double PassAtK(int n, int c, int k)
    {
        if (n - c < k) return 1.0;
        double failAll = 1.0;
        for (int i = n - c + 1; i <= n; i++) failAll *= 1.0 - k / (double)i;
        return 1.0 - failAll;
    }

    /// <summary>
    /// True when <paramref name="verifier"/> judges the decoded completion <paramref name="seq"/> of
    /// <paramref name="prompt"/> correct.
    /// </summary>
    public static bool IsCorrect(IRewardFunction verifier, ITokenizer tokenizer, Prompt prompt, GeneratedSequence seq)
    {
        string text = tokenizer.Decode(seq.Tokens.Where(t => t != tokenizer.EosId));
        return verifier.Score(new Rollout(prompt, text, seq.Tokens.Length, seq.Finish, prompt.Id)).Correct == true;
    }

    private static void ForBatches(IReadOnlyList<int>[] items, int batch, Action<int, IReadOnlyList<IReadOnlyList<int>>> body)
    {
        for (int start = 0; start < items.Length; start += batch)
            body(start, items.AsSpan(start, Math.Min(batch, items.Length - start)).ToArray());
    }
}
