using Rewire.Core.Techniques;
using Rewire.Torch.Recommendation;
using Rewire.Torch.Tests.Generation;
using static TorchSharp.torch;

namespace Rewire.Torch.Tests.Recommendation;

/// <summary>DT4IER's pieces on hand-computed cases: the contrastive loss, the weight generator and its loss, the reward embedding, the slate decoding, the descriptor, and a deterministic tiny training.</summary>
[Collection("torch")]
public sealed class Dt4ierTests : SingleThreadedTorchTest
{
    [Fact]
    public void InfoNce_is_log_8_when_all_similarities_are_equal()
    {
        using var scope = NewDisposeScope();
        var loss = ContrastiveLoss.InfoNce(full(4, 0.3f), full(4, 7, 0.3f), 0.07);
        Assert.Equal(Math.Log(8), loss.item<float>(), 5);
    }

    [Fact]
    public void InfoNce_on_a_hand_computed_case()
    {
        using var scope = NewDisposeScope();
        // s⁺ = 1, s⁻ = (0, …, 0), τ = 1: −log(e / (e + 7)).
        var one = ContrastiveLoss.InfoNce(tensor(new[] { 1f }), zeros(1, 7), 1.0);
        Assert.Equal(-Math.Log(Math.E / (Math.E + 7)), one.item<float>(), 5);
        // τ = 0.5, s⁺ = 0.5, s⁻ = (1, 0, 0, 0, 0, 0, 0): −log(e¹ / (e¹ + e² + 6)).
        var two = ContrastiveLoss.InfoNce(tensor(new[] { 0.5f }), tensor(new[] { 1f, 0, 0, 0, 0, 0, 0 }, [1, 7]), 0.5);
        Assert.Equal(-Math.Log(Math.E / (Math.E + Math.Exp(2) + 6)), two.item<float>(), 5);
    }

    [Fact]
    public void Slate_similarity_is_the_mean_cosine_over_slots()
    {
        using var scope = NewDisposeScope();
        // Slot 1: cos((1, 0), (2, 0)) = 1; slot 2: cos((0, 1), (1, 0)) = 0; slot 3: cos((1, 1), (1, 0)) = 1/√2.
        var pred = tensor(new[] { 1f, 0, 0, 1, 1, 1 }, [1, 3, 2]);
        var target = tensor(new[] { 2f, 0, 1, 0, 1, 0 }, [1, 3, 2]);
        Assert.Equal((1 + 0 + 1 / Math.Sqrt(2)) / 3, ContrastiveLoss.SlateSimilarity(pred, target).item<float>(), 5);
    }

    [Fact]
    public void Balanced_loss_on_a_hand_computed_case()
    {
        using var scope = NewDisposeScope();
        // w = (0.25, 0.75), R = (4, 2): −(1 + 1.5) + 0.5·|1 − 1.5| = −2.25; second row w = (0.5, 0.5), R = (2, 2): −2.
        var loss = WeightGenerator.BalancedLoss(tensor(new[] { 0.25f, 0.75f, 0.5f, 0.5f }, [2, 2]), tensor(new[] { 4f, 2, 2, 2 }, [2, 2]), 0.5);
        Assert.Equal((-2.25 - 2) / 2, loss.item<float>(), 5);
    }

    [Fact]
    public void Generated_weights_are_positive_sum_to_one_and_lambda_0_moves_all_weight_to_the_larger_stream()
    {
        using var scope = NewDisposeScope();
        using var g = new WeightGenerator(4, 3);
        var x = randn(64, 4, generator: new Generator(9));
        var w = g.forward(x);
        Assert.True(w.gt(0).all().item<bool>());
        Assert.True((w.sum(1) - 1).abs().max().item<float>() < 1e-5);
        var returns = tensor(Enumerable.Repeat(new[] { 1f, 10f }, 64).SelectMany(r => r).ToArray(), [64, 2]);
        using var opt = new Rewire.Torch.Training.AdamW(g.parameters());
        for (int i = 0; i < 300; i++)
        {
            using var step = NewDisposeScope();
            opt.ZeroGrad();
            WeightGenerator.BalancedLoss(g.forward(x), returns, 0).backward();
            opt.Step(1e-2);
        }
        Assert.True(g.forward(x).select(1, 1).min().item<float>() > 0.95, "with lambda 0 the larger (retention) stream takes the weight");
    }

