using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Generation;

/// <summary>
/// Variable-length sequences laid out left-padded in one [B, T] batch, with per-row positions (0 at each row's first
/// real token) and an additive attention bias [B, 1, T, T]: position q attends to key k iff k is a real token and
/// k ≤ q; padding positions attend only to themselves, so no row is ever fully masked.
/// Left padding makes every row's response start at the same column, which keeps decoding and scoring aligned.
/// </summary>
internal sealed class PaddedBatch : IDisposable
{
    public Tensor Tokens { get; }
    public Tensor Positions { get; }
    public Tensor Bias { get; }
    public int[] PadCounts { get; }
    public int PromptWidth { get; }
    public int TotalWidth { get; }

    /// <param name="prefixes">Each row's tokens to lay out from the left edge of column <c>PromptWidth - len</c>.</param>
    /// <param name="extraColumns">Columns reserved after the longest prefix (for generated or response tokens).</param>
    /// <param name="suffixes">Optional tokens to place from column <c>PromptWidth</c> onward (scoring's responses).</param>
    public PaddedBatch(IReadOnlyList<IReadOnlyList<int>> prefixes, int extraColumns, int padId, IReadOnlyList<IReadOnlyList<int>>? suffixes = null)
    {
        int b = prefixes.Count;
        PromptWidth = prefixes.Max(p => p.Count);
        TotalWidth = PromptWidth + extraColumns;
        int t = TotalWidth;
        var tok = new long[b * t];
        var pos = new long[b * t];
        var valid = new bool[b * t];
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
        using var scope = NewDisposeScope();
        Tokens = tensor(tok, [b, t]).MoveToOuterDisposeScope();
        Positions = tensor(pos, [b, t]).MoveToOuterDisposeScope();
        var keyValid = tensor(valid, [b, t]).view(b, 1, 1, t);
        var causal = ones(t, t, dtype: ScalarType.Bool).tril().view(1, 1, t, t);
        var self = eye(t, dtype: ScalarType.Bool).view(1, 1, t, t);
        var allowed = (keyValid & causal) | self;
        Bias = zeros(b, 1, t, t).masked_fill(allowed.logical_not(), double.NegativeInfinity).MoveToOuterDisposeScope();
    }

    /// <summary>Bias rows [q0, q1) over keys [0, q1).</summary>
    public Tensor BiasFor(int q0, int q1) => Bias.narrow(2, q0, q1 - q0).narrow(3, 0, q1);

    public void Dispose()
    {
        Tokens.Dispose();
        Positions.Dispose();
        Bias.Dispose();
    }
}
