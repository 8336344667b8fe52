using Rewire.Classic.Control;
using Rewire.Classic.QualityDiversity;

namespace Rewire.Classic.Tests.QualityDiversity;

public class QdSearchTests
{
    private static readonly QdOptions Small = new() { PopulationSize = 10, ChunkSize = 100, NoveltyK = 5, ArchiveAddPerGeneration = 2 };

    private static EpisodeEvaluator Evaluator(string env, int seed) => new(() => ControlEnvironments.Make(env), BehaviorSpace.For(env)!, seed);

    private static QdSearch Create(string algo, string env, long budget, int seed, QdOptions? options = null)
    {
        var o = options ?? Small;
        var ev = Evaluator(env, seed);
        return algo switch
        {
            "map-elites" => new MapElites(ev, o, budget, seed),
            "novelty" => new NoveltySearch(ev, o, budget, seed),
            "serene" => new Serene(ev, o, budget, seed),
            _ => new GreedySearch(ev, o, budget, seed),
        };
    }

    private static void RunToEnd(QdSearch s)
    {
        while (!s.Done) s.Step();
    }

    [Theory]
    [InlineData("map-elites")]
    [InlineData("novelty")]
    [InlineData("serene")]
    [InlineData("greedy")]
    public void Same_seed_same_search_and_different_seed_different_search(string algo)
    {
        var a = Create(algo, "deceptive-maze", 300, 4);
        var b = Create(algo, "deceptive-maze", 300, 4);
        var c = Create(algo, "deceptive-maze", 300, 5);
        RunToEnd(a);
        RunToEnd(b);
        RunToEnd(c);
        Assert.Equal(a.SaveState().ToJsonString(), b.SaveState().ToJsonString());
        Assert.NotEqual(a.SaveState()["rng"]!.ToString(), c.SaveState()["rng"]!.ToString());
    }

    [Theory]
    [InlineData("map-elites", "deceptive-maze")]
    [InlineData("novelty", "keydoor")]
    [InlineData("serene", "deceptive-maze-sparse")]
    [InlineData("serene", "deceptive-maze")]
    [InlineData("greedy", "deceptive-maze")]
    public void Resumed_search_equals_the_uninterrupted_one(string algo, string env)
    {
        var whole = Create(algo, env, 700, 2);
        RunToEnd(whole);

        var first = Create(algo, env, 700, 2);
        for (int i = 0; i < 3 && !first.Done; i++) first.Step();
        var saved = System.Text.Json.Nodes.JsonNode.Parse(first.SaveState().ToJsonString())!.AsObject();
        var resumed = Create(algo, env, 700, 2);
        resumed.RestoreState(saved);
        RunToEnd(resumed);

        Assert.Equal(whole.SaveState().ToJsonString(), resumed.SaveState().ToJsonString());
    }

    [Theory]
    [InlineData("map-elites")]
    [InlineData("novelty")]
    [InlineData("serene")]
    [InlineData("greedy")]
    public void A_search_never_evaluates_past_its_budget(string algo)
    {
        // A budget that no generation size divides.
        var s = Create(algo, "deceptive-maze", 457, 1);
        RunToEnd(s);
        Assert.Equal(457, s.Evaluations);
        Assert.Throws<InvalidOperationException>(() => s.Step());
    }

    [Fact]
    public void Serene_spawns_emitters_from_rewarding_agents_and_archives_them()
    {
        // On the dense maze almost every agent has a positive return, so candidates appear in the first chunk.
        var s = new Serene(Evaluator("deceptive-maze", 0), Small, 400, 0);
        s.Step();
        Assert.NotEmpty(s.RewardArchive);
        Assert.True(s.RewardArchive.All(e => e.Return > 0));
        Assert.True(s.Candidates.Count + s.Emitters.Count > 0 || s.Evaluations > Small.ChunkSize);
    }

    [Fact]
    public void Initial_sigma_is_a_third_of_the_nearest_genome_distance()
    {
        var s = new Serene(Evaluator("deceptive-maze", 0), Small, 10, 0);
        Evaluation A(long id, params double[] g) => new(g, 1, [0, 0], [0f, 0f], false, 1) { Id = id };
        var agents = new List<Evaluation> { A(1, 0, 0), A(2, 3, 4), A(3, 0, 1.5) };
        Assert.Equal(1.5 / 3, s.InitialSigma(agents[0], agents), 12);
        var same = new List<Evaluation> { A(1, 0, 0), A(2, 0, 0) };
        Assert.Equal(Small.MutationSigma, s.InitialSigma(same[0], same));
    }

    [Fact]
    public void An_environment_that_throws_is_counted_and_the_search_goes_on()
    {
        int calls = 0;
        IEnvironment Factory() => new ThrowingEnvironment(() => ++calls % 3 == 0);
        var space = new BehaviorSpace("obs", [0], [1], 4, o => [Math.Clamp(o[0], 0, 1)]);
        var s = new NoveltySearch(new EpisodeEvaluator(Factory, space, 0), Small, 60, 0);
        RunToEnd(s);
        Assert.Equal(60, s.Evaluations);
        Assert.True(s.Evaluator.Failures > 0);
        Assert.All(s.Population, e => Assert.False(e.Failed));
    }

    /// <summary>
    /// The behavioural claim of the papers on a deceptive task: on a fixed budget, MAP-Elites and novelty search reach the
    /// maze's goal in more seeds than the return-only (μ + λ) search, whose progress reward leads it under the wall.
    /// </summary>
    [Fact]
    public void Map_elites_and_novelty_search_reach_the_maze_goal_more_often_than_greedy_search()
    {
        const int seeds = 5, budget = 10_000;
        int Reached(string algo)
        {
            int n = 0;
            for (int seed = 0; seed < seeds; seed++)
            {
                var s = Create(algo, "deceptive-maze", budget, seed, new QdOptions());
                RunToEnd(s);
                if (s.ReachedGoal) n++;
            }
            return n;
        }
        int greedy = Reached("greedy"), mapElites = Reached("map-elites"), novelty = Reached("novelty");
        Assert.True(mapElites > greedy, $"MAP-Elites reached the goal in {mapElites} of {seeds} seeds, greedy in {greedy}");
        Assert.True(novelty > greedy, $"novelty search reached the goal in {novelty} of {seeds} seeds, greedy in {greedy}");
    }
}

/// <summary>A one-step environment whose step throws whenever <c>fail</c> says so.</summary>
internal sealed class ThrowingEnvironment(Func<bool> fail) : IEnvironment<float[]>
{
    private static readonly BoxSpace Box = BoxSpace.Uniform(0f, 1f, 1);
    public string Name => "throwing";
    public BoxSpace ObservationSpace => Box;
    public Space<float[]> ActionSpace => Box;
    Space IEnvironment.ActionSpace => Box;
    public ResetResult Reset(int? seed = null) => new([0f], EnvInfo.Empty);
    public StepResult Step(float[] action) => fail() ? throw new InvalidOperationException("broken step") : new([action[0]], action[0], true, false, EnvInfo.Empty);
}
