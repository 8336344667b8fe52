namespace Rewire.HuggingFace.Safetensors;

/// <summary>A checkpoint file or folder that cannot be read as it is: the message names the file (and the tensor) and says what is wrong.</summary>
public sealed class SafetensorsException(string message) : HuggingFaceInputException(message);
