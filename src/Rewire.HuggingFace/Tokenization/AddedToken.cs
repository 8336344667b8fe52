namespace Rewire.HuggingFace.Tokenization;

/// <summary>An entry of tokenizer.json's <c>added_tokens</c>: text that is cut out of the input before normalisation
/// and pre-tokenisation and becomes one token. Special tokens (<c>special: true</c>) are also dropped by
/// <c>skip_special_tokens</c> when decoding; non-special added tokens (e.g. Qwen's <c>&lt;think&gt;</c>) are split out alike.</summary>
/// <param name="Id">The token id.</param>
/// <param name="Content">The exact text.</param>
/// <param name="Special">Whether it is a special (control) token.</param>
/// <param name="SingleWord">Only matches when not inside a word.</param>
/// <param name="LStrip">Swallows whitespace on its left.</param>
/// <param name="RStrip">Swallows whitespace on its right.</param>
/// <param name="Normalized">Matched in the normalised text rather than the raw input.</param>
public sealed record AddedToken(int Id, string Content, bool Special, bool SingleWord = false, bool LStrip = false, bool RStrip = false, bool Normalized = false);
