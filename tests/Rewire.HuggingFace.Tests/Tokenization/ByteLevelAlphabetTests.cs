using Rewire.HuggingFace.Tokenization;

namespace Rewire.HuggingFace.Tests.Tokenization;

public class ByteLevelAlphabetTests
{
    [Fact]
    public void Maps_every_byte_to_a_distinct_printable_character_and_back()
    {
        var chars = Enumerable.Range(0, 256).Select(b => ByteLevelAlphabet.Encode((byte)b)).ToArray();
        Assert.Equal(256, chars.Distinct().Count());
        for (int b = 0; b < 256; b++)
        {
            Assert.True(ByteLevelAlphabet.TryDecode(chars[b], out byte back));
            Assert.Equal(b, back);
            Assert.False(char.IsWhiteSpace(chars[b]) || char.IsControl(chars[b]));
        }
        Assert.Equal('Ġ', ByteLevelAlphabet.Encode((byte)' '));
        Assert.Equal('Ċ', ByteLevelAlphabet.Encode((byte)'\n'));
        Assert.Equal('ĉ', ByteLevelAlphabet.Encode((byte)'\t'));
        Assert.Equal('A', ByteLevelAlphabet.Encode((byte)'A'));
        Assert.Equal('Ā', ByteLevelAlphabet.Encode(0));
        Assert.Equal("ĠÃ©", ByteLevelAlphabet.Encode(" é"));
    }

    [Fact]
    public void Tokens_outside_the_alphabet_decode_as_their_own_utf8()
    {
        var bytes = new List<byte>();
        ByteLevelAlphabet.AppendBytes("Ġa", bytes);
        ByteLevelAlphabet.AppendBytes("中", bytes);
        Assert.Equal(" a中", System.Text.Encoding.UTF8.GetString(bytes.ToArray()));
    }
}
