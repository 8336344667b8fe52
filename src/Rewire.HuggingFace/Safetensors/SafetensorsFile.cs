using System.Buffers;
using System.IO.MemoryMappedFiles;
using Microsoft.Win32.SafeHandles;

namespace Rewire.HuggingFace.Safetensors;

/// <summary>A memory-mapped safetensors file. Offsets are 64-bit throughout, so files over 2 GB work; a tensor is read
/// in chunks, so only its destination has to fit in memory. Values decoded to float32 are read through the file handle
/// (<see cref="RandomAccess"/>) rather than the mapping: pages of a mapping that has been read count in the process's
/// resident memory until it is unmapped, which would double a BF16 model's peak while it loads. Dispose to unmap.</summary>
public sealed unsafe class SafetensorsFile : IDisposable
{
    private const int ChunkElements = 1 << 20;
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly byte* _base;
    private readonly SafeFileHandle _file;
    private readonly Dictionary<string, SafetensorsTensorInfo> _byName;
    private bool _disposed;

    /// <summary>The path the file was opened from.</summary>
    public string Path { get; }

    /// <summary>The validated header.</summary>
    public SafetensorsHeader Header { get; }

    /// <summary>Tensors by name.</summary>
    public IReadOnlyDictionary<string, SafetensorsTensorInfo> Tensors => _byName;

    private SafetensorsFile(string path, MemoryMappedFile? map, MemoryMappedViewAccessor? view, byte* basePointer, SafetensorsHeader header)
    {
        _file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        Path = path;
        _map = map;
        _view = view;
        _base = basePointer;
        Header = header;
        _byName = header.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>Opens, maps and validates <paramref name="path"/>.</summary>
    public static SafetensorsFile Open(string path)
    {
        if (!File.Exists(path))
            throw new SafetensorsException($"{path}: no such file");
        long length = new FileInfo(path).Length;
        if (length < 8)
            SafetensorsHeader.ReadHeaderLength(new byte[8], length, path);
        var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        MemoryMappedViewAccessor? view = null;
        byte* pointer = null;
        try
        {
            view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            pointer += view.PointerOffset;
            long n = SafetensorsHeader.ReadHeaderLength(new ReadOnlySpan<byte>(pointer, 8), length, path);
            var header = SafetensorsHeader.Parse(new ReadOnlySpan<byte>(pointer + 8, (int)n), length - 8 - n, path, 8 + n);
            return new SafetensorsFile(path, map, view, pointer, header);
        }
        catch
        {
            if (pointer != null)
                view!.SafeMemoryMappedViewHandle.ReleasePointer();
            view?.Dispose();
            map.Dispose();
            throw;
        }
    }

    /// <summary>The tensor's entry; throws naming the file when it has no such tensor.</summary>
    public SafetensorsTensorInfo Get(string name) =>
        _byName.TryGetValue(name, out var info) ? info : throw new SafetensorsException($"{Path}: no tensor named '{name}'");

    /// <summary>Copies the tensor's values, converted to float32, into <paramref name="destination"/>, whose length must
    /// equal the element count.</summary>
    public void ReadAsSingle(string name, Span<float> destination)
    {
        var info = Get(name);
        if (destination.Length != info.ElementCount)
            throw new ArgumentException($"tensor '{name}' has {info.ElementCount} elements ({info.ShapeText}); the destination holds {destination.Length}");
        ReadAsSingle(name, 0, destination);
    }

    /// <summary>Copies elements [<paramref name="start"/>, start + destination length) of the tensor (in storage order),
    /// converted to float32, into <paramref name="destination"/>: a slice of a tensor too large to hold twice.</summary>
    public void ReadAsSingle(string name, long start, Span<float> destination)
    {
        var info = Get(name);
        if (start < 0 || start + destination.Length > info.ElementCount)
            throw new ArgumentException($"elements [{start}, {start + destination.Length}) are outside tensor '{name}' of {info.ElementCount} elements");
        ObjectDisposedException.ThrowIf(_disposed, this);
        int size = info.DType.ElementSize();
        byte[] raw = ArrayPool<byte>.Shared.Rent(Math.Min(ChunkElements, Math.Max(1, destination.Length)) * size);
        try
        {
            for (int done = 0; done < destination.Length; done += ChunkElements)
            {
                int count = Math.Min(ChunkElements, destination.Length - done);
                var bytes = raw.AsSpan(0, count * size);
                long offset = Header.DataStart + info.Begin + (start + done) * size;
                for (int read = 0; read < bytes.Length;)
                {
                    int n = RandomAccess.Read(_file, bytes[read..], offset + read);
                    if (n == 0) throw new SafetensorsException($"{Path}: the file ended inside tensor '{name}'; it is truncated");
                    read += n;
                }
                FloatConversions.Decode(info.DType, bytes, destination.Slice(done, count));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(raw);
        }
    }

    /// <summary>The tensor's values as a new float32 array.</summary>
    public float[] ReadAsSingle(string name)
    {
        var info = Get(name);
        if (info.ElementCount > Array.MaxLength)
            throw new SafetensorsException($"{Path}: tensor '{name}' has {info.ElementCount} elements, more than one array holds");
        var values = new float[info.ElementCount];
        ReadAsSingle(name, values);
        return values;
    }

    /// <summary>Copies the tensor's raw little-endian bytes into <paramref name="destination"/> (length must equal the
    /// byte length), e.g. to keep BF16 weights as they are.</summary>
    public void ReadRaw(string name, Span<byte> destination)
    {
        var info = Get(name);
        if (destination.Length != info.ByteLength)
            throw new ArgumentException($"tensor '{name}' has {info.ByteLength} bytes; the destination holds {destination.Length}");
        const int chunk = 1 << 26;
        for (long done = 0; done < destination.Length; done += chunk)
        {
            int count = (int)Math.Min(chunk, destination.Length - done);
            Bytes(info, done, count).CopyTo(destination.Slice((int)done, count));
        }
    }

    private ReadOnlySpan<byte> Bytes(SafetensorsTensorInfo info, long offset, int count)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new ReadOnlySpan<byte>(_base + Header.DataStart + info.Begin + offset, count);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _file.Dispose();
        _view?.SafeMemoryMappedViewHandle.ReleasePointer();
        _view?.Dispose();
        _map?.Dispose();
    }
}
