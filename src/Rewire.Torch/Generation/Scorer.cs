using Rewire.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Generation;

/// <summary>
/// Log π(o_t | q, o_&lt;t) of given responses under a model, in mini-batches: prompts left-padded and responses
/// right-padded in one layout (<see cref="PaddedBatch"/>), so the response starts at the same column P in every row and
/// the logits at columns P-1 .. P+L-2 predict it. Same masks and positions as generation, so the values match.
/// The output head is applied to the hidden states a chunk of positions at a time (<see cref="ScoreOptions.ChunkTokens"/>),
/// gathering the chosen token's log-prob (and the entropy) per chunk, so [B, L, V] logits never materialise.
/// </summary>
public static class Scorer
{
    /// <summary>
    /// Scores <paramref name="responses"/> given <paramref name="prompts"/> under <paramref name="model"/> (row i
    /// answers prompt i).
    /// </summary>
    /// <param name="model">The language model.</param>
    /// <param name="prompts">Prompt token lists.</param>
    /// <param name="responses">Response token lists, one per prompt.</param>
    /// <param name="options">Mini-batching, gradient, entropy and chunking.</param>
    /// <returns>Per-token log-probs, mask and the optional entropies and Σπ².</returns>
    public static ScoredTokens Score(
        ICausalLanguageModel model, IReadOnlyList<IReadOnlyList<int>> prompts, IReadOnlyList<IReadOnlyList<int>> responses, ScoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        if (prompts.Count != responses.Count)
            throw new ArgumentException($"scoring needs one response per prompt; got {prompts.Count} prompts and {responses.Count} responses");
        if (options.MiniBatchSize < 0) throw new ArgumentException($"scoring: mini_batch_size = {options.MiniBatchSize}; use 0 (all rows) or a positive count");
        if (options.ChunkTokens < 0) throw new ArgumentException($"scoring: chunk_tokens = {options.ChunkTokens}; use 0 (automatic) or a positive count");
        TokenGenerator.ValidatePrompts(prompts, model.VocabSize);
        for (int i = 0; i < responses.Count; i++)
            foreach (int t in responses[i])
                if (t < 0 || t >= model.VocabSize)
                    throw new ArgumentException($"response {i} contains token id {t}, outside the vocabulary 0..{model.VocabSize - 1}");
        int b = prompts.Count;
        int l = Math.Max(1, responses.Max(r => r.Count));
        int mb = options.MiniBatchSize == 0 ? b : options.MiniBatchSize;
        int total = prompts.Max(p => p.Count) + l - 1;
        if (total > model.ContextLength)
            throw new ArgumentException($"longest prompt + longest response - 1 = {total} tokens exceeds the model's context length {model.ContextLength}");

        using var grad = options.WithGradient ? null : no_grad();
        var lps = new List<Tensor>();
        var ents = new List<Tensor>();
        var masks = new List<Tensor>();
        var spps = new List<Tensor>();
        using var outer = NewDisposeScope();
        for (int s = 0; s < b; s += mb)
        {
            int count = Math.Min(mb, b - s);
            using var scope = NewDisposeScope();
            var ps = Slice(prompts, s, count);
            var rs = Slice(responses, s, count);
            using var batch = new PaddedBatch(ps, l - 1, options.PadId, rs.Select(r => (IReadOnlyList<int>)r.Take(l - 1).ToArray()).ToArray());
            int p = batch.PromptWidth;
            var hidden = model.Hidden(batch.Tokens, batch.CausalPositions, batch.CausalBias, null).narrow(1, p - 1, l);
            var target = new long[count * l];
            var mask = new float[count * l];
            for (int i = 0; i < count; i++)
                for (int j = 0; j < rs[i].Count; j++) { target[i * l + j] = rs[i][j]; mask[i * l + j] = 1; }
            var m = tensor(mask, [count, l]);
            var targets = tensor(target, [count, l]);
            // The head over a few positions at a time: [count, chunk, V] logits at once, never [count, l, V].
            int chunk = PositionsPerChunk(options.ChunkTokens, count, l, model.VocabSize);
            var lpChunks = new List<Tensor>();
            var entChunks = new List<Tensor>();
            var sppChunks = new List<Tensor>();
            for (int c = 0; c < l; c += chunk)
            {
                int width = Math.Min(chunk, l - c);
                var logp = model.HeadLogits(hidden.narrow(1, c, width)).log_softmax(-1);
                lpChunks.Add(logp.gather(-1, targets.narrow(1, c, width).unsqueeze(-1)).squeeze(-1));
                if (options.WithEntropy) entChunks.Add(SamplingFilters.Entropy(logp));
                if (options.WithSumPiSquared) sppChunks.Add((2 * logp).exp().sum(-1));
            }
            lps.Add((Join(lpChunks) * m).MoveToOuterDisposeScope());
            masks.Add(m.MoveToOuterDisposeScope());
            if (options.WithEntropy) ents.Add((Join(entChunks) * m).MoveToOuterDisposeScope());
            if (options.WithSumPiSquared) spps.Add((Join(sppChunks) * m).MoveToOuterDisposeScope());
        }
        var result = new ScoredTokens(
            cat(lps, 0).MoveToOuterDisposeScope(),
            cat(masks, 0).MoveToOuterDisposeScope(),
            options.WithEntropy ? cat(ents, 0).MoveToOuterDisposeScope() : null,
            options.WithSumPiSquared ? cat(spps, 0).MoveToOuterDisposeScope() : null);
        return result;
    }

    /// <summary>Logit entries per head chunk when <see cref="ScoreOptions.ChunkTokens"/> is 0: 2^24 floats (64 MB).</summary>
    public const long DefaultChunkLogits = 1L << 24;

    /// <summary>
    /// Positions per head chunk: <paramref name="chunkTokens"/> row-positions (rows × positions) when positive, else as many
    /// as keep [rows, chunk, V] within <see cref="DefaultChunkLogits"/> entries; at least one, at most the whole length.
    /// </summary>
    public static int PositionsPerChunk(int chunkTokens, int rows, int length, int vocab)
    {
        long perPosition = (long)Math.Max(1, rows) * Math.Max(1, vocab);
        long positions = chunkTokens > 0 ? chunkTokens / Math.Max(1, rows) : DefaultChunkLogits / perPosition;
        return (int)Math.Clamp(positions, 1, Math.Max(1, length));
    }

    private static Tensor Join(List<Tensor> chunks) => chunks.Count == 1 ? chunks[0] : cat(chunks, 1);

    private static IReadOnlyList<int>[] Slice(IReadOnlyList<IReadOnlyList<int>> rows, int start, int count)
    {
        var r = new IReadOnlyList<int>[count];
        for (int i = 0; i < count; i++) r[i] = rows[start + i];
        return r;
    }
}
