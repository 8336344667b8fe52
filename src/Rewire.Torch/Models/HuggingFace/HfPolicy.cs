using Rewire.Torch.Generation;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rewire.Torch.Models.HuggingFace;

/// <summary>
/// A <see cref="HfCausalLm"/> as an <see cref="IPolicy"/>, through the same batched generation (<see cref="TokenGenerator"/>,
/// KV cache, left padding) and scoring (<see cref="Scorer"/>) as the small GPT: the bridge to the trainer. Vocabulary and
/// context are the model's usable ids and max_position_embeddings.
/// </summary>
public sealed class HfPolicy : IPolicy
{
    /// <summary>Wraps <paramref name="model"/>; the policy owns it and disposes it.</summary>
    public HfPolicy(HfCausalLm model) => Model = model;

    /// <summary>The wrapped network.</summary>
    public HfCausalLm Model { get; }
    /// <inheritdoc />
    public int VocabSize => Model.VocabSize;
    /// <inheritdoc />
    public int ContextLength => Model.ContextLength;

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
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using var batch = new PaddedBatch(sequences, 0, padId);
        return Model.LastLogits(batch.Tokens, batch.Positions, batch.Bias, null).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public Tensor Forward(Tensor tokens) => Model.Forward(tokens);

    /// <summary>The trainable parameters: the adapter weights under LoRA, otherwise every parameter.</summary>
    public IEnumerable<Parameter> Parameters() =>
        Model.Lora is null ? Model.parameters() : Model.AdapterParameters().Select(p => p.Parameter);

    /// <inheritdoc />
    public IPolicy CloneFrozen()
    {
        // Under LoRA the copy is the base model (adapters are not copied); HfCausalLm.AdaptersDisabled gives the same
        // reference without a second copy.
        var copy = new HfCausalLm(Model.Config, Model.VocabSize);
        using (no_grad())
        {
            var target = copy.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
            foreach (var (name, p) in Model.named_parameters())
                if (!HfCausalLm.IsAdapterParameter(name)) target[name].copy_(p);
        }
        foreach (var p in copy.parameters()) p.requires_grad = false;
        copy.eval();
        return new HfPolicy(copy) { Frozen = true };
    }

    /// <summary>Disposes the network.</summary>
    public void Dispose() => Model.Dispose();
}
