using Rewire.Core.Techniques;

namespace Rewire.Tasks;

/// <summary>
/// Descriptors of the tasks (kind <c>task</c>, selected with <c>task.name=NAME</c>) and of the multi-turn text
/// environments (kind <c>environment</c>). Task factories take no parameters (the split sizes and difficulty are
/// <c>task.*</c> settings of the trainer); a task provides batch columns rather than reading them, so
/// <c>Requires</c> is empty. An environment's example trains on its episodes (<c>rewire train rl.environment=NAME</c>).
/// </summary>
public static class TaskDescriptors
{
    private const string Synthetic = "Rewire's synthetic verifiable task (no paper)";

    /// <summary>Every task and environment.</summary>
    public static IReadOnlyList<TechniqueDescriptor> All => [.. Tasks, .. Environments];

    /// <summary>Kind <c>task</c>.</summary>
    public static IReadOnlyList<TechniqueDescriptor> Tasks { get; } =
    [
        T("arithmetic", "Addition, subtraction and multiplication of d-digit numbers (d = difficulty); one domain per operation.", Synthetic),
        T("addition", "Addition of d-digit numbers only: the rule a small model learns quickly.", Synthetic),
        T("countdown", "Countdown: combine the given numbers with + - * / to reach the target.",
            "Stream of Search (SoS): Learning to Search in Language (arXiv 2404.03683)"),
        T("lists", "List operations (sort, reverse, unique, k-th element); one domain per operation.", Synthetic),
        T("reverse", "List reversal only: a copying rule a small transformer learns in minutes (the default task).", Synthetic),
        T("reasoning", "Rule-based reasoning over family, graph, ordering and set domains.",
            "RuleReasoner: Reinforced Rule-based Reasoning via Domain-aware Dynamic Sampling (arXiv 2506.08672)"),
        new()
        {
            Kind = TechniqueKinds.Task,
            Name = "dataset",
            Summary = "Your own data: JSONL or Parquet records with a prompt (or chat messages) and a reference answer, graded by a verifier chosen by name.",
            Paper = "Rewire's file-backed task (no paper); the answer formats follow DeepSeek-R1's <answer> tags and the MATH benchmark's \\boxed{} convention",
            Parameters =
            [
                TechniqueParameter.Text("path", "", "The .jsonl or .parquet file (relative to the current directory)."),
                TechniqueParameter.Text("prompt_field", "prompt", "Field holding the prompt text."),
                TechniqueParameter.Text("messages_field", "messages", "Field holding chat messages [{role, content}]; the last user turn is the prompt."),
                TechniqueParameter.Text("answer_field", "answer", "Field holding the reference answer (a string or a number)."),
                TechniqueParameter.Text("tests_field", "tests", "Field holding a code record's Python tests (a list of strings)."),
                TechniqueParameter.Text("domain_field", "domain", "Field holding the domain (optional)."),
                TechniqueParameter.Text("difficulty_field", "difficulty", "Field holding the difficulty 1..10 (optional)."),
                TechniqueParameter.Text("split_field", "split", "Field holding train or test (optional; when every record has it, it decides the split)."),
                TechniqueParameter.Choice("verifier", "exact", "How answers are graded: normalised exact match, numbers within task.tolerance, math answers from \\boxed{}/<answer>/the final line, task.pattern's capture group, or the record's tests in the Python sandbox.", "exact", "numeric", "math", "regex", "code"),
                TechniqueParameter.Number("tolerance", 1e-6, "Relative and absolute tolerance of the numeric and math verifiers.", 0, 1e6),
                TechniqueParameter.Text("pattern", "", "The regex verifier's pattern, with a capture group (named answer, or the first) around the answer."),
                TechniqueParameter.Number("test_fraction", 0.2, "Share held out for testing when the file has no split column.", 0, 0.99),
                TechniqueParameter.Integer("split_seed", 0, "Seed of the train/test shuffle.", 0, int.MaxValue),
                TechniqueParameter.Choice("format", "plain", "How completions mark the final answer.", "plain", "boxed", "answer_tag"),
            ],
            Example = TechniqueExamples.Train("task.name=dataset", "task.path=examples/datasets/addition.jsonl", "task.verifier=numeric"),
        },
        T("programs", "Program synthesis in a small language, graded by unit tests (per-test outcomes for dense code rewards).",
            "VeRPO: Verifiable Dense Reward Policy Optimization for Code Generation (arXiv 2601.03525)"),
    ];

