using Rewire.Core.Rewards;

namespace Rewire.Core.Verifiers.Rubrics;

/// <summary>One rubric (w_i, r_i): a named criterion, its weight, and its verifier V(q, ŷ, r_i) ∈ [0, 1].</summary>
/// <param name="Name">The criterion's name (its component is reported as <c>rubric/NAME</c>).</param>
/// <param name="Weight">w_i, finite and non-negative.</param>
/// <param name="Judge">V: the prompt (with its reference answer) and the completion to a judgement in [0, 1].</param>
public sealed record RubricCriterion(string Name, double Weight, Func<Prompt, string, double> Judge);
