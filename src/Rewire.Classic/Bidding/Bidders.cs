namespace Rewire.Classic.Bidding;

/// <summary>A bidding policy. The simulator calls <see cref="BeginEpisode"/>, then <see cref="Bid"/> once per auction.</summary>
public interface IBidder
{
    /// <summary>Short name of the policy in reports (e.g. <c>constant</c>, <c>rlb</c>).</summary>
    string Name { get; }

    /// <summary>Starts an episode of <paramref name="auctions"/> auctions with budget <paramref name="budget"/>.</summary>
    void BeginEpisode(int auctions, int budget);

    /// <summary>The bid (integer budget units) with <paramref name="remainingAuctions"/> auctions left (this one included).</summary>
    int Bid(int remainingAuctions, int remainingBudget, double ctr);
}

/// <summary>Constant bidding (Cai et al.'s "Const" baseline): bid c every time, capped by the remaining budget.</summary>
public sealed class ConstantBidder(int bid) : IBidder
{
    /// <summary>The constant bid c in integer budget units.</summary>
    public int Value { get; } = bid >= 0 ? bid : throw new ArgumentOutOfRangeException(nameof(bid), bid, "A constant bid must be >= 0.");

    /// <inheritdoc />
    public string Name => "constant";

    /// <inheritdoc />
    public void BeginEpisode(int auctions, int budget)
    {
    }

    /// <inheritdoc />
    public int Bid(int remainingAuctions, int remainingBudget, double ctr) => Math.Min(Value, remainingBudget);
}

/// <summary>
/// Linear bidding (Perlich et al. 2012; Cai et al.'s "Lin-Bid" baseline): <c>bid = round(base · θ / θ_avg)</c>, capped by the
/// remaining budget.
/// </summary>
public sealed class LinearBidder : IBidder
{
    /// <summary>Creates the linear bidder <c>bid = round(baseBid · θ / meanCtr)</c>.</summary>
    /// <param name="baseBid">Bid for an average request, at least 0.</param>
    /// <param name="meanCtr">Mean predicted CTR θ_avg of the training log, positive.</param>
    public LinearBidder(double baseBid, double meanCtr)
    {
        if (!(baseBid >= 0)) throw new ArgumentOutOfRangeException(nameof(baseBid), baseBid, "The base bid must be >= 0.");
        if (!(meanCtr > 0)) throw new ArgumentOutOfRangeException(nameof(meanCtr), meanCtr, "The mean CTR must be positive.");
        BaseBid = baseBid;
        MeanCtr = meanCtr;
    }

    /// <summary>Bid for a request whose pCTR equals the mean CTR.</summary>
    public double BaseBid { get; }

    /// <summary>Mean predicted CTR θ_avg the pCTR is normalised by.</summary>
    public double MeanCtr { get; }

    /// <inheritdoc />
    public string Name => "linear";

    /// <inheritdoc />
    public void BeginEpisode(int auctions, int budget)
    {
    }

    /// <inheritdoc />
    public int Bid(int remainingAuctions, int remainingBudget, double ctr)
        => (int)Math.Min(Math.Round(BaseBid * ctr / MeanCtr), remainingBudget);
}

/// <summary>
/// The optimal policy of [C19]'s bid MDP: <c>a(t, b, x) = max{a ≤ b : v1θ(x) − v0a + V(t−1, b−a) − V(t−1, b) ≥ 0}</c>,
/// with V streamed from an <see cref="RtbValueTable"/> (built lazily for the episode's size and reused).
/// </summary>
public sealed class OptimalRtbBidder(RtbModel model) : IBidder
{
    private RtbValueTable? _table;

    /// <summary>
    /// The bid MDP (market price and CTR distributions, reward weights) the value function is computed from.
    /// </summary>
    public RtbModel Model { get; } = model ?? throw new ArgumentNullException(nameof(model));

    /// <inheritdoc />
    public string Name => "rlb";

    /// <summary>The value table of the current episode size.</summary>
    public RtbValueTable? Table => _table;