    /// <summary>Kind <c>environment</c>: selected with <c>rl.environment=NAME</c>, a rollout becomes an episode.</summary>
    public static IReadOnlyList<TechniqueDescriptor> Environments { get; } =
    [
        Env("guess", "Multi-turn number guessing with step rewards for consistent guesses and an outcome reward for finding the secret.",
            "Stabilizing Long-term Multi-turn Reinforcement Learning with Gated Rewards (arXiv 2508.10548)", "rewards-and-classic R03",
            "RECONSTRUCTED: the reward levels are design choices. Optimal: binary search finds any secret of 1..64 in at most 7 guesses (success 1.0)",
            "env.max_turns=8", "rl.max_new_tokens=4"),
        Env("search", "Multi-turn search over a small knowledge base with a judge action rewarded for correct relevance judgments.",
            "ReSeek: A Self-Correcting Framework for Search Agents with Instructive Rewards (arXiv 2510.00568)", "rewards-and-classic R10",
            "RECONSTRUCTED: reward magnitude α = 0.2 and threshold τ = 0.75. Scripted: search, read, judge, answer (success 1.0 in 4 turns when no document misleads)",
            "env.max_turns=6", "rl.max_new_tokens=20", "env.max_observation_tokens=24"),
        Env("maze", "A text maze under partial observability (the open exits and the goal's compass direction only) with a sparse goal reward.",
            "Rewire's text environment (no paper); the multi-turn setting of G-RA and ReSeek in its simplest form",
            "rewards-and-classic R03",
            "Reference: the scripted depth-first explorer of docs/agents.md reaches the goal of the 4x4 mazes within 16 moves in most episodes; shortest paths (map known) are given by MazeEnvironment.ShortestPath",
            "env.max_turns=16", "rl.max_new_tokens=3", "env.max_observation_tokens=8"),
        Env("calc", "Three-digit multiplication with a calculator tool: call it (a JSON object in a tagged tool block), then answer its result.",
            "Rewire's tool-use environment (no paper); the tool-call format of docs/agents.md",
            "rewards-and-classic R10",
            "Scripted: one calculator call, then the answer (success 1.0 in 2 turns); without the tool a small model rarely multiplies right",
            "env.max_turns=3", "rl.max_new_tokens=56", "env.max_observation_tokens=16"),
        new()
        {
            Kind = TechniqueKinds.Environment,
            Name = "repair",
            Summary = "Code repair: edit a one-line bug of a small Python function; each edit runs the unit tests in the code sandbox and shows the first failure; a python tool runs code against the current program.",
            Paper = "Rewire's tool-use environment (no paper); the edit, run tests, observe failures loop of code agents",
            Spec = "rewards-and-classic R10",
            DefaultsNote = "Scripted: one edit with the right line (success 1.0 in 1 turn). Needs the code sandbox (Linux, root, python3); rewire train refuses it with the reason elsewhere",
            // Few episodes: every edit runs the tests in fresh sandboxes (processes).
            Example = TechniqueExamples.Train(["rl.environment=repair", "env.max_turns=2", "rl.max_new_tokens=32", "env.max_observation_tokens=32",
                "rl.sampler=uniform", "rl.prompts_per_step=2", "rl.group_size=4", "rl.steps=2", "task.train_size=100", "sft.steps=150",
                "task.test_size=4", "eval.samples=1", "eval.pass_k=1"]),
        },
    ];

    private static TechniqueDescriptor T(string name, string summary, string paper) => new()
    {
        Kind = TechniqueKinds.Task,
        Name = name,
        Summary = summary,
        Paper = paper,
        Example = TechniqueExamples.Train($"task.name={name}"),
    };

    private static TechniqueDescriptor Env(string name, string summary, string paper, string spec, string note, params string[] settings) => new()
    {
        Kind = TechniqueKinds.Environment,
        Name = name,
        Summary = summary,
        Paper = paper,
        Spec = spec,
        DefaultsNote = note,
        // The small GPT is warm-started on the environment's scripted episodes, then trained on its own episodes.
        // One sampling round per step (the uniform sampler): DAPO's refills would multiply the episodes of a step.
        Example = TechniqueExamples.Train([$"rl.environment={name}", .. settings, "rl.sampler=uniform", "rl.prompts_per_step=8", "rl.group_size=8",
            "task.train_size=400", "sft.steps=150", "eval.samples=2", "eval.pass_k=2"]),
    };
}
