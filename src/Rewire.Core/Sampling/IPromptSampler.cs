using System.Text.Json.Nodes;
using Rewire.Core.Rewards;

namespace Rewire.Core.Sampling;

/// <summary>
/// Chooses the prompts of the next batch from a fixed pool and learns from what the rollouts of earlier batches scored.
/// A sampler owns a seeded <see cref="Xoshiro256StarStar"/>; its whole state (including that generator) saves to JSON and
/// restores so that the restored sampler continues exactly as the original.
/// </summary>
public interface IPromptSampler
{
    /// <summary>The registry name (for example <c>vade</c>).</summary>
    string Name { get; }

    /// <summary>The pool the sampler draws from.</summary>
    IReadOnlyList<Prompt> Pool { get; }

    /// <summary>The prompts of the next generation request (a training step may make several, see <see cref="DynamicBatch"/>).</summary>
    IReadOnlyList<Prompt> Next(int batchSize);

    /// <summary>Feedback: the groups generated for prompts this sampler chose (kept and dropped alike).</summary>
    void Observe(IReadOnlyList<GroupOutcome> outcomes);

    /// <summary>The complete state as JSON (the sampler's name, the pool fingerprint, its statistics and the RNG state).</summary>
    JsonObject SaveState();

    /// <summary>Replaces the state with one from <see cref="SaveState"/> of a sampler of the same name over the same pool.</summary>
    void RestoreState(JsonObject state);
}

/// <summary>
/// A sampler that filters the groups it gets back and asks for more when too few survive (DAPO's dynamic sampling, DOT's PDS).
/// <see cref="DynamicBatch"/> drives it; samplers without this interface get one round and keep every group.
/// </summary>
public interface IGroupFilterPolicy
{
    /// <summary>Prompts to request in generation round <paramref name="round"/> (0-based) when <paramref name="kept"/> of <paramref name="batchSize"/> groups are kept.</summary>
    int RoundSize(int batchSize, int kept, int round);

    /// <summary>The most generation rounds one training batch may take.</summary>
    int MaxRounds { get; }

    /// <summary>True when the group enters the training batch.</summary>
    bool Keep(GroupOutcome outcome);

    /// <summary>What to do when <see cref="MaxRounds"/> rounds did not fill the batch.</summary>
    ShortBatchPolicy WhenShort { get; }

    /// <summary>Called once per finished batch with what it cost (for samplers that adapt the oversampling).</summary>
    void BatchFinished(BatchStatistics statistics);
}

/// <summary>What a filtering sampler does when its rounds ran out before the batch was full.</summary>
public enum ShortBatchPolicy
{
    /// <summary>Throw (verl's DAPO recipe aborts when <c>max_num_gen_batches</c> is exceeded).</summary>
    Error,
    /// <summary>Train on the groups that were kept.</summary>
    Partial,
    /// <summary>Fill the batch with copies of kept groups marked as padding (no gradient; DOT's PDS).</summary>
    Pad,
}
