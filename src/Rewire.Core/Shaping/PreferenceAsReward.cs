namespace Rewire.Core.Shaping;

/// <summary>Function applied to each centred difference by <see cref="PreferenceAsReward"/>.</summary>
public enum RelativeFunction
{
    /// <summary>σ(k·d): PAR proper.</summary>
    Sigmoid,
    /// <summary>tanh(k·d): PAR's "relative tanh" variant.</summary>
    Tanh,
    /// <summary>atan(k·d): PAR's "relative atan" variant.</summary>
    Atan,
}

/// <summary>
/// Preference As Reward, [R02] PAR ("Reward Shaping to Mitigate Reward Hacking in RLHF", Fu et al. 2025):
/// <c>r_RL = (1/M) Σ_m σ(k · (r − r_ref^m))</c> over the first M reference rewards of the rollout's prompt, with
/// k = <c>sigmoid_k</c> (default 1) and M = <c>reward_maxref</c> (default 10). r_RL ∈ (0, 1) is the Bradley-Terry
/// probability that the response beats the reference. The "relative tanh / atan" variants replace σ.
/// Requires <see cref="ShapingBatch.ReferenceRewards"/>.
/// </summary>
public sealed class PreferenceAsReward : IRewardShaper
{
    /// <param name="k">Sigmoid slope; positive. <value>The default value is 1.</value></param>
    /// <param name="maxReferences">How many reference rewards to use at most (M). <value>The default value is 10.</value></param>
    /// <param name="function">σ (PAR) or a relative variant. <value>The default value is Sigmoid.</value></param>
    public PreferenceAsReward(double k = 1.0, int maxReferences = 10, RelativeFunction function = RelativeFunction.Sigmoid)
    {
        if (!(k > 0) || !double.IsFinite(k))
        {
            throw new ArgumentException($"PAR slope k = {k} must be finite and positive (the paper uses 1).", nameof(k));
        }

        if (maxReferences < 1)
        {
            throw new ArgumentException($"PAR needs at least one reference reward (maxReferences = {maxReferences}).", nameof(maxReferences));
        }

        K = k;
        MaxReferences = maxReferences;
        Function = function;
    }

    /// <inheritdoc />
    public string Name => "par";

    /// <summary>k &gt; 0, the slope applied to each reward difference before σ (or tanh/atan).</summary>
    public double K { get; }

    /// <summary>M, the most reference rewards of the prompt that are compared against.</summary>
    public int MaxReferences { get; }

    /// <summary>The function applied to each scaled difference.</summary>
    public RelativeFunction Function { get; }

    /// <summary>The shaped reward of one response with reward <paramref name="r"/> against <paramref name="references"/>.</summary>
    public double Shape(double r, ReadOnlySpan<double> references)
    {
        var m = Math.Min(references.Length, MaxReferences);
        double sum = 0;
        for (var j = 0; j < m; j++)
        {
            var d = K * (r - references[j]);
            sum += Function switch
            {
                RelativeFunction.Sigmoid => BoundedTransform.Sigmoid(d),
                RelativeFunction.Tanh => Math.Tanh(d),
                _ => Math.Atan(d),
            };
        }

        return sum / m;
    }

    /// <inheritdoc />
    public void Apply(ShapingBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var refs = batch.Require(batch.ReferenceRewards, nameof(ShapingBatch.ReferenceRewards), Name);
        var r = batch.Rewards;
        for (var i = 0; i < r.Length; i++)
        {
            r[i] = Shape(r[i], RequireReferences(refs[i], i, Name));
        }
    }

    internal static double[] RequireReferences(double[]? references, int rollout, string shaper)
    {
        if (references is null || references.Length == 0)
        {
            throw new ArgumentException($"shaper '{shaper}': rollout {rollout} has no reference rewards; score at least one reference response per prompt.");
        }

        foreach (var v in references)
        {
            if (!double.IsFinite(v))
            {
                throw new ArgumentException($"shaper '{shaper}': rollout {rollout} has a non-finite reference reward ({v}).");
            }
        }

        return references;
    }
}
