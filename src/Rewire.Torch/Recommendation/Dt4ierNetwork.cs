using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rewire.Torch.Recommendation;

/// <summary>The sizes of the DT4IER network.</summary>
internal sealed record Dt4ierShape(int StateSize, int Items, int Slate, int Horizon, int Context, int Embedding, int Layers, int Heads, int Buckets, double Dropout);

/// <summary>
/// DT4IER's decision transformer: per step three tokens (weighted return-to-go pair, state, action), a causal GPT over the
/// window, and from each state token's output one embedding per slate slot, which a linear layer maps to the slot's item
/// logits (the authors' decoder output and its dense layer). The return-to-go token is <see cref="RewardEmbedding"/>; the state token tanh(Linear(state));
/// the action token tanh(Linear(mean of the slate's item embeddings)). Positions: a learned embedding per token position
/// plus a learned embedding of the window's first timestep, as the authors' code (after the Atari decision transformer).
/// RECONSTRUCTED: the authors encode state and action item lists with GRU encoders and decode the slate with a GRU
/// seq2seq decoder; here the slate is decoded slot by slot from the state token (greedy, without repeats).
/// </summary>
internal sealed class Dt4ierNetwork : nn.Module
{
    private readonly Linear stateEncoder, actionEncoder, slotHead, itemHead;
    private readonly Embedding items;
    private readonly RewardEmbedding rtg;
    private readonly Parameter pos, globalPos;
    private readonly ModuleList<CausalBlock> blocks;
    private readonly LayerNorm lnF;
    private readonly GeneratorDropout _dropout;

    public Dt4ierNetwork(Dt4ierShape shape, ulong seed) : base(nameof(Dt4ierNetwork))
    {
        Shape = shape;
        _dropout = new GeneratorDropout(shape.Dropout);
        int e = shape.Embedding;
        stateEncoder = nn.Linear(shape.StateSize, e);
        actionEncoder = nn.Linear(e, e);
        slotHead = nn.Linear(e, shape.Slate * e);
        itemHead = nn.Linear(e, shape.Items);
        items = nn.Embedding(shape.Items, e);
        rtg = new RewardEmbedding(e, shape.Buckets);
        pos = new Parameter(zeros(1, 3 * shape.Context, e));
        globalPos = new Parameter(zeros(shape.Horizon + 1, e));
        blocks = new ModuleList<CausalBlock>(Enumerable.Range(0, shape.Layers).Select(_ => new CausalBlock(e, shape.Heads, _dropout)).ToArray());
        lnF = nn.LayerNorm(e);
        RegisterComponents();
        Initialise(seed);
    }

    public Dt4ierShape Shape { get; }

    public RewardEmbedding ReturnEmbedding => rtg;

    public Embedding ItemEmbedding => items;

    /// <summary>GPT initialisation (weights N(0, 0.02), biases 0, LayerNorm 1 and 0, position embeddings 0) from an explicit generator.</summary>
    private void Initialise(ulong seed)
    {
        using var g = new Generator(seed);
        using var noGrad = no_grad();
        foreach (var (name, p) in named_parameters())
        {
            if (name.Contains("pos", StringComparison.Ordinal) && !name.Contains('.')) continue;
            if (name.StartsWith("rtg.", StringComparison.Ordinal) || name.StartsWith("slotHead.", StringComparison.Ordinal) || name.StartsWith("itemHead.", StringComparison.Ordinal))
            {
                // The authors create the reward embedding and the slate decoder after the GPT initialisation: PyTorch's default Linear init.
                long fanIn = name.StartsWith("rtg.bucket.bias", StringComparison.Ordinal) ? 2 : name.EndsWith("bias", StringComparison.Ordinal) ? Shape.Embedding : p.shape[1];
                double bound = 1.0 / Math.Sqrt(fanIn);
                p.copy_(rand(p.shape, generator: g) * (2 * bound) - bound);
                continue;
            }
            bool norm = name.StartsWith("lnF", StringComparison.Ordinal) || name.Contains(".ln", StringComparison.Ordinal);
            if (name.EndsWith("bias", StringComparison.Ordinal)) p.zero_();
            else if (norm) p.fill_(1.0);
            else p.copy_(randn(p.shape, generator: g) * 0.02);
        }
    }

    /// <summary>Training mode with dropout masks seeded by <paramref name="seed"/>, or evaluation mode (null).</summary>
    public void SetDropout(ulong? seed)
    {
        _dropout.Training = seed is not null;
        if (seed is { } s) _dropout.Seed(s);
    }

    /// <summary>
    /// Slot embeddings [B, T, slate, E] and slot item logits [B, T, slate, items] for states [B, T, S], slates [B, T, slate]
    /// (long), weighted returns-to-go [B, T, 2] and the window's first timestep [B] (long).
    /// </summary>
    public (Tensor SlotEmbeddings, Tensor Logits) Forward(Tensor states, Tensor actions, Tensor returnsToGo, Tensor start)
    {
        using var scope = NewDisposeScope();
        long b = states.shape[0], t = states.shape[1];
        int e = Shape.Embedding;
        var r = rtg.forward(returnsToGo);
        var s = tanh(stateEncoder.forward(states));
        var a = tanh(actionEncoder.forward(items.forward(actions).mean([2])));
        var x = stack([r, s, a], 2).reshape(b, 3 * t, e);
        x = x + pos.narrow(1, 0, 3 * t) + globalPos.index_select(0, start).unsqueeze(1);
        x = _dropout.Apply(x);
        foreach (var block in blocks) x = block.forward(x);
        x = lnF.forward(x).view(b, t, 3, e).select(2, 1);
        var slots = slotHead.forward(x).view(b, t, Shape.Slate, e);
        var logits = itemHead.forward(slots);
        return (slots.MoveToOuterDisposeScope(), logits.MoveToOuterDisposeScope());
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _dropout.Dispose();
        base.Dispose(disposing);
    }
}
