using System.Globalization;
using System.Text;

namespace Rewire.Cli;

/// <summary>
/// Makes text that came from a user or a model safe to print on a terminal: every control character other than
/// newline and tab (ESC sequences that move the cursor, retitle the window or rewrite the screen; carriage returns that
/// overwrite a line; DEL; C1 controls) and every bidirectional override (which can make text read differently from what
/// it is) is shown as a visible escape such as <c>\x1B</c> instead of being sent to the terminal.
/// JSON output needs none of this: the serializer already escapes control characters.
/// </summary>
public static class TerminalText
{
    public static string Clean(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        int i = 0;
        while (i < text.Length && !Unsafe(text[i])) i++;
        if (i == text.Length) return text;
        var sb = new StringBuilder(text.Length + 16).Append(text, 0, i);
        for (; i < text.Length; i++)
        {
            char c = text[i];
            if (!Unsafe(c)) sb.Append(c);
            else if (c < 0x100) sb.Append("\\x").Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            else sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    private static bool Unsafe(char c) =>
        (char.IsControl(c) && c is not ('\n' or '\t'))
        || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' or '\u200E' or '\u200F' or '\u061C';
}
