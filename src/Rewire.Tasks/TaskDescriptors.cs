using Rewire.Core.Techniques;

namespace Rewire.Tasks;

/// <summary>
/// Descriptors of the tasks (kind <c>task</c>, selected with <c>task.name=NAME</c>) and of the multi-turn text
/// environments (kind <c>environment</c>). Task factories take no parameters (the split sizes and difficulty are
/// <c>task.*</c> settings of the trainer); a task provides batch columns rather than reading them, so
/// <c>Requires</c> is empty. No command runs an environment yet (multi-turn rollouts come with a later issue), so an
/// environment's example prints its descriptor.
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
        T("programs", "Program synthesis in a small language, graded by unit tests (per-test outcomes for dense code rewards).",
            "VeRPO: Verifiable Dense Reward Policy Optimization for Code Generation (arXiv 2601.03525)"),
    ];

    /// <summary>Kind <c>environment</c>.</summary>
    public static IReadOnlyList<TechniqueDescriptor> Environments { get; } =
    [
        Env("guess", "Multi-turn number guessing with step rewards for consistent guesses and an outcome reward for finding the secret.",
            "Stabilizing Long-term Multi-turn Reinforcement Learning with Gated Rewards (arXiv 2508.10548)", "rewards-and-classic R03",
            "RECONSTRUCTED: the reward levels are design choices"),
        Env("search", "Multi-turn search over a small knowledge base with a judge action rewarded for correct relevance judgments.",
            "ReSeek: A Self-Correcting Framework for Search Agents with Instructive Rewards (arXiv 2510.00568)", "rewards-and-classic R10",
            "RECONSTRUCTED: reward magnitude α = 0.2 and threshold τ = 0.75"),
    ];

    private static TechniqueDescriptor T(string name, string summary, string paper) => new()
    {
        Kind = TechniqueKinds.Task,
        Name = name,
        Summary = summary,
        Paper = paper,
        Example = TechniqueExamples.Train($"task.name={name}"),
    };

    private static TechniqueDescriptor Env(string name, string summary, string paper, string spec, string note) => new()
    {
        Kind = TechniqueKinds.Environment,
        Name = name,
        Summary = summary,
        Paper = paper,
        Spec = spec,
        DefaultsNote = note,
        Example = ["list", name, "--json"],
    };
}
