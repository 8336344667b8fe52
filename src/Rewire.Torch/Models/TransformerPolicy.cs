using Rewire.Torch.Generation;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rewire.Torch.Models;

/// <summary>
/// The decoder-only transformer (<see cref="TransformerModel"/>) as an <see cref="IPolicy"/>: generation with a KV cache
/// (<see cref="TokenGenerator"/>), scoring (<see cref="Scorer"/>), a frozen clone, and checkpointing through
/// <see cref="Checkpoints.PolicyCheckpoint"/>.
/// </summary>
public sealed class TransformerPolicy : IPolicy
{
    /// <summary>Builds a freshly initialised transformer of shape <paramref name="config"/>.</summary>
    public TransformerPolicy(TransformerConfig config) => Model = new TransformerModel(config);

    /// <summary>The underlying network.</summary>
    public TransformerModel Model { get; }
    /// <summary>The network's shape and options.</summary>
    public TransformerConfig Config => Model.Config;
    /// <inheritdoc />
    public int VocabSize => Config.VocabSize;
    /// <inheritdoc />
    public int ContextLength => Config.ContextLength;

    /// <summary>True for a frozen copy made by <see cref="CloneFrozen"/>.</summary>
    public bool Frozen { get; private set; }

    /// <inheritdoc />
    public IReadOnlyList<GeneratedSequence> Generate(IReadOnlyList<IReadOnlyList<int>> prompts, GenerationOptions options, Generator generator) =>
        CausalLmPolicyCalls.Generate(Model, prompts, options, generator);

    /// <inheritdoc />
    public ScoredTokens Score(IReadOnlyList<IReadOnlyList<int>> prompts, IReadOnlyList<IReadOnlyList<int>> responses, ScoreOptions options) =>
        CausalLmPolicyCalls.Score(Model, Frozen, prompts, responses, options);

    /// <inheritdoc />
    public Tensor NextTokenLogits(IReadOnlyList<IReadOnlyList<int>> sequences, int padId)
    {
        TokenGenerator.ValidatePrompts(sequences, VocabSize);
        Model.CheckLength(sequences.Max(s => s.Count));
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using var batch = new PaddedBatch(sequences, 0, padId);
        return Model.LastLogits(batch.Tokens, batch.CausalPositions, batch.CausalBias, null).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public Tensor Forward(Tensor tokens) => Model.Forward(tokens);

    /// <inheritdoc />
    public IEnumerable<Parameter> Parameters() => Model.parameters();

    /// <inheritdoc />
    public IPolicy CloneFrozen()
    {
        var copy = new TransformerPolicy(Config);
        CopyWeights(Model, copy.Model);
        foreach (var p in copy.Model.parameters()) p.requires_grad = false;
        copy.Model.eval();
        copy.Frozen = true;
        return copy;
    }

    /// <summary>Copies every parameter of <paramref name="from"/> into the same-named parameter of <paramref name="to"/>.</summary>
    internal static void CopyWeights(nn.Module from, nn.Module to)
    {
        using var noGrad = no_grad();
        var target = to.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in from.named_parameters()) target[name].copy_(p);
    }

    /// <summary>Disposes the network.</summary>
    public void Dispose() => Model.Dispose();
}
