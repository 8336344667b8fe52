using System.Text.Json.Nodes;
using Rewire.Classic.Control;
using Rewire.Classic.QualityDiversity;
using Rewire.Torch.QualityDiversity;
using Rewire.Torch.Tests.Generation;

namespace Rewire.Torch.Tests.QualityDiversity;

[Collection("torch")]
public sealed class StaxTests : SingleThreadedTorchTest
{
    // Chunks of 50 evaluations: the initial population of 10 plus 2 generations of 20 offspring fill the first one.
    private static readonly QdOptions Small = new() { PopulationSize = 10, NoveltyK = 5, ArchiveAddPerGeneration = 2, ChunkSize = 50, AutoencoderEpochs = 2, LatentSize = 4 };

    private static Stax Create(string env, long budget, int seed) =>
        new(new EpisodeEvaluator(() => ControlEnvironments.Make(env), BehaviorSpace.For(env)!, seed), Small, budget, seed);

    private static void RunToEnd(QdSearch s)
    {
        while (!s.Done) s.Step();
    }

    [Fact]
    public void The_autoencoder_is_trained_after_exploration_chunks_1_3_6_10_at_a_growing_interval()
    {
        // Each Step is one exploration chunk (and one exploitation chunk). The code's counter trains after chunk 1, then
        // after 2 more (3), 3 more (6) and 4 more (10).
        using var s = Create("deceptive-maze-sparse", 100_000, 2);
        int[] expected = [1, 1, 2, 2, 2, 3, 3, 3, 3, 4];
        var trainings = new List<int>();
        for (int i = 0; i < expected.Length; i++) trainings.Add((int)s.Step().Metrics["autoencoder_trainings"]);
        Assert.Equal(expected, trainings);
        Assert.Equal(5, s.TrainingInterval);
    }

    [Fact]
    public void The_first_training_runs_on_novelty_archive_population_offspring_and_reward_archive()
    {
        int withRewards = 0;
        for (int seed = 1; seed <= 6; seed++)
        {
            using var s = Create("deceptive-maze", 100_000, seed);
            s.Step();
            // Trained at the end of the first exploration chunk (evaluations 1-50), before exploitation: population 10,
            // the last 20 offspring, 2 archived per generation for 2 generations, and the rewarding agents exploration
            // had put into the reward archive by then (emitters' agents are numbered after 50).
            int fromExploration = s.RewardArchive.Count(e => e.Id <= 50);
            Assert.Equal(1, s.Learned.Trainings);
            Assert.Equal(10 + 20 + 4 + fromExploration, s.Learned.LastTrainingFrames);
            if (fromExploration > 0) withRewards++;
        }
        Assert.True(withRewards > 0, "no seed found a rewarding agent in its first chunk");
    }

    [Fact]
    public void Novelty_is_measured_on_the_latent_code_not_on_the_hand_designed_descriptor()
    {
        using var s = Create("deceptive-maze", 100_000, 4);
        s.Step();
        var e = s.Population[0];
        double[] latent = s.LatentOf(e);
        Assert.Equal(Small.LatentSize, latent.Length);
        Assert.NotEqual(e.Descriptor.Length, latent.Length);
        var (codes, _) = s.Autoencoder.Encode([BehaviorSpace.For("deceptive-maze")!.Frame(e.FinalObservation)]);
        Assert.Equal(codes[0], latent);
    }

    [Fact]
    public void Same_seed_same_search_resume_equals_uninterrupted_and_the_budget_is_never_exceeded()
    {
        using var whole = Create("deceptive-maze", 400, 5);
        using var again = Create("deceptive-maze", 400, 5);
        RunToEnd(whole);
        RunToEnd(again);
        Assert.Equal(whole.SaveState().ToJsonString(), again.SaveState().ToJsonString());
        Assert.Equal(400, whole.Evaluations);
        Assert.True(whole.RewardArchive.Count > 0, "the dense maze rewards almost every agent, so emitters must have run");

        using var first = Create("deceptive-maze", 400, 5);
        first.Step();
        first.Step();
        using var resumed = Create("deceptive-maze", 400, 5);
        resumed.RestoreState(JsonNode.Parse(first.SaveState().ToJsonString())!.AsObject());
        RunToEnd(resumed);
        Assert.Equal(whole.SaveState().ToJsonString(), resumed.SaveState().ToJsonString());
    }

    [Fact]
    public void Exploration_selects_by_surprise_in_some_generations_and_by_novelty_in_others()
    {
        using var s = Create("deceptive-maze-sparse", 1000, 6);
        double bySurprise = 0;
        while (!s.Done) bySurprise += s.Step().Metrics["generations_selected_by_surprise"];
        // 1000 evaluations of exploration only (the sparse maze pays nothing here): 49 generations after the first population.
        Assert.InRange(bySurprise, 1, 48);
    }
}
