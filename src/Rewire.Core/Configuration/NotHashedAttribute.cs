namespace Rewire.Core.Configuration;

/// <summary>
/// Marks an option that only changes what a run logs, not what it trains (for example `run.tensorboard`): it is
/// recorded in config.json but left out of <see cref="OptionsBinder.Hash"/>, so a run resumes whatever its value.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class NotHashedAttribute : Attribute;
