namespace Rewire.Core.Analysis;

/// <summary>
/// What one reward component contributed to the total reward over the sampled rollouts (total = Σ_k w_k·r_k).
/// </summary>
/// <param name="Name">The component (a reward term's name in samples.jsonl).</param>
/// <param name="Weight">Its mean weight w over the samples.</param>
/// <param name="WeightSource">`config` (reward.weights.NAME), `default` (1) or `reward_weighting` (the step's dynamic weight).</param>
/// <param name="Mean">Mean of the unweighted component r.</param>
/// <param name="Std">Standard deviation of r.</param>
/// <param name="Contribution">Mean of w·r: its part of the mean total.</param>
/// <param name="ContributionShare">Contribution / Σ_j |Contribution_j| (signed; the absolute shares sum to 1).</param>
/// <param name="VarianceShare">Cov(w·r, total) / Var(total): its share of the total's variance (the shares sum to 1);
/// what group-normalised advantages see, since a constant part of a reward moves no advantage. Null when the total does not vary.</param>
/// <param name="CorrelationWithCorrect">Pearson correlation of r with the sample's correctness (0/1) over samples that have one; null when undefined.</param>
/// <param name="StepCorrelationWithAccuracy">Correlation over steps of the component's per-step mean with the step's `accuracy` metric; null when undefined.</param>
/// <param name="Trend">Fitted change of the component's per-step mean over the run; null with fewer than two steps.</param>
public sealed record ComponentContribution(
    string Name,
    double Weight,
    string WeightSource,
    double Mean,
    double Std,
    double Contribution,
    double ContributionShare,
    double? VarianceShare,
    double? CorrelationWithCorrect,
    double? StepCorrelationWithAccuracy,
    double? Trend);
