using Rewire.Core;

namespace Rewire.Torch.Tokenizers;

/// <summary>The tokenizer registry: <c>char</c> (default alphabet) and <c>gpt2</c>.</summary>
public static class TokenizerCatalog
{
    /// <summary>Tokenizer factories by name.</summary>
    public static NamedRegistry<Func<ITokenizer>> Registry { get; } = Build();

    /// <summary>A new tokenizer <paramref name="name"/>; throws with the valid names when it is unknown.</summary>
    public static ITokenizer Create(string name) => Registry.Get(name)();

    private static NamedRegistry<Func<ITokenizer>> Build()
    {
        var r = new NamedRegistry<Func<ITokenizer>>("tokenizer");
        r.Register("char", () => new CharTokenizer());
        r.Register("gpt2", () => new Gpt2Tokenizer());
        return r;
    }
}
