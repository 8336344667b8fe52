using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Generation;

/// <summary>
/// Variable-length sequences laid out left-padded in one [B, T] batch, with per-row positions (0 at each row's first
/// real token) and an additive attention bias [B, 1, T, T]: position q attends to key k iff k is a real token and
/// k ≤ q; padding positions attend only to themselves, so no row is ever fully masked.
/// Left padding makes every row's response start at the same column, which keeps decoding and scoring aligned.
/// The bias is built on first use: when no row is padded (<see cref="Unpadded"/>), a pass without a cache needs neither
/// it nor the positions (<see cref="CausalBias"/>, <see cref="CausalPositions"/>), since plain causal attention at
/// positions 0..T-1 is the same computation and lets attention run its causal kernel without a mask.
/// </summary>
internal sealed class PaddedBatch : IDisposable
{
    private readonly bool[] _valid;
    private Tensor? _bias;

    public Tensor Tokens { get; }
    public Tensor Positions { get; }

    /// <summary>The additive attention bias [B, 1, T, T] (built on first use; owned by this batch).</summary>
    public Tensor Bias => _bias ??= BuildBias();

    /// <summary>True when every prefix has the longest prefix's length: no left padding.</summary>
    public bool Unpadded { get; }

    /// <summary>The bias for a pass without a KV cache: null (plain causal attention) when <see cref="Unpadded"/>.</summary>
    public Tensor? CausalBias => Unpadded ? null : Bias;

    /// <summary>The positions for a pass without a KV cache: null (0..T-1 in every row) when <see cref="Unpadded"/>.</summary>
    public Tensor? CausalPositions => Unpadded ? null : Positions;

    public int[] PadCounts { get; }
    public int PromptWidth { get; }
    public int TotalWidth { get; }

    /// <param name="prefixes">Each row's tokens to lay out from the left edge of column <c>PromptWidth - len</c>.</param>
    /// <param name="extraColumns">Columns reserved after the longest prefix (for generated or response tokens).</param>
    /// <param name="suffixes">Optional tokens to place from column <c>PromptWidth</c> onward (scoring's responses).</param>
    /// <param name="padId">Token id written into padded positions (never attended to).</param>
    public PaddedBatch(IReadOnlyList<IReadOnlyList<int>> prefixes, int extraColumns, int padId, IReadOnlyList<IReadOnlyList<int>>? suffixes = null)
    {
        int b = prefixes.Count;
        PromptWidth = prefixes.Max(p => p.Count);
        TotalWidth = PromptWidth + extraColumns;
        int t = TotalWidth;
        var tok = new long[b * t];
        var pos = new long[b * t];
        var valid = new bool[b * t];
        _valid = valid;
        PadCounts = new int[b];
        for (int i = 0; i < b; i++)
        {
            var p = prefixes[i];
            int pad = PromptWidth - p.Count;
            PadCounts[i] = pad;
            for (int c = 0; c < t; c++)
            {
                int at = i * t + c;
                tok[at] = padId;
                valid[at] = c >= pad;
                pos[at] = Math.Max(0, c - pad);
            }
            for (int j = 0; j < p.Count; j++) tok[i * t + pad + j] = p[j];
            if (suffixes is not null)
            {
                var s = suffixes[i];
                for (int j = 0; j < s.Count; j++) tok[i * t + PromptWidth + j] = s[j];
            }
        }
        Unpadded = PadCounts.All(c => c == 0);
        using var scope = NewDisposeScope();
        Tokens = tensor(tok, [b, t]).MoveToOuterDisposeScope();
        Positions = tensor(pos, [b, t]).MoveToOuterDisposeScope();
    }

    private Tensor BuildBias()
    {
        long b = PadCounts.Length, t = TotalWidth;
        using var scope = NewDisposeScope();
        var keyValid = tensor(_valid, [b, t]).view(b, 1, 1, t);
        var causal = ones(t, t, dtype: ScalarType.Bool).tril().view(1, 1, t, t);
        var self = eye(t, dtype: ScalarType.Bool).view(1, 1, t, t);
        var allowed = (keyValid & causal) | self;
        // Detached: the batch owns it (it may be built inside a caller's shorter-lived scope, such as one decoding step).
        return zeros(b, 1, t, t).masked_fill(allowed.logical_not(), double.NegativeInfinity).DetachFromDisposeScope();
    }

    /// <summary>Bias rows [q0, q1) over keys [0, q1).</summary>
    public Tensor BiasFor(int q0, int q1) => Bias.narrow(2, q0, q1 - q0).narrow(3, 0, q1);

    public void Dispose()
    {
        Tokens.Dispose();
        Positions.Dispose();
        _bias?.Dispose();
    }
}
