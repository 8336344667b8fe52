using Rewire.Torch.Models;

namespace Rewire.Torch.Tokenizers;

/// <summary>The tokenizer registry: <c>char</c> (default alphabet) and <c>gpt2</c>.</summary>
public static class TokenizerCatalog
{
    public static NamedRegistry<ITokenizer> Registry { get; } = new NamedRegistry<ITokenizer>("tokenizer")
        .Register("char", () => new CharTokenizer())
        .Register("gpt2", () => new Gpt2Tokenizer());

    public static ITokenizer Create(string name) => Registry.Create(name);
}
