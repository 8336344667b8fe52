namespace Rewire.Core.Rewards;

/// <summary>
/// A reward function whose result components are criteria worth reporting on their own (a rubric's per-criterion
/// scores, a judge's verdict counts). A <see cref="RewardPipeline"/> copies each component <c>c</c> of such a term's
/// result into the composite's components as <c>TERM/c</c> (beside the term's total under <c>TERM</c>), so training
/// metrics and samples show them; components of other functions stay inside their term.
/// </summary>
public interface ICriterionReporter
{
}
