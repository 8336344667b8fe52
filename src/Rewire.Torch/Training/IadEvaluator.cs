// Iterative Agent Decoding (IAD) on held-out prompts, from "Review, Refine, Repeat: Understanding Iterative Decoding of AI
// Agents with Dynamic Evaluation and Selection" (arXiv 2504.01931): per prompt, T rounds of N candidates, rounds after the
// first conditioned on feedback about the previous round's scored candidates (IterativeAgentDecoding), the answer the
// argmax of the selector over all T·N candidates, graded by the task's verifier. Only a policy that can read feedback
// (a Hugging Face chat model: the feedback is appended to the prompt's last user message) can run it.
using Rewire.Core.Decoding;
using Rewire.Core.Rewards;
using Rewire.Torch.Generation;
using Rewire.Torch.Models;
using Rewire.Torch.Tokenizers;
using TorchSharp;

namespace Rewire.Torch.Training;

/// <summary>Accuracy of IAD on held-out prompts.</summary>
/// <param name="Rounds">T.</param>
/// <param name="N">Candidates per round.</param>
/// <param name="Feedback">verifier, random or none (none: best-of-T·N, the compute-matched baseline).</param>
/// <param name="Accuracy">Share of prompts whose answer (the best of all T·N) the task's verifier judges correct.</param>
/// <param name="MeanScore">Mean selector score of the answers (a failed score counts 0).</param>
/// <param name="AccuracyByRound">Entry t: the accuracy of the best of rounds 0..t (entry 0 is best-of-N; the last is <paramref name="Accuracy"/>).</param>
public sealed record IadEvaluation(int Rounds, int N, string Feedback, double Accuracy, double MeanScore, IReadOnlyList<double> AccuracyByRound);

/// <summary>Iterative Agent Decoding on held-out prompts.</summary>
public static class IadEvaluator
{
    private sealed record Candidate(string Text, double Score, bool Correct);

    /// <summary>Runs IAD on every prompt and reports the accuracy of its answers.</summary>
    /// <param name="policy">The policy that writes the candidates.</param>
    /// <param name="tokenizer">Decodes candidates.</param>
    /// <param name="encode">The token ids of a prompt with the round's feedback text (null: the plain prompt).</param>
    /// <param name="verifier">Grades the candidates (the task's verifier).</param>
    /// <param name="selector">Scores the candidates; the highest is the answer, and the feedback shows its scores.</param>
    /// <param name="prompts">The held-out prompts.</param>
    /// <param name="sampling">Generation settings of the candidates (the new tokens are cut to what fits <paramref name="contextLength"/>).</param>
    /// <param name="n">Candidates per round.</param>
    /// <param name="rounds">Rounds T.</param>
    /// <param name="mode">What rounds after the first read.</param>
    /// <param name="contextLength">The model's context; a round's prompt that leaves no room fails.</param>
    /// <param name="seed">Seed of the sampling and of random feedback.</param>
    /// <param name="cancellationToken">Checked before each round.</param>
    public static IadEvaluation Evaluate(IPolicy policy, ITokenizer tokenizer, Func<Prompt, string?, int[]> encode, IRewardFunction verifier,
        IRewardFunction selector, IReadOnlyList<Prompt> prompts, GenerationOptions sampling, int n, int rounds, IadFeedbackMode mode,
        int contextLength, long seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(encode);
        ArgumentNullException.ThrowIfNull(verifier);
        ArgumentNullException.ThrowIfNull(selector);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(sampling);
        var rightByRound = new int[rounds];
        int right = 0;
        double scoreSum = 0;
        using var g = new torch.Generator(unchecked((ulong)seed));
        for (int i = 0; i < prompts.Count; i++)
        {
            var p = prompts[i];
            IReadOnlyList<Candidate> Sample(int round, IadFeedback? feedback, int count)
            {
                var ids = encode(p, feedback?.Text);
                int maxNew = Math.Min(sampling.MaxNewTokens, contextLength - ids.Length);
                if (maxNew < 1)
                    throw new InvalidOperationException($"prompt {p.Id} in round {round} is {ids.Length} tokens with its feedback, which leaves no room in the model's context of {contextLength}; lower rl.max_new_tokens or use fewer rounds");
                var seqs = policy.Generate(Enumerable.Repeat((IReadOnlyList<int>)ids, count).ToArray(), sampling with { MaxNewTokens = maxNew }, g);
                return seqs.Select(q =>
                {
                    string text = tokenizer.Decode(q.Tokens.Where(t => t != tokenizer.EosId));
                    var rollout = new Rollout(p, text, q.Tokens.Length, q.Finish, p.Id);
                    var scored = selector.Score(rollout);
                    double score = scored.Failed || !double.IsFinite(scored.Total) ? double.NegativeInfinity : scored.Total;
                    bool correct = ReferenceEquals(selector, verifier) ? scored.Correct == true : verifier.Score(rollout).Correct == true;
                    return new Candidate(text, score, correct);
                }).ToArray();
            }
            var result = IterativeAgentDecoding.Run<Candidate>(rounds, n, mode, unchecked((int)seed) ^ i, Sample, c => c.Score, c => c.Text, cancellationToken);
            var scores = result.Candidates.Select(c => c.Score).ToArray();
            for (int t = 0; t < rounds; t++)
                if (result.Candidates[IterativeAgentDecoding.Select(scores[..((t + 1) * n)])].Value.Correct) rightByRound[t]++;
            if (result.Answer.Value.Correct) right++;
            scoreSum += double.IsFinite(result.Answer.Score) ? result.Answer.Score : 0;
        }
        double count = Math.Max(1, prompts.Count);
        return new IadEvaluation(rounds, n, mode.ToString().ToLowerInvariant(), right / count, scoreSum / count,
            rightByRound.Select(r => r / count).ToArray());
    }
}
