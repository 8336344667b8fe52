using Rewire.HuggingFace.Tokenization.Unicode;

namespace Rewire.HuggingFace.Tests.Tokenization.Unicode;

public class CodePointRegexTests
{
    private static List<string> Pieces(string pattern, string text) =>
        new CodePointRegex(pattern).Matches(text).Select(m => text.Substring(m.Start, m.Length)).ToList();

    [Fact]
    public void Letters_outside_the_bmp_count_as_letters()
    {
        // U+20000..U+20002 are CJK Extension B ideographs (category Lo), each a surrogate pair in UTF-16.
        Assert.Equal(["a\U00020000\U00020001b", "\U00020002"], Pieces(@"\p{L}+", "a\U00020000\U00020001b 1 \U00020002"));
        // Plain .NET regex does not see them as letters: the reason this class exists.
        Assert.DoesNotMatch(@"^\p{L}+$", "\U00020000");
    }

    [Fact]
    public void Symbols_outside_the_bmp_are_never_split_in_half()
    {
        var pieces = Pieces(@"[^\s\p{L}\p{N}]|\p{L}+", "x😀y😃");
        Assert.Equal(["x", "😀", "y", "😃"], pieces);
        Assert.Equal(["𝟘𝟙"], Pieces(@"\p{N}+", "𝟘𝟙")); // mathematical digits (Nd) outside the BMP
    }

    [Fact]
    public void Offsets_map_back_to_the_original_string()
    {
        string text = "😀 ab 😀cd";
        var matches = new CodePointRegex(@"\p{L}+").Matches(text);
        Assert.Equal([(3, 2), (8, 2)], matches);
    }
}
