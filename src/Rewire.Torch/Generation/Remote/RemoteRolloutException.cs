namespace Rewire.Torch.Generation.Remote;

/// <summary>The rollout server could not be reached or answered in a way the trainer cannot use, after every retry.</summary>
public sealed class RemoteRolloutException(string message, Exception? inner = null) : Exception(message, inner);
