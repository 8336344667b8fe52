using Rewire.Core.Techniques;
using static Rewire.Core.Techniques.TechniqueParameter;

namespace Rewire.Core.Rewards;

/// <summary>
/// Descriptors of the generic reward functions (kind <c>reward</c>, added to a task's verifier with
/// <c>reward.functions=NAME[,NAME...]</c>, parameters <c>reward_function.NAME.PARAM</c>, weights
/// <c>reward.weights.NAME=w</c>). The descriptor is the one source of every default:
/// <see cref="RewardFunctionRegistry.Create(ResolvedTechnique)"/> builds a function from a resolved descriptor. Reward
/// functions read the completion text and the prompt's reference answer, no batch column.
/// </summary>
public static class RewardDescriptors
{
    /// <summary>The paper cited for verifiable (correctness) rewards.</summary>
    public const string RlvrPaper = "Tülu 3: Pushing Frontiers in Open Language Model Post-Training (verifiable rewards; arXiv 2411.15124)";
    /// <summary>The paper cited for format rewards (required tags, answer layout).</summary>
    public const string FormatPaper = "DeepSeek-R1: Incentivizing Reasoning Capability in LLMs via Reinforcement Learning (format rewards; arXiv 2501.12948)";

    /// <summary>The answer-extraction and reward-level parameters every verifier shares.</summary>
    private static TechniqueParameter[] Verifier(string extract) =>
    [
        Number("correct_reward", 1.0, "Reward of a correct answer."),
        Number("incorrect_reward", 0.0, "Reward of a wrong answer."),
        Number("no_answer_reward", 0.0, "Reward when no answer can be extracted."),
        Text("extract", extract, "Answer sources tried in order, comma-separated: tag, boxed, answer_line, last_number, whole (the completion itself)."),
        Text("tag", "answer", "The tag name of the tag source (<answer>...</answer>)."),
        Integer("max_answer_length", 4096, "Longest answer considered, in characters.", 1, 1_000_000),
        Integer("max_number_length", 256, "Longest number parsed, in characters.", 1, 100_000),
    ];

    /// <summary>Every generic reward function.</summary>
    public static IReadOnlyList<TechniqueDescriptor> All { get; } =
    [
        R("exact_match", "1 when the extracted answer equals the reference after normalisation, else 0.", RlvrPaper,
            [.. Verifier("tag,boxed,answer_line,last_number"), Boolean("ignore_case", true, "Compare case-insensitively.")],
            // The default task's answer is the whole completion ("4 1 3"), so the example extracts it whole.
            ["reward_function.exact_match.extract=whole"]),
        R("numeric", "1 when the extracted number equals the reference within tolerance (exact for integers).", RlvrPaper,
            [
                .. Verifier("tag,boxed,answer_line,last_number"),
                Number("relative_tolerance", 1e-9, "Relative tolerance of the comparison.", 0, 1),
                Number("absolute_tolerance", 1e-12, "Absolute tolerance of the comparison.", 0, 1e300),
                Boolean("exact_integers", true, "Compare integers exactly (no tolerance)."),
            ], ["task.name=arithmetic"]),
        R("multiple_choice", "1 when the extracted choice letter equals the reference letter.", RlvrPaper,
            [.. Verifier("tag,boxed,answer_line"), Text("letters", "ABCDEFGHIJ", "The valid choice letters.")], []),
        R("format_regex", "A fixed reward when the completion matches a regular expression (a format reward).", FormatPaper,
            [
                Text("pattern", "", "The regular expression (required), e.g. ^<think>."),
                Boolean("full_match", false, "Require the whole completion to match."),
                Number("reward", 1.0, "Reward of a match."),
                Number("timeout_ms", 100, "Regex timeout in milliseconds.", 1e-3, 1e9),
                Boolean("backtracking", false, "Use the backtracking engine (lookarounds, backreferences) instead of the non-backtracking one."),
            ], ["reward_function.format_regex.pattern=\\d"]),
        R("required_tags", "A reward for the presence of required tags (all, or the share present).", FormatPaper,
            [
                Text("tags", "think,answer", "Required tag names, comma-separated."),
                Boolean("partial", false, "Give the share of tags present instead of all-or-nothing."),
                Number("reward", 1.0, "Reward when every tag is present."),
            ], []),
        R("random", "A spurious reward: Bernoulli(p) coin flips independent of the response.",
            "Spurious Rewards: Rethinking Training Signals in RLVR (arXiv 2506.10947)",
            [
                Integer("seed", 0, "Seed of the coin flips."),
                Number("probability", 0.5, "p, the chance of the high reward.", 0, 1),
                Number("high", 1.0, "The high reward."),
                Number("low", 0.0, "The low reward."),
            ], []) with { Spec = "rlvr T14" },
        R("rubric", "A rubric of weighted criteria (format, items, order, length of a list answer) scored as their weighted average; each criterion reported as rubric/NAME.",
            RubricPaper,
            [
                Text("criteria", "format,items,order,length", "The criteria, comma-separated, from: format, items, order, length."),
                Text("weights", "", "The criteria's weights w_i, comma-separated in the order of 'criteria'; empty: equal weights."),
                Boolean("graded", true, "Graded judgements in [0, 1] (true) or binary: a criterion counts only when fully met (false)."),
            ], []) with
        {
            Spec = "rewards-and-classic R09",
            DefaultsNote = "RECONSTRUCTED: the aggregation Σ w_i·V_i / Σ w_j is the paper's; the criteria are rule checks against the reference answer (the paper extracts nuggets and judges them with a trained 4B verifier), equal weights and graded judgements by default",
        },
    ];

    /// <summary>The paper cited for the rubric verifier.</summary>
    public const string RubricPaper = "An Efficient Rubric-based Generative Verifier for Search-Augmented LLMs (Search-Gen-V; arXiv 2510.14660)";

    private static TechniqueDescriptor R(string name, string summary, string paper, TechniqueParameter[] parameters, string[] exampleSettings) => new()
    {
        Kind = TechniqueKinds.Reward,
        Name = name,
        Summary = summary,
        Paper = paper,
        Parameters = parameters,
        Example = TechniqueExamples.Train([$"reward.functions={name}", .. exampleSettings]),
    };
}
