using Rewire.Core.Rewards;
using Rewire.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Generation;

/// <summary>
/// Batched autoregressive generation for any <see cref="ICausalLanguageModel"/> (the small GPT, Hugging Face models). Prompts of different lengths share one
/// left-padded batch (<see cref="PaddedBatch"/>). With the KV cache, the prompt is encoded once and each step feeds
/// only the newest token; without it, each step re-encodes the whole prefix (the reference baseline). Both paths use
/// the same masks, positions and random draws, so for a seed they pick the same tokens.
/// Per step: z = logits of the last position; sampling uses filters(z) (temperature, top-k, top-p) and Gumbel-max with
/// the caller's generator; the recorded log-prob and entropy are those of softmax(z) (the policy at T = 1) unless
/// <see cref="GenerationOptions.LogProbs"/> says <see cref="LogProbSource.Sampling"/>.
/// </summary>
public static class TokenGenerator
{
    /// <summary>Generates one response per prompt in one left-padded batch.</summary>
    /// <param name="model">The language model.</param>
    /// <param name="prompts">Prompt token lists (any lengths).</param>
    /// <param name="options">Length, sampling filters, stop tokens, cache and log-prob source.</param>
    /// <param name="generator">Random generator of the Gumbel draws; the same state gives the same tokens.</param>
    /// <returns>One sequence per prompt: tokens, log-probs, entropies and whether it stopped.</returns>
    public static IReadOnlyList<GeneratedSequence> Generate(
        ICausalLanguageModel model, IReadOnlyList<IReadOnlyList<int>> prompts, GenerationOptions options, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(generator);
        options.Validate(model.VocabSize);
        ValidatePrompts(prompts, model.VocabSize);
        int b = prompts.Count, n = options.MaxNewTokens;
        int promptWidth = prompts.Max(p => p.Count);
        if (promptWidth + n > model.ContextLength)
            throw new ArgumentException(
                $"longest prompt ({promptWidth} tokens) + max_new_tokens ({n}) = {promptWidth + n} exceeds the model's context length {model.ContextLength}; shorten prompts or lower max_new_tokens");

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using var batch = new PaddedBatch(prompts, n, options.PadId);
        using var cache = options.UseKvCache ? model.NewCache(b, batch.TotalWidth) : null;
        var stop = options.StopTokens.ToHashSet();
        var tokens = new List<int>[b];
        var logProbs = new List<float>[b];
        var entropies = new List<float>[b];
        var finished = new bool[b];
        for (int i = 0; i < b; i++) { tokens[i] = new(n); logProbs[i] = new(n); entropies[i] = new(n); }
        int live = b;
        var nextBuffer = new long[b];

        for (int s = 0; s < n && live > 0; s++)
        {
            using var step = NewDisposeScope();
            int end = promptWidth + s;
            int start = cache is null ? 0 : (s == 0 ? 0 : end - 1);
            var input = batch.Tokens.narrow(1, start, end - start);
            // Without a cache and without padding, plain causal attention at positions 0..end-1 (no mask to build or add).
            var logits = cache is null && batch.Unpadded
                ? model.LastLogits(input, null, null, null)
                : model.LastLogits(input, batch.Positions.narrow(1, start, end - start), batch.BiasFor(start, end), cache);
            var (next, lp, ent) = Choose(logits, options, generator);
            // One read to the host per step: ids (exact in float64), log-probs and entropies side by side.
            var host = stack([next.to_type(ScalarType.Float64), lp.to_type(ScalarType.Float64), ent.to_type(ScalarType.Float64)]).cpu().data<double>().ToArray();
            for (int i = 0; i < b; i++)
            {
                if (finished[i]) { nextBuffer[i] = options.PadId; continue; }
                int tok = (int)host[i];
                nextBuffer[i] = tok;
                tokens[i].Add(tok);
                logProbs[i].Add((float)host[b + i]);
                entropies[i].Add((float)host[2 * b + i]);
                if (stop.Contains(tok)) { finished[i] = true; live--; }
            }
            if (s + 1 < n) batch.Tokens.select(1, end).copy_(tensor(nextBuffer));
        }

        var result = new GeneratedSequence[b];
        for (int i = 0; i < b; i++)
            result[i] = new GeneratedSequence([.. prompts[i]], [.. tokens[i]], [.. logProbs[i]], [.. entropies[i]],
                finished[i] ? FinishReason.Stop : FinishReason.Length);
        return result;
    }

    /// <summary>Picks the next token of each row from last-position logits [B, V]; returns token ids, log-probs and entropies [B].</summary>
    internal static (Tensor Next, Tensor LogProb, Tensor Entropy) Choose(Tensor logits, GenerationOptions o, Generator generator)
    {
        var raw = logits.to(ScalarType.Float32);
        Tensor next;
        Tensor processed = raw;
        if (o.Greedy) next = raw.argmax(-1);
        else
        {
            processed = SamplingFilters.Apply(raw, o.Temperature, o.TopK, o.TopP);
            next = SamplingFilters.Sample(processed, generator);
        }
        var dist = (o.LogProbs == LogProbSource.Policy ? raw : processed).log_softmax(-1);
        var lp = dist.gather(-1, next.unsqueeze(-1)).squeeze(-1);
        return (next, lp, SamplingFilters.Entropy(dist));
    }

    internal static void ValidatePrompts(IReadOnlyList<IReadOnlyList<int>> prompts, int vocab)
    {
        if (prompts.Count == 0) throw new ArgumentException("generation needs at least one prompt");
        for (int i = 0; i < prompts.Count; i++)
        {
            if (prompts[i] is null || prompts[i].Count == 0)
                throw new ArgumentException($"prompt {i} is empty; every prompt needs at least one token (for example bos)");
            foreach (int t in prompts[i])
                if (t < 0 || t >= vocab)
                    throw new ArgumentException($"prompt {i} contains token id {t}, outside the vocabulary 0..{vocab - 1}; check the tokenizer matches the model");
        }
    }
}
