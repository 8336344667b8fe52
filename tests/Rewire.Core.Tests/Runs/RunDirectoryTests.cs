using System.Text.Json.Nodes;
using Rewire.Core.Runs;

namespace Rewire.Core.Tests.Runs;

/// <summary>Run folders: unique under concurrent creation, made whole, locked while a run uses them, resumable only when consistent.</summary>
public sealed class RunDirectoryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rewire-runs").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void RunsStartedInTheSameSecondGetDistinctFolders()
    {
        const int runs = 48;
        var now = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var paths = new string[runs];
        using var start = new Barrier(runs);
        var threads = Enumerable.Range(0, runs).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            paths[i] = RunDirectory.Create(_root, "same", now, new JsonObject { ["index"] = i }).Path;
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Equal(runs, paths.Distinct(StringComparer.Ordinal).Count());
        var expected = new[] { "20260102-030405-same" }.Concat(Enumerable.Range(2, runs - 1).Select(i => $"20260102-030405-same-{i}")).Order(StringComparer.Ordinal);
        Assert.Equal(expected, Directory.GetDirectories(_root).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        // Each folder holds the config of the run that created it (no run wrote into another's folder).
        for (int i = 0; i < runs; i++)
        {
            var config = JsonNode.Parse(File.ReadAllText(Path.Combine(paths[i], "config.json")))!;
            Assert.Equal(i, config["index"]!.GetValue<int>());
            Assert.Equal("", File.ReadAllText(Path.Combine(paths[i], "checkpoints", "latest")));
        }
    }

    [Fact]
    public void ANewRunHasAnEmptyLatestAndNothingToResume()
    {
        var run = RunDirectory.Create(_root, "r", DateTimeOffset.UnixEpoch);
        Assert.Equal("19700101-000000-r", Path.GetFileName(run.Path));
        Assert.Null(run.ResumeCheckpoint());
        Assert.Empty(run.Checkpoints.Names());
    }

    [Fact]
    public void ARunWithStepsButNoCheckpointIsNotRestarted()
    {
        var run = RunDirectory.Create(_root, "r", DateTimeOffset.UnixEpoch);
        File.WriteAllText(run.MetricsFile, "{\"step\":1}\n");
        var e = Assert.Throws<RunFolderException>(() => run.ResumeCheckpoint());
        Assert.Contains(run.MetricsFile, e.Message);
        Assert.Contains("log them twice", e.Message);
    }

    [Fact]
    public void ASecondLockOnARunIsRefusedNamingTheHolderAndFreedOnRelease()
    {
        var run = RunDirectory.Create(_root, "r", DateTimeOffset.UnixEpoch);
        using (run.Lock("rewire train --resume first"))
        {
            var e = Assert.Throws<RunFolderException>(() => run.Lock("rewire train --resume second"));
            Assert.Contains($"process {Environment.ProcessId}", e.Message);
            Assert.Contains("rewire train --resume first", e.Message);
            Assert.Contains(run.Path, e.Message);
        }
        using var again = run.Lock("third");
        Assert.Contains("third", File.ReadAllText(Path.Combine(run.Path, RunLock.HolderFile)));
    }

    [Theory]
    [InlineData("checkpoint:3", "checkpoint", 3)]
    [InlineData("append:1", "append", 1)]
    public void KillPointParsesPhaseAndCount(string text, string phase, int count) =>
        Assert.Equal((phase, count), KillPoint.Parse(text));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("update")]
    [InlineData("update:0")]
    [InlineData(":2")]
    [InlineData("update:x")]
    public void KillPointIsDisarmedByAnythingElse(string? text) => Assert.Null(KillPoint.Parse(text));
}
