using Rewire.Core.Runs;

namespace Rewire.Core.Tests.Runs;

/// <summary>
/// Checkpoint commits: `latest` always names a complete checkpoint, whichever step a crash interrupts; `latest` is
/// confined to the run's checkpoint folder; a missing `latest` is refused when checkpoints exist.
/// </summary>
public sealed class CheckpointStoreTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rewire-store").FullName;
    private readonly CheckpointStore _store;

    public CheckpointStoreTests()
    {
        CheckpointStore.Initialize(Path.Combine(_root, "checkpoints"));
        _store = new CheckpointStore(Path.Combine(_root, "checkpoints"));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private sealed class Crash : Exception;

    /// <summary>Commits a checkpoint whose one file holds <paramref name="content"/>; crashes at <paramref name="crashAt"/>.</summary>
    private void Commit(string name, string content, string? crashAt = null) =>
        _store.Commit(name, dir => File.WriteAllText(Path.Combine(dir, "state.json"), content), phase => { if (phase == crashAt) throw new Crash(); });

    private string LatestContent() => File.ReadAllText(Path.Combine(_store.Latest()!, "state.json"));

    [Fact]
    public void CommitsMoveLatestToEachNewCheckpoint()
    {
        Assert.Null(_store.Latest());
        Commit("sft", "s");
        Commit("step-000001", "one");
        Assert.Equal(Path.Combine(_store.Directory, "step-000001"), _store.Latest());
        Assert.Equal("one", LatestContent());
        Assert.Equal(["sft", "step-000001"], _store.Names());
        Assert.Equal(["latest"], Directory.GetFiles(_store.Directory).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("built")]
    [InlineData("moved")]
    public void ACrashWritingANewCheckpointKeepsThePreviousOne(string crashAt)
    {
        Commit("step-000001", "one");
        Assert.Throws<Crash>(() => Commit("step-000002", "two", crashAt));
        Assert.Equal("one", LatestContent());
        Commit("step-000002", "two again");
        Assert.Equal("two again", LatestContent());
        Assert.Equal(["step-000001", "step-000002"], _store.Names());
        Assert.Empty(Directory.GetDirectories(_store.Directory, ".*"));
    }

    [Theory]
    [InlineData("built", "old")]     // before the switch: the old checkpoint is still the live one
    [InlineData("switched", "new")]  // after the switch: `latest` names the new one; the old one is not yet removed
    public void ReplacingTheLiveCheckpointNeverLeavesLatestPointingAtNothing(string crashAt, string expected)
    {
        Commit("step-000003", "old");
        Assert.Throws<Crash>(() => Commit("step-000003", "new", crashAt));
        Assert.Equal(expected, LatestContent());
        // The next commit finishes (or discards) what the crash left, and the end state has canonical names only.
        Commit("step-000004", "four");
        Assert.Equal(["step-000003", "step-000004"], _store.Names());
        Assert.Equal(expected, File.ReadAllText(Path.Combine(_store.Directory, "step-000003", "state.json")));
        Assert.Empty(Directory.GetDirectories(_store.Directory, ".*"));
    }

    [Fact]
    public void ACrashBetweenTheFinalMoveAndTheLastSwitchStillResolves()
    {
        // The state a crash leaves after `.next-X` was moved to X and before `latest` was switched back to X.
        Commit("step-000003", "new");
        File.WriteAllText(_store.LatestPath, ".next-step-000003");
        Assert.Equal("new", LatestContent());
        Commit("step-000003", "newer");
        Assert.Equal("newer", LatestContent());
        Assert.Equal("step-000003", File.ReadAllText(_store.LatestPath));
    }

    [Fact]
    public void ReplacingTheLiveCheckpointLeavesOnlyTheNewOne()
    {
        Commit("step-000002", "old");
        Commit("step-000002", "new");
        Assert.Equal("new", LatestContent());
        Assert.Equal("step-000002", File.ReadAllText(_store.LatestPath));
        Assert.Equal(["step-000002"], _store.Names());
    }

    [Theory]
    [InlineData("../../elsewhere")]
    [InlineData("..")]
    [InlineData("/tmp")]
    [InlineData("sub/dir")]
    [InlineData(".tmp-step-000001")]
    public void ALatestOutsideTheCheckpointFolderIsRefusedNamingIt(string pointer)
    {
        Commit("step-000001", "one");
        Directory.CreateDirectory(Path.Combine(_root, "elsewhere"));
        File.WriteAllText(_store.LatestPath, pointer);
        var e = Assert.Throws<RunFolderException>(() => _store.Latest());
        Assert.Contains($"names '{pointer}'", e.Message);
        Assert.Contains("outside the run's checkpoint folder", e.Message);
        Assert.Contains(_store.LatestPath, e.Message);
    }

    [Fact]
    public void ACheckpointFolderThatLinksOutsideIsRefused()
    {
        string outside = Directory.CreateDirectory(Path.Combine(_root, "outside")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(_store.Directory, "step-000009"), outside);
        File.WriteAllText(_store.LatestPath, "step-000009");
        var e = Assert.Throws<RunFolderException>(() => _store.Latest());
        Assert.Contains("symbolic link", e.Message);
        Assert.Contains(outside, e.Message);
    }

    [Fact]
    public void AMissingLatestIsRefusedWhenCheckpointsExist()
    {
        Commit("sft", "s");
        Commit("step-000001", "one");
        File.Delete(_store.LatestPath);
        var e = Assert.Throws<RunFolderException>(() => _store.Latest());
        Assert.Contains(_store.LatestPath, e.Message);
        Assert.Contains("is missing", e.Message);
        Assert.Contains("sft, step-000001", e.Message);
    }

    [Fact]
    public void ALatestNamingADeletedCheckpointIsRefusedListingThePresentOnes()
    {
        Commit("step-000001", "one");
        Commit("step-000002", "two");
        Directory.Delete(Path.Combine(_store.Directory, "step-000002"), recursive: true);
        var e = Assert.Throws<RunFolderException>(() => _store.Latest());
        Assert.Contains("names 'step-000002', which does not exist", e.Message);
        Assert.Contains("checkpoints present: step-000001", e.Message);
    }

    [Fact]
    public void NoLatestAndNoCheckpointsMeansNothingToResume()
    {
        File.Delete(_store.LatestPath);
        Assert.Null(_store.Latest());
    }
}
