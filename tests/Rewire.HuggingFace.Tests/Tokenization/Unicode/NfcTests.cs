using System.Text.Json;
using Rewire.HuggingFace.Tokenization.Unicode;

namespace Rewire.HuggingFace.Tests.Tokenization.Unicode;

public class NfcTests
{
    [Fact]
    public void The_platform_normaliser_is_a_no_op_under_invariant_globalization()
    {
        // Why Nfc exists: with InvariantGlobalization=true (Directory.Build.props) string.Normalize returns its input.
        Assert.Equal("e\u0301", "e\u0301".Normalize(System.Text.NormalizationForm.FormC));
        Assert.Equal("\u00E9", Nfc.Normalize("e\u0301"));
    }

    [Fact]
    public void Matches_pythons_unicodedata_on_every_decomposable_character_and_random_mark_runs()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("unicode", "nfc_cases.json")));
        Assert.Equal(Nfc.UnicodeVersion, doc.RootElement.GetProperty("unicode").GetString());
        int count = 0;
        foreach (var pair in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            string input = pair[0].GetString()!, expected = pair[1].GetString()!;
            string actual = Nfc.Normalize(input);
            if (actual != expected)
                Assert.Fail($"NFC of {Hex(input)}: expected {Hex(expected)}, got {Hex(actual)}");
            count++;
        }
        Assert.True(count > 5000, $"only {count} cases");
    }

    [Theory]
    [InlineData("\u1100\u1161\u11A8", "\uAC01")] // Hangul L V T composes to one syllable
    [InlineData("\uAC00\u11A8", "\uAC01")] // LV + T
    [InlineData("\u212B", "\u00C5")] // Angstrom sign: singleton decomposition
    [InlineData("a\u0328\u0301", "\u0105\u0301")] // ogonek (202) sorts before acute (230)
    [InlineData("a\u0301\u0328", "\u0105\u0301")]
    [InlineData("\U0001D15E", "\U0001D157\U0001D165")] // composition exclusion stays decomposed
    [InlineData("plain ascii", "plain ascii")]
    public void Hand_checked_cases(string input, string expected) => Assert.Equal(expected, Nfc.Normalize(input));

    private static string Hex(string s) => string.Join(" ", s.EnumerateRunes().Select(r => r.Value.ToString("X4")));
}
