namespace Rewire.Core.Rewards;

/// <summary>One weighted term of a <see cref="RewardPipeline"/>: a scalar or a batched reward function with its failure policy.</summary>
public sealed record RewardTerm
{
    private RewardTerm(string name, double weight, IRewardFunction? single, IBatchRewardFunction? batch, FailurePolicy policy)
    {
        Name = name;
        Weight = weight;
        Single = single;
        Batch = batch;
        Policy = policy;
    }

    /// <summary>The component name (the function's name unless overridden).</summary>
    public string Name { get; }

    /// <summary>The weight of this component in the total.</summary>
    public double Weight { get; }

    /// <summary>The scalar form, or null for a batched term.</summary>
    public IRewardFunction? Single { get; }

    /// <summary>The batched form, or null for a scalar term.</summary>
    public IBatchRewardFunction? Batch { get; }

    /// <summary>What a failure of this term yields.</summary>
    public FailurePolicy Policy { get; }

    /// <summary>A term scoring one rollout at a time.</summary>
    public static RewardTerm Of(IRewardFunction function, double weight = 1.0, FailurePolicy? policy = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        return new RewardTerm(name ?? function.Name, weight, function, null, policy ?? FailurePolicy.Default);
    }

    /// <summary>A term scoring whole batches (sandboxed code, remote reward models).</summary>
    public static RewardTerm Of(IBatchRewardFunction function, double weight = 1.0, FailurePolicy? policy = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        return new RewardTerm(name ?? function.Name, weight, null, function, policy ?? FailurePolicy.Default);
    }
}
