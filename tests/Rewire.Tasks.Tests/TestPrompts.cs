using Rewire.Core.Rewards;

namespace Rewire.Tasks.Tests;

internal static class TestPrompts
{
    public static Prompt Of(string task, string text, string answer, params (string Key, string Value)[] meta) =>
        new("hand/" + text, task, task, text, answer, 1, meta.ToDictionary(m => m.Key, m => m.Value));

    public static RewardResult Score(this ITask task, Prompt prompt, string completion) =>
        task.Verifier.Score(new Rollout(prompt, completion));
}
