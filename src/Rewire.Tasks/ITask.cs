using Rewire.Core.Rewards;

namespace Rewire.Tasks;

/// <summary>Which half of a task's problem space a prompt comes from. A problem belongs to exactly one split, whatever the seed.</summary>
public enum Split
{
    /// <summary>The training half of the problem space (1 − <see cref="Common.SplitAssignment.TestFraction"/> of all problems).</summary>
    Train,
    /// <summary>The held-out half, for evaluation (<see cref="Common.SplitAssignment.TestFraction"/> of all problems).</summary>
    Test,
}

/// <summary>
/// A verifiable task suite: a seeded generator of prompts over difficulty levels, a verifier that grades completions with
/// named components, and a demonstrator that writes (optionally imperfect) reference completions for a supervised warm start.
/// </summary>
public interface ITask
{
    /// <summary>The registry name, also written to <see cref="Prompt.Task"/>.</summary>
    string Name { get; }

    /// <summary>The values <see cref="Prompt.Domain"/> can take, for domain-aware sampling.</summary>
    IReadOnlyList<string> Domains { get; }

    /// <summary>Difficulty levels are 1..MaxDifficulty (1 = easiest).</summary>
    int MaxDifficulty { get; }

    /// <summary>Every character a prompt or a demonstration can contain, sorted, without duplicates (for a character tokenizer).</summary>
    string Alphabet { get; }

    /// <summary>The prompt number <paramref name="index"/> of the given split, seed and difficulty. Same arguments, same prompt.</summary>
    Prompt Generate(Split split, int seed, int index, int difficulty = 1);

    /// <summary>The first <paramref name="count"/> prompts (indices 0..count-1) of the given split, seed and difficulty.</summary>
    IReadOnlyList<Prompt> GenerateMany(Split split, int seed, int count, int difficulty = 1);

    /// <summary>Grades completions of this task's prompts. Never throws on model text; malformed text gets zero with a reason.</summary>
    IRewardFunction Verifier { get; }

    /// <summary>
    /// A completion in exactly the format the verifier accepts. With probability <paramref name="errorRate"/> it is a plausible
    /// wrong answer in the same format (for example one digit off), otherwise a correct one.
    /// </summary>
    string Demonstrate(Prompt prompt, double errorRate, Random random);
}
