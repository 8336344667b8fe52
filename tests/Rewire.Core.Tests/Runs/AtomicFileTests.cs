using Rewire.Core.Runs;

namespace Rewire.Core.Tests.Runs;

public class AtomicFileTests
{
    [Fact]
    public void WriteReplacesWholeFileAndLeavesNoTemporaries()
    {
        var dir = Directory.CreateTempSubdirectory("rewire-atomic").FullName;
        try
        {
            string path = Path.Combine(dir, "a.json");
            AtomicFile.WriteAllText(path, "first");
            AtomicFile.WriteAllText(path, "second");
            Assert.Equal("second", File.ReadAllText(path));
            Assert.Equal(["a.json"], Directory.GetFiles(dir).Select(Path.GetFileName));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void FailedWriteKeepsThePreviousFile()
    {
        var dir = Directory.CreateTempSubdirectory("rewire-atomic").FullName;
        try
        {
            string path = Path.Combine(dir, "ckpt.bin");
            AtomicFile.WriteAllText(path, "good");
            Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
            {
                s.Write("partial"u8);
                throw new InvalidOperationException("crash mid-write");
            }));
            Assert.Equal("good", File.ReadAllText(path));
            Assert.Single(Directory.GetFiles(dir));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void JsonLinesTruncationDropsATornLine()
    {
        var dir = Directory.CreateTempSubdirectory("rewire-jsonl").FullName;
        try
        {
            string path = Path.Combine(dir, "metrics.jsonl");
            using (var w = new JsonLinesWriter(path))
            {
                w.Write(new { Step = 1, RewardMean = 0.5 });
                w.Write(new { Step = 2, RewardMean = 0.75 });
            }
            File.AppendAllText(path, "{\"step\":3,\"rew");
            JsonLinesWriter.TruncateToLines(path, 2);
            var lines = File.ReadAllLines(path);
            Assert.Equal(["{\"step\":1,\"reward_mean\":0.5}", "{\"step\":2,\"reward_mean\":0.75}"], lines);
        }
        finally { Directory.Delete(dir, true); }
    }
}
