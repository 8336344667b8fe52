using Rewire.Core.Stats;

namespace Rewire.Core.Advantages;

/// <summary>
/// IRCoCo, "IRCoCo: Immediate Rewards-Guided Deep Reinforcement Learning for Code Completion" (Li et al., SANER 2024,
/// arXiv 2401.16637): the advantage of an actor-critic driven by immediate rewards.
/// <list type="bullet">
/// <item>Immediate reward of token t: <c>r_t = E(x, y_≤t) − E(x, y_&lt;t)</c>, the change of a learned code-completion
/// evaluator's score E (trained to predict BLEU or edit similarity to the reference) when token t is appended; it is
/// <see cref="AdvantageInput.ImmediateRewards"/>, computed by the trainer. Over a completion the rewards telescope to
/// <c>E(x, y) − E(x, ∅)</c>.</item>
/// <item>Actor-critic advantage over those rewards and the critic's values V:
/// <c>δ_t = r_t + γ·V_{t+1} − V_t</c>, <c>A_t = δ_t + γλ·A_{t+1}</c> (λ = 0: the one-step TD error of advantage
/// actor-critic), returns <c>A + V</c> (the critic's target), advantages whitened over the batch, as
/// <see cref="GaeAdvantage"/> computes them.</item>
/// </list>
/// The verifier's outcome reward is not part of IRCoCo's reward: the evaluator's immediate rewards are the only reward.
/// </summary>
public sealed class IrcocoAdvantage : IAdvantageEstimator
{
    private readonly GaeAdvantage _gae;

    /// <summary>Creates an IRCoCo estimator.</summary>
    /// <param name="gamma">Discount γ in [0, 1] (default 1).</param>
    /// <param name="lambda">λ in [0, 1] (default 0, the one-step TD advantage of actor-critic).</param>
    public IrcocoAdvantage(double gamma = 1.0, double lambda = 0.0)
    {
        if (!(gamma >= 0 && gamma <= 1)) throw new ArgumentOutOfRangeException(nameof(gamma), $"IRCoCo gamma is {gamma}; it must lie in [0, 1] (default 1).");
        if (!(lambda >= 0 && lambda <= 1)) throw new ArgumentOutOfRangeException(nameof(lambda), $"IRCoCo lambda is {lambda}; it must lie in [0, 1] (default 0).");
        _gae = new GaeAdvantage(gamma, lambda);
    }

    /// <summary>Discount γ.</summary>
    public double Gamma => _gae.Gamma;

    /// <summary>λ of the advantage (0: one-step TD).</summary>
    public double Lambda => _gae.Lambda;

    /// <inheritdoc />
    public string Name => "ircoco";

    /// <inheritdoc />
    public AdvantageResult Compute(AdvantageInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var immediate = input.RequireMatrix(input.ImmediateRewards, nameof(AdvantageInput.ImmediateRewards), Name);
        var values = input.RequireMatrix(input.Values, nameof(AdvantageInput.Values), Name);
        var mask = input.ResponseMask;
        var rewards = new TokenMatrix(mask.Rows, mask.Cols);
        for (int k = 0; k < rewards.Data.Length; k++) rewards.Data[k] = immediate.Data[k] * mask.Data[k];
        return _gae.Compute(new AdvantageInput(rewards, mask) { Values = values });
    }
}
