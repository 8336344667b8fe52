namespace Rewire.Tasks.Reasoning;

/// <summary>One domain of synthetic rules and facts whose questions have a yes/no answer.</summary>
public interface IReasoningDomain
{
    /// <summary>The domain name written to <see cref="Rewire.Core.Rewards.Prompt.Domain"/>.</summary>
    string Name { get; }

    /// <summary>Every character this domain's prompts can contain.</summary>
    string Alphabet { get; }

    /// <summary>A question whose answer is <paramref name="answer"/>: (canonical form, prompt text).</summary>
    (string Canonical, string Text) Create(Random random, int difficulty, bool answer);
}

internal static class Names
{
    public static char[] Letters(Random random, int count)
    {
        var all = "abcdefghijkl".ToCharArray();
        random.Shuffle(all);
        return all[..count];
    }
}
