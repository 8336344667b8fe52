using System.Text;

namespace Rewire.HuggingFace.Tokenization;

/// <summary>GPT-2's byte-to-unicode mapping (Radford et al., "Language Models are Unsupervised Multitask Learners"):
/// every byte maps to one printable character, so byte-level BPE vocabularies can be stored as text. Printable
/// Latin-1 bytes map to themselves; the other 68 bytes map, in order, to U+0100 onwards (space becomes 'Ġ', newline 'Ċ').</summary>
public static class ByteLevelAlphabet
{
    private static readonly char[] ByteToChar = Build();
    private static readonly Dictionary<char, byte> CharToByte = ByteToChar.Select((c, b) => (c, b)).ToDictionary(p => p.c, p => (byte)p.b);

    private static char[] Build()
    {
        var map = new char[256];
        int next = 0;
        for (int b = 0; b < 256; b++)
        {
            bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            map[b] = printable ? (char)b : (char)(256 + next++);
        }
        return map;
    }

    /// <summary>The character that stands for <paramref name="b"/>.</summary>
    public static char Encode(byte b) => ByteToChar[b];

    /// <summary>The text's UTF-8 bytes, each as its alphabet character.</summary>
    public static string Encode(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return string.Create(bytes.Length, bytes, (span, source) =>
        {
            for (int i = 0; i < source.Length; i++)
                span[i] = ByteToChar[source[i]];
        });
    }

    /// <summary>The byte a character stands for, or false when it is not in the alphabet.</summary>
    public static bool TryDecode(char c, out byte b) => CharToByte.TryGetValue(c, out b);

    /// <summary>Appends the bytes a token stands for: when every character is in the alphabet, the bytes they stand for;
    /// otherwise the token's own UTF-8 bytes (as Hugging Face's byte-level decoder does for tokens such as added ones).</summary>
    public static void AppendBytes(string token, List<byte> destination)
    {
        int start = destination.Count;
        foreach (char c in token)
        {
            if (!CharToByte.TryGetValue(c, out byte b))
            {
                destination.RemoveRange(start, destination.Count - start);
                destination.AddRange(Encoding.UTF8.GetBytes(token));
                return;
            }
            destination.Add(b);
        }
    }
}
