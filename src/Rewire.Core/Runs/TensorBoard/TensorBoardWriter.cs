using System.Globalization;
using System.Text.Json.Nodes;
using Rewire.Core.Runs.Reading;

namespace Rewire.Core.Runs.TensorBoard;

/// <summary>
/// Writes TensorBoard event files (`events.out.tfevents.&lt;unix seconds&gt;.&lt;host&gt;.&lt;pid&gt;.&lt;n&gt;`) of scalars per
/// step, so `tensorboard --logdir runs/` shows every run's metrics. Each step is one event (one summary holding every
/// scalar), appended as a TFRecord and flushed, so a crash loses at most the step being written. A new writer starts a
/// new file (a resumed run gets a second file that continues from its checkpoint's step).
/// TorchSharp's own `SummaryWriter` is not used: it records .NET ticks (or 0, since its `walltime` argument defaults
/// to 0) instead of Unix seconds as wall_time, and reopens the file for every value.
/// </summary>
public sealed class TensorBoardWriter : IDisposable
{
    private static int _counter;
    private readonly FileStream _stream;
    private readonly TimeProvider _time;

    private TensorBoardWriter(string path, TimeProvider time)
    {
        _time = time;
        FilePath = path;
        _stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        TfRecord.Write(_stream, EventProto.FileVersion(WallTime()));
        _stream.Flush(flushToDisk: false);
    }

    /// <summary>The event file being written.</summary>
    public string FilePath { get; }

    /// <summary>Starts a new event file in <paramref name="directory"/> (created if needed).</summary>
    /// <param name="directory">The folder of the event file (usually the run folder).</param>
    /// <param name="time">Where wall_time comes from (tests pass a fixed clock).</param>
    public static TensorBoardWriter Create(string directory, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        Directory.CreateDirectory(directory);
        string host = new string(Environment.MachineName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());
        for (int attempt = 0; ; attempt++)
        {
            string name = string.Create(CultureInfo.InvariantCulture,
                $"events.out.tfevents.{time.GetUtcNow().ToUnixTimeSeconds()}.{host}.{Environment.ProcessId}.{Interlocked.Increment(ref _counter)}");
            string path = Path.Combine(directory, name);
            try
            {
                return new TensorBoardWriter(path, time);
            }
            catch (IOException) when (File.Exists(path) && attempt < 100)
            {
                // A file of that name exists already (another writer in this second): take the next number.
            }
        }
    }

    /// <summary>Appends one event with a scalar per (tag, value) at <paramref name="step"/> and flushes it.</summary>
    public void WriteScalars(long step, IEnumerable<(string Tag, double Value)> values)
    {
        TfRecord.Write(_stream, EventProto.Scalars(WallTime(), step, values));
        _stream.Flush(flushToDisk: false);
    }

    /// <summary>Every numeric top-level field of a metrics line (as the run folder writes it) except `step`, in order.</summary>
    public static IEnumerable<(string Tag, double Value)> NumericFields(JsonObject line)
    {
        foreach (var (key, node) in line)
            if (key != "step" && JsonValues.Number(node) is { } v) yield return (key, v);
    }

    private double WallTime() => _time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;

    /// <summary>Closes the event file.</summary>
    public void Dispose() => _stream.Dispose();
}
