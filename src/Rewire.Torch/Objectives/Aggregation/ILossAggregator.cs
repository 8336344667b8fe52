// Loss aggregation: how a per-token loss matrix [B, L] becomes one scalar (rlvr.md T00 "Loss aggregation modes";
// verl core_algos.agg_loss). Length bias is a choice made here, never an accident.
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Aggregation;

/// <summary>
/// Global-batch facts for aggregation across micro-batches and data-parallel ranks (verl's <c>global_batch_info</c>),
/// plus the masked-NaN policy.
/// </summary>
public sealed record AggregationContext
{
    /// <summary>The context with every field at its default.</summary>
    public static readonly AggregationContext Default = new();

    /// <summary>Data-parallel world size the loss is multiplied by (token-mean and seq-mean modes).<value>The default value is 1.</value></summary>
    public int DpSize { get; init; } = 1;

    /// <summary>Valid tokens in the whole optimiser step; token-mean divides by it instead of the micro-batch count.<value>The default value is null (use Σ mask).</value></summary>
    public double? BatchNumTokens { get; init; }

    /// <summary>Responses in the whole optimiser step for the seq-mean modes.<value>The default value is null (count non-empty rows).</value></summary>
    public double? GlobalBatchSize { get; init; }

    /// <summary>Dr. GRPO's constant normaliser for seq-mean-token-sum-norm.<value>The default value is null (use the padded width L, as verl does; set a constant for Dr. GRPO).</value></summary>
    public double? LossScaleFactor { get; init; }

    /// <summary>
    /// When true, the seq-* modes compute <c>loss·mask</c> as verl does, so a NaN/inf at a masked position makes the
    /// loss NaN. When false (Rewire's default) masked positions are zeroed first and can never leak.
    /// <value>The default value is false.</value>
    /// </summary>
    public bool PropagateMaskedNaN { get; init; }

    /// <summary>Throws when a field is out of range.</summary>
    public void Validate()
    {
        if (DpSize < 1) throw new ArgumentOutOfRangeException(nameof(DpSize), DpSize, "DpSize must be at least 1.");
        if (BatchNumTokens is <= 0) throw new ArgumentOutOfRangeException(nameof(BatchNumTokens), BatchNumTokens, "BatchNumTokens must be positive (or null to count the mask).");
        if (GlobalBatchSize is <= 0) throw new ArgumentOutOfRangeException(nameof(GlobalBatchSize), GlobalBatchSize, "GlobalBatchSize must be positive (or null to count non-empty rows).");
        if (LossScaleFactor is <= 0) throw new ArgumentOutOfRangeException(nameof(LossScaleFactor), LossScaleFactor, "LossScaleFactor must be positive (or null to use the padded length).");
    }
}

/// <summary>Turns a per-token loss matrix and its mask into a scalar loss.</summary>
public interface ILossAggregator
{
    /// <summary>The registry name (verl's <c>loss_agg_mode</c>).</summary>
    string Name { get; }

    /// <summary>
    /// Aggregates <paramref name="lossMat"/> [B, L] under <paramref name="mask"/> [B, L] (0/1). Masked tokens contribute
    /// nothing to value or gradient; an all-masked batch gives 0.
    /// </summary>
    Tensor Aggregate(Tensor lossMat, Tensor mask, AggregationContext? context = null);
}

/// <summary>Shape checks shared by the aggregators.</summary>
internal static class AggregationChecks
{
    public static AggregationContext Check(string mode, Tensor lossMat, Tensor mask, AggregationContext? context)
    {
        var ctx = context ?? AggregationContext.Default;
        ctx.Validate();
        if (lossMat.dim() != 2)
            throw new ArgumentException($"{mode}: the loss matrix must be [batch, length], got shape [{string.Join(", ", lossMat.shape)}]; reshape per-token losses to 2-D.", nameof(lossMat));
        if (!lossMat.shape.SequenceEqual(mask.shape))
            throw new ArgumentException($"{mode}: the mask shape [{string.Join(", ", mask.shape)}] differs from the loss shape [{string.Join(", ", lossMat.shape)}]; pass the response mask of the same batch.", nameof(mask));
        return ctx;
    }

    /// <summary>loss·mask, with masked positions zeroed first unless the context asks for verl's NaN propagation.</summary>
    public static Tensor MaskedProduct(Tensor lossMat, Tensor mask, AggregationContext ctx) =>
        ctx.PropagateMaskedNaN ? lossMat * mask : Masked.ZeroOutside(lossMat, mask) * mask;
}
