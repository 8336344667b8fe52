// Reads a stream to its end keeping only the first `cap` bytes, so a child that writes without bound cannot fill memory
// or block on a full pipe.
using System.Text;

namespace Rewire.Tasks.Sandbox;

internal sealed class CappedCapture(int cap)
{
    private readonly MemoryStream _head = new();

    public bool Truncated { get; private set; }

    public string Text => Encoding.UTF8.GetString(_head.GetBuffer(), 0, (int)_head.Length);

    public async Task DrainAsync(Stream s)
    {
        var buf = new byte[8192];
        int n;
        while ((n = await s.ReadAsync(buf).ConfigureAwait(false)) > 0)
        {
            var keep = (int)Math.Min(n, cap - _head.Length);
            if (keep > 0) _head.Write(buf, 0, keep);
            if (keep < n) Truncated = true;
        }
    }
}
