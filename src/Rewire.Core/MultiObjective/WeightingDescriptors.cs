using Rewire.Core.Techniques;
using static Rewire.Core.Techniques.TechniqueParameter;

namespace Rewire.Core.MultiObjective;

/// <summary>
/// Descriptors of the reward weightings (kind <c>reward_weighting</c>, selected with <c>reward.weighting=NAME</c>,
/// parameters <c>reward_weighting.PARAM</c>), which combine the task verifier's named reward components into one reward.
/// Lists are written comma-separated, in the order of the components. The descriptor is the one source of every default:
/// <see cref="WeightingRegistry.Create(ResolvedTechnique, IReadOnlyList{string}, IReadOnlyList{double}?)"/> builds a
/// weighting from a resolved descriptor.
/// </summary>
public static class WeightingDescriptors
{
    /// <summary>The paper behind all three weightings (linear baseline, hypervolume-guided and gradient-based).</summary>
    public const string Paper = "Learning to Optimize Multi-Objective Alignment Through Dynamic Reward Weighting (arXiv 2509.11452)";

    private static TechniqueParameter Weights(string meaning) => Text("weights", "", meaning);

    /// <summary>Every weighting.</summary>
    public static IReadOnlyList<TechniqueDescriptor> All { get; } =
    [
        W(LinearScalarisation.RegistryName, "Fixed-weight linear scalarisation Σ w_k r_k (the paper's baseline).",
            [Weights("Preference weights on the simplex, comma-separated in component order (e.g. 0.5,0.25,0.25); empty = uniform.")]),
        W(HypervolumeGuidedWeighting.RegistryName, "Hypervolume-guided weighting: the reward is scaled by 0.5 + 1.5·tanh(c), c the hypervolume contribution of the latest validation point.",
            [
                Weights("Fixed preference weights on the simplex, comma-separated; empty = uniform."),
                Text("reference", "", "The hypervolume reference point, one value per component (comma-separated); empty = the initial model's validation scores."),
                Text("maximize", "", "Per component, true to maximise (comma-separated true/false); empty = all maximised."),
            ]),
        W(GradientWeighting.RegistryName, "Gradient-based weighting: a mirror step w ← softmax(log w + η·s/λ) on the objectives' gradient influence scores.",
            [
                Weights("Initial weights on the simplex, comma-separated; empty = uniform."),
                Number("regularization", 1e-5, "λ, the regularisation factor (regularization_factor).", 1e-300, 1e300),
                Integer("accumulation_steps", 1, "Calls averaged per update (weight_accumulation_steps).", 1, 1_000_000),
            ]),
    ];

    private static TechniqueDescriptor W(string name, string summary, TechniqueParameter[] parameters) => new()
    {
        Kind = TechniqueKinds.RewardWeighting,
        Name = name,
        Summary = summary,
        Paper = Paper,
        Spec = "rewards-and-classic R04",
        Parameters = parameters,
        Requires = [BatchColumns.RewardComponents],
        // Two objectives of the verifier (correctness and format): a weighting needs more than one to weigh.
        Example = TechniqueExamples.Train($"reward.weighting={name}", "reward.weights.correct=1", "reward.weights.format=1"),
    };
}
