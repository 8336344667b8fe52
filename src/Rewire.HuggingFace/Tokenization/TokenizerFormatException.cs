namespace Rewire.HuggingFace.Tokenization;

/// <summary>A tokenizer.json that Rewire cannot use: malformed, or of a kind it does not implement (the message names it).</summary>
public sealed class TokenizerFormatException(string message) : HuggingFaceInputException(message);
