namespace Rewire.Classic.Bidding;

/// <summary>
/// The bid MDP's ingredients for [C19] "Real-Time Bidding by Reinforcement Learning in Display Advertising"
/// (Cai et al., WSDM 2017): the market-price distribution m(δ), a discrete CTR distribution p(θ) (values and
/// probabilities), and the reward <c>v1·θ − v0·cost</c> (clicks: v1 = 1, v0 = 0; profit: v1 = click value, v0 = 1).
/// <see cref="Approximate"/> uses one CTR bin at θ_avg — the tractable "approx_i" DP of the authors' code.
/// </summary>
public sealed class RtbModel
{
    /// <summary>Builds the bid MDP from a market-price distribution and a discrete CTR distribution.</summary>
    /// <param name="market">Market-price distribution m(δ).</param>
    /// <param name="ctrValues">CTR bin values θ.</param>
    /// <param name="ctrProbabilities">Probability of each CTR bin; must sum to 1.</param>
    /// <param name="clickValue">Reward per click v1 (1 optimises clicks).</param>
    /// <param name="costWeight">Weight v0 of the price paid (0 for clicks, 1 for profit).</param>
    public RtbModel(MarketPriceDistribution market, IReadOnlyList<double> ctrValues, IReadOnlyList<double> ctrProbabilities, double clickValue = 1.0, double costWeight = 0.0)
    {
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(ctrValues);
        ArgumentNullException.ThrowIfNull(ctrProbabilities);
        if (ctrValues.Count < 1 || ctrValues.Count != ctrProbabilities.Count)
            throw new ArgumentException($"Give one probability per CTR value (got {ctrValues.Count} values and {ctrProbabilities.Count} probabilities, at least one each).");
        double total = 0;
        for (int i = 0; i < ctrValues.Count; i++)
        {
            if (!(ctrValues[i] >= 0 && ctrValues[i] <= 1)) throw new ArgumentOutOfRangeException(nameof(ctrValues), ctrValues[i], "CTR values must lie in [0, 1].");
            if (!(ctrProbabilities[i] >= 0)) throw new ArgumentOutOfRangeException(nameof(ctrProbabilities), ctrProbabilities[i], "CTR probabilities must be >= 0.");
            total += ctrProbabilities[i];
        }
        if (Math.Abs(total - 1.0) > 1e-9) throw new ArgumentException($"CTR probabilities sum to {total:G6}; they must sum to 1.", nameof(ctrProbabilities));
        if (!(clickValue > 0)) throw new ArgumentOutOfRangeException(nameof(clickValue), clickValue, "The click value v1 must be positive.");
        if (!(costWeight >= 0)) throw new ArgumentOutOfRangeException(nameof(costWeight), costWeight, "The cost weight v0 must be >= 0 (0 = click objective, 1 = profit).");
        Market = market;
        CtrValues = ctrValues.ToArray();
        CtrProbabilities = ctrProbabilities.ToArray();
        ClickValue = clickValue;
        CostWeight = costWeight;
        double mean = 0, perAuction = 0;
        for (int i = 0; i < CtrValues.Length; i++)
        {
            mean += CtrValues[i] * CtrProbabilities[i];
            double u = clickValue * CtrValues[i];
            double gain = 0;
            var pmf = market.Pmf;
            for (int d = 0; d < pmf.Length; d++)
            {
                double g = u - costWeight * d;
                if (g <= 0) break;
                gain += pmf[d] * g;
            }
            perAuction += CtrProbabilities[i] * gain;
        }
        MeanCtr = mean;
        UnconstrainedValuePerAuction = perAuction;
        Tables = new PriceTables(market);
    }

    /// <summary>Precomputed arrays of the fast value recursion.</summary>
    internal PriceTables Tables { get; }

    internal sealed class PriceTables
    {
        public PriceTables(MarketPriceDistribution market)
        {
            var pmf = market.Pmf;
            int p = market.MaxPrice;
            ReversedPmf = new double[p + 1];
            PriceWeightedCdf = new double[p + 1];
            double s = 0;
            for (int d = 0; d <= p; d++)
            {
                ReversedPmf[p - d] = pmf[d];
                s += d * pmf[d];
                PriceWeightedCdf[d] = s;
            }
        }

        /// <summary>m(maxPrice − i).</summary>
        public double[] ReversedPmf { get; }

        /// <summary>Σ_{δ≤a} δ·m(δ).</summary>
        public double[] PriceWeightedCdf { get; }
    }

    /// <summary>The market-price distribution m(δ) over integer prices.</summary>
    public MarketPriceDistribution Market { get; }

    /// <summary>CTR bin values θ of the discrete CTR distribution p(θ).</summary>
    public double[] CtrValues { get; }

    /// <summary>Probability of each CTR bin (same order as <see cref="CtrValues"/>; sums to 1).</summary>
    public double[] CtrProbabilities { get; }

    /// <summary>v1.</summary>
    public double ClickValue { get; }

    /// <summary>v0.</summary>
    public double CostWeight { get; }

    /// <summary>θ_avg.</summary>
    public double MeanCtr { get; }

    /// <summary>
    /// The value per auction without a budget, <c>Σ_x p(x) Σ_δ m(δ)·max(0, v1θ_x − v0δ)</c>; <c>V_max(t) = t·this</c>
    /// bounds V(t, b) and is reached once the budget stops binding (the early stop of the authors' code).
    /// </summary>
    public double UnconstrainedValuePerAuction { get; }

    /// <summary>The "approx_i" model: θ(x) replaced by θ_avg inside the value recursion.</summary>
    public static RtbModel Approximate(MarketPriceDistribution market, double meanCtr, double clickValue = 1.0, double costWeight = 0.0)
        => new(market, [meanCtr], [1.0], clickValue, costWeight);
}
