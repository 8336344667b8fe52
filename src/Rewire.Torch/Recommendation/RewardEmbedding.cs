using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rewire.Torch.Recommendation;

/// <summary>
/// DT4IER's high-dimensional return-to-go encoder ("Sequential Recommendation for Optimizing Both Immediate Feedback and
/// Long-term Retention", Liu et al., SIGIR 2024): the 2-D weighted return-to-go scores B learned buckets,
/// s = LeakyReLU(W·x) + R·LeakyReLU(W·x) (a residual linear map, no biases), and its embedding is the convex combination
/// softmax(s)·M of the bucket meta-embeddings M = Linear(anchors). The anchors are the authors' grid 0, 7, 14, … reshaped
/// to B × 2, divided by its span 14·B so that the bucket embeddings start at the scale of the other tokens (the authors
/// feed the raw grid 0..1393). The authors' unused "temp" branch is left out.
/// </summary>
internal sealed class RewardEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly Linear bucket, score, res;
    private readonly int _buckets;

    public RewardEmbedding(int embedding, int buckets) : base(nameof(RewardEmbedding))
    {
        _buckets = buckets;
        bucket = nn.Linear(2, embedding);
        score = nn.Linear(2, buckets, hasBias: false);
        res = nn.Linear(buckets, buckets, hasBias: false);
        RegisterComponents();
    }

    /// <summary>The bucket weights softmax(s) of each return-to-go pair (rows sum to 1); <paramref name="x"/> is [..., 2].</summary>
    public Tensor BucketWeights(Tensor x)
    {
        var s = nn.functional.leaky_relu(score.forward(x), 0.01);
        s = s + res.forward(s);
        return nn.functional.softmax(s, -1);
    }

    /// <summary>The bucket meta-embeddings M [B, embedding].</summary>
    public Tensor MetaEmbeddings()
    {
        using var anchors = arange(0, 2 * _buckets, dtype: ScalarType.Float32).mul(7.0 / (14.0 * _buckets)).reshape(_buckets, 2);
        return bucket.forward(anchors);
    }

    /// <summary>[..., 2] → [..., embedding].</summary>
    public override Tensor forward(Tensor x)
    {
        using var w = BucketWeights(x);
        using var m = MetaEmbeddings();
        return matmul(w, m);
    }
}
