using System.Globalization;
using System.Text;

namespace Rewire.HuggingFace.ChatTemplates;

internal enum TokenKind { Text, VariableBegin, VariableEnd, BlockBegin, BlockEnd, Name, String, Integer, Float, Operator, End }

internal readonly record struct Token(TokenKind Kind, string Value, int Line)
{
    public override string ToString() => Kind == TokenKind.Operator || Kind == TokenKind.Name ? $"'{Value}'" : Kind.ToString();
}

/// <summary>Splits a template into text, <c>{{ }}</c>, <c>{% %}</c> and expression tokens as jinja2's lexer does with
/// <c>trim_blocks=True</c> and <c>lstrip_blocks=True</c> (Hugging Face's settings): newlines normalised to \n and the
/// template's single trailing newline dropped; <c>{%-</c>/<c>{{-</c>/<c>{#-</c> strip all whitespace before the tag and
/// <c>-%}</c>/<c>-}}</c>/<c>-#}</c> all whitespace after; a block or comment tag drops the one newline after it (unless
/// <c>+%}</c>) and the spaces and tabs before it when only they separate it from the start of its line (unless
/// <c>{%+</c>); comments vanish.</summary>
internal static class TemplateLexer
{
    private static readonly string[] Operators =
        ["//", "**", "==", "!=", "<=", ">=", "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", "<", ">", "=", ".", ":", "|", ",", ";"];

    public static List<Token> Tokenize(string source)
    {
        string text = source.Replace("\r\n", "\n").Replace('\r', '\n');
        if (text.EndsWith('\n'))
            text = text[..^1];
        var newlines = new List<int>();
        for (int i = 0; i < text.Length; i++)
            if (text[i] == '\n') newlines.Add(i);
        int LineAt(int position)
        {
            int index = newlines.BinarySearch(position);
            return 1 + (index >= 0 ? index : ~index);
        }
        var tokens = new List<Token>();
        int pos = 0;
        while (pos < text.Length)
        {
            int open = FindTagStart(text, pos);
            int textEnd = open < 0 ? text.Length : open;
            string data = text[pos..textEnd];
            if (open >= 0)
            {
                char kind = text[open + 1];
                char sign = open + 2 < text.Length ? text[open + 2] : '\0';
                if (sign == '-')
                    data = data.TrimEnd(PythonWhitespace);
                else if (sign != '+' && kind != '{')
                {
                    int lineStart = data.LastIndexOf('\n') + 1;
                    bool lineStarting = pos == 0 || text[pos - 1] == '\n';
                    if ((lineStart > 0 || lineStarting) && lineStart < data.Length && IsAllWhitespace(data, lineStart))
                        data = data[..lineStart];
                }
            }
            if (data.Length > 0)
                tokens.Add(new Token(TokenKind.Text, data, LineAt(pos)));
            if (open < 0)
                break;
            char tagKind = text[open + 1];
            int inner = open + 2;
            if (inner < text.Length && (text[inner] == '-' || text[inner] == '+'))
                inner++;
            if (tagKind == '#')
            {
                int close = text.IndexOf("#}", inner, StringComparison.Ordinal);
                if (close < 0)
                    throw new TemplateError(LineAt(open), "the comment is not closed (missing '#}')");
                bool strip = close - 1 >= inner && text[close - 1] == '-';
                pos = AfterTag(text, close + 2, strip, plus: false, trim: true);
            }
            else
            {
                bool isBlock = tagKind == '%';
                tokens.Add(new Token(isBlock ? TokenKind.BlockBegin : TokenKind.VariableBegin, "", LineAt(open)));
                (int endPos, bool strip, bool plus) = LexExpression(text, inner, isBlock, tokens, LineAt);
                tokens.Add(new Token(isBlock ? TokenKind.BlockEnd : TokenKind.VariableEnd, "", LineAt(endPos - 1)));
                pos = AfterTag(text, endPos, strip, plus, trim: isBlock);
            }
        }
        tokens.Add(new Token(TokenKind.End, "", LineAt(text.Length)));
        return tokens;
    }

    private static int AfterTag(string text, int tagEnd, bool strip, bool plus, bool trim)
    {
        int p = tagEnd;
        if (strip)
        {
            while (p < text.Length && IsPythonWhitespace(text[p]))
                p++;
        }
        else if (trim && !plus && p < text.Length && text[p] == '\n')
            p++;
        return p;
    }

    private static int FindTagStart(string text, int from)
    {
        for (int i = from; i < text.Length - 1; i++)
            if (text[i] == '{' && (text[i + 1] == '{' || text[i + 1] == '%' || text[i + 1] == '#'))
                return i;
        return -1;
    }

