using System.Text.Json.Nodes;
using Rewire.Classic.Control;
using Rewire.Classic.QualityDiversity;
using Rewire.Torch.QualityDiversity;
using Rewire.Torch.Tests.Generation;

namespace Rewire.Torch.Tests.QualityDiversity;

[Collection("torch")]
public sealed class TaxonsTests : SingleThreadedTorchTest
{
    private static readonly QdOptions Small = new() { PopulationSize = 10, NoveltyK = 5, ArchiveAddPerGeneration = 2, AutoencoderEvery = 2, AutoencoderEpochs = 3, LatentSize = 4 };

    private static long Live() => TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

    private static Taxons Create(string env, long budget, int seed) =>
        new(new EpisodeEvaluator(() => ControlEnvironments.Make(env), BehaviorSpace.For(env)!, seed), Small, budget, seed);

    private static void RunToEnd(QdSearch s)
    {
        while (!s.Done) s.Step();
    }

    [Fact]
    public void Autoencoder_training_lowers_the_reconstruction_error_and_leaves_no_tensor_alive()
    {
        var frames = new[] { 0.1f, 0.5f, 0.9f, 0.3f, 0.7f }.SelectMany(x => new[] { 0.2f, 0.8f }.Select(y => BehaviorSpace.RenderMaze([x, y]))).ToList();
        using var ae = new FrameAutoencoder(frames[0].Length, 4, seed: 3);
        long before = Live();
        double start = ae.Encode(frames).Error.Average();
        var rng = new Rewire.Core.Sampling.Xoshiro256StarStar(1);
        ae.Train(frames, 200, o => rng.Shuffle(o.AsSpan()));
        double end = ae.Encode(frames).Error.Average();
        Assert.True(end < start / 2, $"reconstruction error {start} -> {end}");
        Assert.Equal(before, Live());
        var (latent, _) = ae.Encode(frames);
        Assert.All(latent, z => Assert.Equal(4, z.Length));
    }

    [Fact]
    public void Saved_weights_restore_to_the_same_codes()
    {
        var frames = new List<float[]> { BehaviorSpace.RenderMaze([0.2f, 0.3f]), BehaviorSpace.RenderMaze([0.7f, 0.9f]) };
        using var a = new FrameAutoencoder(frames[0].Length, 3, seed: 1);
        using var b = new FrameAutoencoder(frames[0].Length, 3, seed: 2);
        Assert.NotEqual(a.Encode(frames).Latent[0], b.Encode(frames).Latent[0]);
        b.Restore(JsonNode.Parse(a.Save().ToJsonString())!.AsArray());
        Assert.Equal(a.Encode(frames).Latent[0], b.Encode(frames).Latent[0]);
    }

    [Fact]
    public void Same_seed_same_search_and_resume_equals_uninterrupted()
    {
        using var whole = Create("deceptive-maze", 200, 4);
        using var again = Create("deceptive-maze", 200, 4);
        RunToEnd(whole);
        RunToEnd(again);
        Assert.Equal(whole.SaveState().ToJsonString(), again.SaveState().ToJsonString());

        using var first = Create("deceptive-maze", 200, 4);
        for (int i = 0; i < 3; i++) first.Step();
        using var resumed = Create("deceptive-maze", 200, 4);
        resumed.RestoreState(JsonNode.Parse(first.SaveState().ToJsonString())!.AsObject());
        RunToEnd(resumed);
        Assert.Equal(whole.SaveState().ToJsonString(), resumed.SaveState().ToJsonString());
        Assert.Equal(200, resumed.Evaluations);
    }

    [Fact]
    public void Taxons_selects_by_surprise_in_some_generations_and_novelty_in_others()
    {
        using var s = Create("keydoor", 2000, 1);
        var flags = new List<double>();
        while (!s.Done) flags.Add(s.Step().Metrics["selected_by_surprise"]);
        Assert.Contains(1.0, flags.Skip(1));
        Assert.Contains(0.0, flags.Skip(1));
        Assert.True(s.Coverage > 0);
    }
}
