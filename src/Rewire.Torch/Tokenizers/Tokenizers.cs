using Rewire.Core;

namespace Rewire.Torch.Tokenizers;

/// <summary>The tokenizer registry: <c>char</c> (default alphabet) and <c>gpt2</c>.</summary>
public static class TokenizerCatalog
{
    public static NamedRegistry<Func<ITokenizer>> Registry { get; } = Build();

    public static ITokenizer Create(string name) => Registry.Get(name)();

    private static NamedRegistry<Func<ITokenizer>> Build()
    {
        var r = new NamedRegistry<Func<ITokenizer>>("tokenizer");
        r.Register("char", () => new CharTokenizer());
        r.Register("gpt2", () => new Gpt2Tokenizer());
        return r;
    }
}
