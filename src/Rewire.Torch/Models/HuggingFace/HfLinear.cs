using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rewire.Torch.Models.HuggingFace;

/// <summary>
/// A linear layer y = x·Wᵀ + b of a Hugging Face model (parameters <c>weight</c> [out, in] and <c>bias</c>, the checkpoint's
/// names) that can carry a LoRA adapter (Hu et al. 2021, "LoRA"): y = x·Wᵀ + b + (α/r)·B(A(dropout(x))), with
/// <c>lora_A.weight</c> [r, in] and <c>lora_B.weight</c> [out, r], the names PEFT uses. A is initialised as PEFT does
/// (kaiming-uniform with a = √5, i.e. U(−1/√in, 1/√in)) and B to zeros, so a fresh adapter changes nothing.
/// </summary>
public sealed class HfLinear : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter? bias;
    private LoraFactor? lora_A;
    private LoraFactor? lora_B;
    private double _scaling;
    private double _dropout;

    /// <summary>A layer with zero-initialised parameters (the checkpoint loader fills them).</summary>
    /// <param name="inFeatures">Input width.</param>
    /// <param name="outFeatures">Output width.</param>
    /// <param name="hasBias">Whether the layer has a bias b.</param>
    public HfLinear(long inFeatures, long outFeatures, bool hasBias) : base("HfLinear")
    {
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        weight = new Parameter(zeros(outFeatures, inFeatures));
        if (hasBias) bias = new Parameter(zeros(outFeatures));
        RegisterComponents();
    }

    /// <summary>Input width.</summary>
    public long InFeatures { get; }
    /// <summary>Output width.</summary>
    public long OutFeatures { get; }

    /// <summary>The base weight W [out, in].</summary>
    public Parameter Weight => weight;

    /// <summary>True when an adapter is attached.</summary>
    public bool HasAdapter => lora_A is not null;

    /// <summary>Whether the adapter takes part in <see cref="forward"/> (true unless switched off; see <see cref="HfCausalLm.AdaptersDisabled"/>).</summary>
    public bool AdapterEnabled { get; set; } = true;

    /// <summary>A [r, in]; null without an adapter.</summary>
    public Parameter? LoraA => lora_A?.Weight;

    /// <summary>B [out, r]; null without an adapter.</summary>
    public Parameter? LoraB => lora_B?.Weight;

    /// <summary>Attaches an adapter of rank <paramref name="rank"/>: A ~ U(−1/√in, 1/√in) drawn from <paramref name="generator"/>, B = 0.</summary>
    internal void AttachAdapter(int rank, double alpha, double dropout, Generator generator)
    {
        if (lora_A is not null) throw new InvalidOperationException("this layer already has a LoRA adapter");
        double bound = 1.0 / Math.Sqrt(InFeatures);
        using var noGrad = no_grad();
        using (var u = rand(new long[] { rank, InFeatures }, generator: generator))
            lora_A = new LoraFactor(u.mul(2 * bound).sub_(bound).to(weight.device));
        lora_B = new LoraFactor(zeros(new long[] { OutFeatures, rank }, device: weight.device));
        register_module("lora_A", lora_A);
        register_module("lora_B", lora_B);
        _scaling = alpha / rank;
        _dropout = dropout;
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        var y = nn.functional.linear(x, weight, bias);
        if (lora_A is null || !AdapterEnabled) return y;
        var input = _dropout > 0 && training ? nn.functional.dropout(x, _dropout, true) : x;
        return y + lora_B!.forward(lora_A.forward(input)).mul(_scaling);
    }

    /// <summary>W + (α/r)·B·A, detached (W itself, copied, without an adapter): the weight a merged export stores.</summary>
    public Tensor MergedWeight()
    {
        using var noGrad = no_grad();
        if (lora_A is null) return weight.detach().clone();
        using var scope = NewDisposeScope();
        return weight.detach().add(lora_B!.Weight.matmul(lora_A.Weight), alpha: _scaling).MoveToOuterDisposeScope();
    }

    /// <summary>One factor of an adapter: a bias-free linear map whose only parameter is <c>weight</c>.</summary>
    private sealed class LoraFactor : nn.Module<Tensor, Tensor>
    {
        private readonly Parameter weight;

        public LoraFactor(Tensor initial) : base("LoraFactor")
        {
            weight = new Parameter(initial);
            RegisterComponents();
        }

        public Parameter Weight => weight;

        public override Tensor forward(Tensor x) => nn.functional.linear(x, weight);
    }
}
