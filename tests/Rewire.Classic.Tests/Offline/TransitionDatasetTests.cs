using Rewire.Classic.Offline;

namespace Rewire.Classic.Tests.Offline;

public sealed class TransitionDatasetTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rewire-dataset").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly DatasetHeader Header = new("cartpole", 2, "discrete", 2, "test");

    private static List<Transition> TwoEpisodes() =>
    [
        new(0, 0, [0f, 1f], [1f], 1.0, [0.5f, 1f], false, false),
        new(0, 1, [0.5f, 1f], [0f], 1.0, [0.25f, 1f], true, false),
        new(1, 0, [0f, 0f], [1f], 0.5, [0.1f, 0.2f], false, true),
    ];

    [Fact]
    public void A_written_dataset_reads_back_exactly()
    {
        string path = Path.Combine(_dir, "d.jsonl");
        TransitionDataset.Write(path, Header, TwoEpisodes());
        var (header, transitions) = TransitionDataset.Read(path);
        Assert.Equal(Header, header);
        Assert.Equal(3, transitions.Count);
        Assert.Equal(TwoEpisodes()[1].NextObservation, transitions[1].NextObservation);
        Assert.True(transitions[2].Truncated);
    }

    private string WriteLines(params string[] transitionLines)
    {
        string path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".jsonl");
        File.WriteAllLines(path, ["{\"format\":\"rewire-transitions\",\"version\":1,\"env\":\"cartpole\",\"observation_size\":2,\"action_kind\":\"discrete\",\"action_size\":2,\"source\":\"t\"}", .. transitionLines]);
        return path;
    }

    private const string Ok0 = "{\"episode\":0,\"step\":0,\"obs\":[0,1],\"action\":[1],\"reward\":1,\"next_obs\":[0,1],\"terminated\":false,\"truncated\":false}";
    private const string End1 = "{\"episode\":0,\"step\":1,\"obs\":[0,1],\"action\":[1],\"reward\":1,\"next_obs\":[0,1],\"terminated\":true,\"truncated\":false}";

    [Theory]
    [InlineData("{\"episode\":0,\"step\":1,\"obs\":[0,1,2],\"action\":[1],\"reward\":1,\"next_obs\":[0,1],\"terminated\":true,\"truncated\":false}", "line 3 (episode 0, step 1): 'obs' has 3 values; the header says 2")]
    [InlineData("{\"episode\":0,\"step\":1,\"obs\":[0,1],\"action\":[1],\"reward\":\"NaN\",\"next_obs\":[0,1],\"terminated\":true,\"truncated\":false}", "line 3 (episode 0, step 1): 'reward' is missing or not a finite number")]
    [InlineData("{\"episode\":0,\"step\":1,\"obs\":[0,1],\"action\":[2],\"reward\":1,\"next_obs\":[0,1],\"terminated\":true,\"truncated\":false}", "'action' 2 is not one of the 2 discrete actions")]
    [InlineData("{\"episode\":1,\"step\":0,\"obs\":[0,1],\"action\":[1],\"reward\":1,\"next_obs\":[0,1],\"terminated\":true,\"truncated\":false}", "episode 0 has no end")]
    [InlineData("{\"episode\":0,\"step\":2,\"obs\":[0,1],\"action\":[1],\"reward\":1,\"next_obs\":[0,1],\"terminated\":true,\"truncated\":false}", "expected step 1 of episode 0")]
    [InlineData("{\"episode\":0,\"step\":1,\"obs\":[0,1],\"action\":[1],\"reward\":1,\"next_obs\":[0,1],\"truncated\":false}", "line 3: 'terminated' is missing")]
    [InlineData("{\"episode\":0,\"step\":1,\"obs\":[0,1],\"action\":[1],\"reward\":1,\"next_obs\":[0],\"terminated\":true,\"truncated\":false}", "line 3 (episode 0, step 1): 'next_obs' has 1 values; the header says 2")]
    [InlineData("{\"episode\":0,\"step\":1,\"obs\":[0,null],\"action\":[1],\"reward\":1,\"next_obs\":[0,1],\"terminated\":true,\"truncated\":false}", "line 3 (episode 0, step 1): 'obs'[1] is not a finite number")]
    [InlineData("{\"episode\":0,\"step\":1,\"obs\":[0,1],\"action\":[1],\"next_obs\":[0,1],\"terminated\":true,\"truncated\":false}", "line 3 (episode 0, step 1): 'reward' is missing or not a finite number")]
    [InlineData("{\"episode\":0,\"step\":1,\"obs\":[0,1],\"action\":[1, 0],\"reward\":1,\"next_obs\":[0,1],\"terminated\":true,\"truncated\":false}", "line 3 (episode 0, step 1): 'action' has 2 values; the header says 1")]
    public void Malformed_records_are_refused_naming_the_record(string second, string message)
    {
        var e = Assert.Throws<DatasetFormatException>(() => TransitionDataset.Read(WriteLines(Ok0, second)));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dataset_whose_last_episode_never_ends_is_refused()
    {
        var e = Assert.Throws<DatasetFormatException>(() => TransitionDataset.Read(WriteLines(Ok0)));
        Assert.Contains("the last episode (0) has no end", e.Message, StringComparison.Ordinal);
        Assert.Single(TransitionDataset.Read(WriteLines(Ok0, End1)).Transitions, t => t.EpisodeEnd);
    }
}