    /// <inheritdoc />
    public void BeginEpisode(int auctions, int budget)
    {
        if (_table is null || _table.Auctions != auctions || _table.Budget != budget) _table = new RtbValueTable(Model, auctions, budget);
    }

    /// <inheritdoc />
    public int Bid(int remainingAuctions, int remainingBudget, double ctr)
    {
        var table = _table ?? throw new InvalidOperationException("Call BeginEpisode before Bid so the value table matches the episode.");
        return table.Bid(remainingAuctions, remainingBudget, ctr);
    }
}

/// <summary>
/// [C19]'s large-scale approximation: V(T, B) ≈ V(T₀, B·T₀/T), so solve one small DP of N_bound auctions and B_bound
/// budget and map every larger state onto it — <c>bid(n, b) = bid(N_bound, ⌊b·N_bound/n⌋)</c> for n &gt; N_bound and,
/// analogously, <c>bid(n, b) = bid(⌊n·B_bound/b⌋, B_bound)</c> (n at least 1) when b &gt; B_bound. The small table is
/// stored whole (N_bound x B_bound doubles).
/// </summary>
public sealed class RatioMappedBidder : IBidder
{
    private readonly double[][] _rows;

    /// <summary>
    /// Precomputes the value function on a <paramref name="auctionBound"/> x <paramref name="budgetBound"/> grid;
    /// larger episodes are mapped onto it by the budget-per-auction ratio b/t (the paper's large-scale approximation).
    /// </summary>
    /// <param name="model">The bid MDP.</param>
    /// <param name="auctionBound">Auction bound N_bound of the precomputed table.</param>
    /// <param name="budgetBound">Budget bound of the precomputed table.</param>
    public RatioMappedBidder(RtbModel model, int auctionBound, int budgetBound)
    {
        ArgumentNullException.ThrowIfNull(model);
        RtbValueFunction.CheckSize(auctionBound, budgetBound);
        if (budgetBound < 1) throw new ArgumentOutOfRangeException(nameof(budgetBound), budgetBound, "The budget bound must be >= 1.");
        Model = model;
        AuctionBound = auctionBound;
        BudgetBound = budgetBound;
        _rows = new double[auctionBound + 1][];
        _rows[0] = new double[budgetBound + 1];
        for (int t = 1; t <= auctionBound; t++)
        {
            _rows[t] = new double[budgetBound + 1];
            RtbValueFunction.NextRow(model, t, _rows[t - 1], _rows[t]);
        }
    }

    /// <summary>The bid MDP the mapped value function was computed from.</summary>
    public RtbModel Model { get; }

    /// <summary>
    /// Auction bound N_bound of the precomputed table; episodes with more auctions left are mapped onto it.
    /// </summary>
    public int AuctionBound { get; }

    /// <summary>Budget bound of the precomputed table.</summary>
    public int BudgetBound { get; }

    /// <inheritdoc />
    public string Name => "rlb-mapped";

    /// <inheritdoc />
    public void BeginEpisode(int auctions, int budget)
    {
    }

    /// <inheritdoc />
    public int Bid(int remainingAuctions, int remainingBudget, double ctr)
    {
        if (remainingAuctions < 1) throw new ArgumentOutOfRangeException(nameof(remainingAuctions), remainingAuctions, "At least one auction must remain.");
        if (remainingBudget < 0) throw new ArgumentOutOfRangeException(nameof(remainingBudget), remainingBudget, "The budget cannot be negative.");
        var (n, b) = Map(remainingAuctions, remainingBudget);
        return Math.Min(RtbValueFunction.OptimalBid(Model, _rows[n - 1], b, ctr), remainingBudget);
    }

    /// <summary>The small-table state (n, b) a large state maps to.</summary>
    public (int Auctions, int Budget) Map(int remainingAuctions, int remainingBudget)
    {
        long n = remainingAuctions, b = remainingBudget;
        if (n > AuctionBound)
        {
            b = b * AuctionBound / n;
            n = AuctionBound;
        }
        if (b > BudgetBound)
        {
            n = Math.Max(1, n * BudgetBound / b);
            b = BudgetBound;
        }
        return ((int)n, (int)b);
    }
}