    internal static readonly char[] PythonWhitespace =
        [' ', '\t', '\n', '\v', '\f', '\r', '\x1c', '\x1d', '\x1e', '\x1f', '\x85', '\xa0', '\u1680', '\u2000', '\u2001', '\u2002',
         '\u2003', '\u2004', '\u2005', '\u2006', '\u2007', '\u2008', '\u2009', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000'];

    internal static bool IsPythonWhitespace(char c) => Array.IndexOf(PythonWhitespace, c) >= 0;

    private static bool IsAllWhitespace(string s, int from)
    {
        for (int i = from; i < s.Length; i++)
            if (!IsPythonWhitespace(s[i])) return false;
        return true;
    }

    /// <summary>Expression tokens up to the closing <c>%}</c> or <c>}}</c> at bracket depth 0; returns the position after
    /// it and its whitespace control.</summary>
    private static (int End, bool Strip, bool Plus) LexExpression(string text, int pos, bool isBlock, List<Token> tokens, Func<int, int> lineAt)
    {
        int depth = 0;
        string close = isBlock ? "%}" : "}}";
        while (true)
        {
            while (pos < text.Length && IsPythonWhitespace(text[pos]))
                pos++;
            int line = lineAt(pos);
            if (pos >= text.Length)
                throw new TemplateError(line, $"unexpected end of template: the tag is not closed (missing '{close}')");
            if (depth == 0)
            {
                if (string.CompareOrdinal(text, pos, close, 0, 2) == 0)
                    return (pos + 2, false, false);
                if ((text[pos] == '-' || (isBlock && text[pos] == '+')) && string.CompareOrdinal(text, pos + 1, close, 0, 2) == 0)
                    return (pos + 3, text[pos] == '-', text[pos] == '+');
            }
            char c = text[pos];
            if (c == '\'' || c == '"')
            {
                pos++;
                var sb = new StringBuilder();
                while (true)
                {
                    if (pos >= text.Length)
                        throw new TemplateError(line, "a string literal is not closed");
                    char d = text[pos];
                    if (d == c) { pos++; break; }
                    if (d == '\\' && pos + 1 < text.Length)
                    {
                        try
                        {
                            pos = Unescape(text, pos, sb);
                        }
                        catch (TemplateRuntimeError e)
                        {
                            throw new TemplateError(line, e.Message);
                        }
                        continue;
                    }
                    sb.Append(d);
                    pos++;
                }
                tokens.Add(new Token(TokenKind.String, sb.ToString(), line));
                continue;
            }
            if (char.IsAsciiDigit(c))
            {
                int start = pos;
                while (pos < text.Length && (char.IsAsciiDigit(text[pos]) || text[pos] == '_')) pos++;
                bool isFloat = false;
                if (pos + 1 < text.Length && text[pos] == '.' && char.IsAsciiDigit(text[pos + 1]))
                {
                    isFloat = true;
                    pos++;
                    while (pos < text.Length && (char.IsAsciiDigit(text[pos]) || text[pos] == '_')) pos++;
                }
                if (pos < text.Length && (text[pos] == 'e' || text[pos] == 'E'))
                {
                    int save = pos++;
                    if (pos < text.Length && (text[pos] == '+' || text[pos] == '-')) pos++;
                    if (pos < text.Length && char.IsAsciiDigit(text[pos]))
                    {
                        isFloat = true;
                        while (pos < text.Length && char.IsAsciiDigit(text[pos])) pos++;
                    }
                    else pos = save;
                }
                tokens.Add(new Token(isFloat ? TokenKind.Float : TokenKind.Integer, text[start..pos].Replace("_", ""), line));
                continue;
            }
            if (char.IsLetter(c) || c == '_')
            {
                int start = pos;
                while (pos < text.Length && (char.IsLetterOrDigit(text[pos]) || text[pos] == '_')) pos++;
                tokens.Add(new Token(TokenKind.Name, text[start..pos], line));
                continue;
            }
            string? op = null;
            foreach (string o in Operators)
                if (string.CompareOrdinal(text, pos, o, 0, o.Length) == 0) { op = o; break; }
            if (op is null)
                throw new TemplateError(line, $"unexpected character '{c}' in an expression");
            if (op is "(" or "[" or "{") depth++;
            else if (op is ")" or "]" or "}")
            {
                if (depth == 0)
                    throw new TemplateError(line, $"unexpected '{op}'");
                depth--;
            }
            tokens.Add(new Token(TokenKind.Operator, op, line));
            pos += op.Length;
        }
    }

    /// <summary>Python's unicode-escape decoding of one backslash sequence (jinja2 decodes string literals so); an unknown
    /// escape keeps its backslash.</summary>
    private static int Unescape(string text, int pos, StringBuilder sb)
    {
        char e = text[pos + 1];
        switch (e)
        {
            case 'n': sb.Append('\n'); return pos + 2;
            case 't': sb.Append('\t'); return pos + 2;
            case 'r': sb.Append('\r'); return pos + 2;
            case '\\': sb.Append('\\'); return pos + 2;
            case '\'': sb.Append('\''); return pos + 2;
            case '"': sb.Append('"'); return pos + 2;
            case 'a': sb.Append('\a'); return pos + 2;
            case 'b': sb.Append('\b'); return pos + 2;
            case 'f': sb.Append('\f'); return pos + 2;
            case 'v': sb.Append('\v'); return pos + 2;
            case '\n': return pos + 2;
            case 'x': return Hex(text, pos, 2, sb);
            case 'u': return Hex(text, pos, 4, sb);
            case 'U': return Hex(text, pos, 8, sb);
            default:
                if (e >= '0' && e <= '7')
                {
                    int end = pos + 1, value = 0;
                    while (end < text.Length && end < pos + 4 && text[end] >= '0' && text[end] <= '7')
                        value = value * 8 + (text[end++] - '0');
                    sb.Append(char.ConvertFromUtf32(value));
                    return end;
                }
                sb.Append('\\').Append(e);
                return pos + 2;
        }
    }

    private static int Hex(string text, int pos, int digits, StringBuilder sb)
    {
        int start = pos + 2;
        if (start + digits > text.Length || !int.TryParse(text.AsSpan(start, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int value))
            throw new TemplateRuntimeError($"truncated \\{text[pos + 1]} escape in a string literal");
        sb.Append(char.ConvertFromUtf32(value));
        return start + digits;
    }
}