    [Fact]
    public void Reward_embedding_rows_are_convex_combinations_of_the_bucket_embeddings()
    {
        using var scope = NewDisposeScope();
        using var emb = new RewardEmbedding(8, 100);
        var x = tensor(new[] { 0f, 0, 3.5f, 1.25f, 20, 7 }, [3, 2]);
        var w = emb.BucketWeights(x);
        Assert.Equal([3L, 100L], w.shape);
        Assert.True(w.ge(0).all().item<bool>());
        Assert.True((w.sum(1) - 1).abs().max().item<float>() < 1e-5);
        var expected = matmul(w, emb.MetaEmbeddings());
        Assert.True((emb.forward(x) - expected).abs().max().item<float>() < 1e-5);
        // The anchors are the authors' grid 0, 7, …, 1393 as 100 × 2, scaled by 1/1400: the bucket layer sees them.
        Assert.Equal([100L, 8L], emb.MetaEmbeddings().shape);
    }

    [Fact]
    public void Greedy_slates_take_the_best_unused_item_per_slot()
    {
        // 3 slots over 4 items; slot 2's best (item 1) is taken, so it falls to item 3.
        float[] logits = [0, 5, 1, 2, /**/ 0, 9, 1, 3, /**/ 7, 6, 0, 0];
        Assert.Equal([1, 3, 0], Dt4ierTrainer.GreedySlate(logits, 3, 4));
    }

    [Fact]
    public void The_descriptor_defaults_are_the_options_defaults()
    {
        var d = Assert.Single(RecommenderAlgorithms.Descriptors);
        Assert.Equal(TechniqueKinds.Recommender, d.Kind);
        Assert.Equal("recommend", d.Example[0]);
        var fromDefaults = RecommenderAlgorithms.Options(d.Parameters.ToDictionary(p => p.Name, p => p.Default));
        var defaults = new Dt4ierOptions();
        Assert.Equal(defaults.Requests, fromDefaults.Requests);
        Assert.Equal(defaults with { Requests = fromDefaults.Requests }, fromDefaults);
        Assert.Null(Dt4ierOptions.ParseRequests("0.5,2", out string problem));
        Assert.Contains("'2' is not a clicks share", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Training_is_deterministic_and_a_reloaded_trainer_continues_exactly()
    {
        var o = new Dt4ierOptions { Users = 40, EvalUsers = 10, Horizon = 5, Epochs = 2, WeightEpochs = 2, Embedding = 16, Heads = 2, Layers = 1, Batch = 32, LearningRate = 3e-3, Requests = [1, 0] };
        string dir = Directory.CreateTempSubdirectory("dt4ier").FullName;
        try
        {
            using var a = new Dt4ierTrainer(o, 4);
            a.TrainWeights();
            var a1 = a.RunEpoch();
            a.Save(dir);
            var a2 = a.RunEpoch();
            var ra = a.Evaluate().ToList();

            using var b = new Dt4ierTrainer(o, 4);
            b.Load(dir);
            Assert.Equal(1, b.Epoch);
            Assert.Equal(a1.Steps, b.Steps);
            var b2 = b.RunEpoch();
            Assert.Equal(a2, b2);
            Assert.Equal(ra, b.Evaluate().ToList());
            Assert.Equal(2, ra.Count);
            Assert.True(a2.SequenceLoss < a1.SequenceLoss, $"the slot cross-entropy falls: {a1.SequenceLoss} then {a2.SequenceLoss}");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
