namespace Rewire.HuggingFace;

/// <summary>A Hugging Face model folder, or one of its files, that Rewire cannot use as it is (a missing or damaged file, an
/// unsupported model type, rope type, dtype or tokenizer kind). The message names the file and says what to change; a
/// command reports it as bad input (exit code 2) before any work starts.</summary>
public class HuggingFaceInputException(string message) : Exception(message);
