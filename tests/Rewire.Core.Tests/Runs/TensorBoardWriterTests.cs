using System.Text.Json.Nodes;
using Rewire.Core.Runs.TensorBoard;
using Rewire.Tests.Common;

namespace Rewire.Core.Tests.Runs;

/// <summary>TensorBoard event files, read back by an independent reader (its own CRC-32C and protobuf decoding).</summary>
public sealed class TensorBoardWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rewire-tb").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void CrcMatchesTheKnownCheckValue()
    {
        // The CRC-32C check value of "123456789" (RFC 3720, appendix B.4 test vectors list CRC-32C results).
        Assert.Equal(0xE3069283u, TfRecord.Crc32C("123456789"u8));
        Assert.Equal(0xE3069283u, TfEventsReader.Crc32C("123456789"u8));
        var rng = new Random(5);
        for (int n = 0; n < 70; n++)
        {
            var data = new byte[n];
            rng.NextBytes(data);
            Assert.Equal(TfEventsReader.Crc32C(data), TfRecord.Crc32C(data));
        }
    }

    [Fact]
    public void ScalarsAreWrittenWithTagsValuesStepsAndWallTime()
    {
        var clock = new FixedClock(DateTimeOffset.FromUnixTimeMilliseconds(1_780_000_000_250));
        string file;
        using (var w = TensorBoardWriter.Create(_dir, clock))
        {
            file = w.FilePath;
            w.WriteScalars(1, [("reward_mean", 0.25), ("shaping/overlong_punishment/changed_fraction", 0.7)]);
            clock.Now = clock.Now.AddSeconds(2);
            w.WriteScalars(2, [("reward_mean", double.NaN), ("kl", 1e-3)]);
            w.WriteScalars(300_000, [("reward_mean", -4.5)]);
        }

        Assert.StartsWith("events.out.tfevents.1780000000.", Path.GetFileName(file));
        var events = TfEventsReader.Read(file);
        Assert.Equal(4, events.Count);
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        Assert.Equal(1_780_000_000.25, events[0].WallTime);
        Assert.Equal([1L, 2L, 300_000L], events.Skip(1).Select(e => e.Step));
        Assert.Equal([("reward_mean", 0.25f), ("shaping/overlong_punishment/changed_fraction", 0.7f)], events[1].Scalars);
        Assert.Equal(1_780_000_002.25, events[2].WallTime);
        Assert.True(float.IsNaN(events[2].Scalars[0].Value));
        Assert.Equal(("kl", 1e-3f), events[2].Scalars[1]);
        Assert.Equal(("reward_mean", -4.5f), Assert.Single(events[3].Scalars));
    }

    [Fact]
    public void EveryStepIsOnDiskBeforeTheWriterCloses()
    {
        using var w = TensorBoardWriter.Create(_dir);
        w.WriteScalars(7, [("a", 1)]);
        // Read while the writer still holds the file: the flushed step is there, whole.
        using var copy = new FileStream(w.FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        string snapshot = Path.Combine(_dir, "snapshot");
        using (var s = File.Create(snapshot)) copy.CopyTo(s);
        var events = TfEventsReader.Read(snapshot);
        Assert.Equal(7, events[^1].Step);
    }

    [Fact]
    public void ACorruptedByteIsCaughtByTheCrc()
    {
        string file;
        using (var w = TensorBoardWriter.Create(_dir)) { file = w.FilePath; w.WriteScalars(1, [("reward_mean", 0.5)]); }
        var bytes = File.ReadAllBytes(file);
        bytes[^6] ^= 0x01; // inside the last record's data
        File.WriteAllBytes(file, bytes);
        Assert.Throws<InvalidDataException>(() => TfEventsReader.Read(file));
    }

    [Fact]
    public void TwoWritersInTheSameSecondGetTwoFiles()
    {
        var clock = new FixedClock(DateTimeOffset.FromUnixTimeSeconds(1_780_000_000));
        using var a = TensorBoardWriter.Create(_dir, clock);
        using var b = TensorBoardWriter.Create(_dir, clock);
        Assert.NotEqual(a.FilePath, b.FilePath);
    }

    [Fact]
    public void NumericFieldsTakeEveryNumberOfAMetricsLineButTheStep()
    {
        var line = JsonNode.Parse("{\"step\":3,\"reward_mean\":0.5,\"kl\":\"NaN\",\"note\":\"x\",\"groups_trained\":4,\"shaping/a/changed_fraction\":0.1}")!.AsObject();
        var fields = TensorBoardWriter.NumericFields(line).ToArray();
        Assert.Equal(["reward_mean", "kl", "groups_trained", "shaping/a/changed_fraction"], fields.Select(f => f.Tag));
        Assert.True(double.IsNaN(fields[1].Value));
        Assert.Equal(4, fields[2].Value);
    }
}
