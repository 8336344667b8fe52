using static TorchSharp.torch;

namespace Rewire.Torch.Models;

/// <summary>
/// What batched generation (<see cref="Generation.TokenGenerator"/>) and scoring (<see cref="Generation.Scorer"/>) need
/// from a decoder-only network: next-token logits over the ids it may produce, for left-padded batches with per-row
/// positions and an additive attention bias, optionally appending to a KV cache it makes.
/// </summary>
public interface ICausalLanguageModel
{
    /// <summary>The ids the model may produce and read: the width of <see cref="Logits"/>' last dimension.</summary>
    int VocabSize { get; }

    /// <summary>The longest sequence (prompt plus generated tokens) the model accepts.</summary>
    int ContextLength { get; }

    /// <summary>Logits [B,T,VocabSize] for tokens [B,T] at <paramref name="positions"/> [B,T] (null: 0..T-1) with an additive
    /// bias [B,1,T,Tk] (null: plain causal attention without a cache); with a cache, keys and values are appended to it.</summary>
    Tensor Logits(Tensor tokens, Tensor? positions, Tensor? attentionBias, KvCache? cache);

    /// <summary>Logits [B,VocabSize] of the last position only (as <see cref="Logits"/>, without computing the head for
    /// earlier positions: with a 150k-entry vocabulary the full [B,T,V] logits of a prompt would dominate memory).</summary>
    Tensor LastLogits(Tensor tokens, Tensor? positions, Tensor? attentionBias, KvCache? cache);

    /// <summary>An empty KV cache for <paramref name="batch"/> rows of up to <paramref name="capacity"/> positions.</summary>
    KvCache NewCache(long batch, int capacity);

    /// <summary>The final hidden states [B,T,width] (after the last norm) that the output head reads, with the arguments of
    /// <see cref="Logits"/>. With <see cref="HeadLogits"/>, scoring applies the head to a few positions at a time.</summary>
    Tensor Hidden(Tensor tokens, Tensor? positions, Tensor? attentionBias, KvCache? cache);

    /// <summary>The output head on hidden states [..., width]: logits [..., VocabSize]. Logits(x) = HeadLogits(Hidden(x)).</summary>
    Tensor HeadLogits(Tensor hidden);
}
