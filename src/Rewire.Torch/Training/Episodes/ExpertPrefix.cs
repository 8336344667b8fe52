// The states of Mobile-R1's action-level stage ("Mobile-R1: Towards Interactive Reinforcement Learning for VLM-Based
// Mobile Agent via Task-Level Rewards"): the paper trains single steps on the states of annotated expert trajectories.
// Here the annotation is the environment's scripted expert (IExpertEnvironment):
//
//   L        <- length of the expert's trajectory from the start state (at most env.max_turns turns)
//   k        <- uniform in 0..L-1 (a state the expert passes through before its last action)
//   state    <- reset, then the expert's first k actions, written exactly as an episode's context in the run's episode
//               format (IEpisodeFormat): first observation (prompt), then per turn: action, end-of-turn token, observation
//               (cut to env.max_observation_tokens; in the character layout ending with the turn marker, in a chat
//               template the end of the assistant turn, the observation's user message and the generation prompt)
//   a*       <- the expert's action at that state (its (k+1)-th action)
//
// The context is the state the policy would see had it played the expert's actions itself, so one single-step sample from
// it is one turn of an episode. Every token of it is context (the prompt of the single-step row), none is trained.
using Rewire.Core.Rewards;
using Rewire.Tasks.Environments;

namespace Rewire.Torch.Training;

/// <summary>A state on an expert trajectory: its tokens, the expert's next action, and the environment at that state.</summary>
/// <param name="Context">The prompt's tokens followed by the prefix's actions and observations (what the policy sees).</param>
/// <param name="ExpertAction">The expert's action at this state.</param>
/// <param name="PrefixTurns">k: the expert actions taken before this state.</param>
/// <param name="ExpertTurns">L: the turns of the expert's whole trajectory from the start state.</param>
/// <param name="Environment">The environment at this state (its format and match checks).</param>
internal sealed record ExpertState(int[] Context, string ExpertAction, int PrefixTurns, int ExpertTurns, IExpertEnvironment Environment);

/// <summary>Rolls an environment's scripted expert to a random prefix of its trajectory.</summary>
internal static class ExpertPrefix
{
    /// <summary>
    /// The state after a uniformly drawn prefix k ∈ [0, L) of the expert's trajectory from <paramref name="start"/>; k is
    /// lowered when the context would leave fewer than <paramref name="actionBudget"/> tokens of <paramref name="maxContext"/>
    /// for the next action (never happens when the context was derived from the episodes' budget).
    /// </summary>
    public static ExpertState Sample(EnvironmentTask task, Prompt start, IEpisodeFormat format, Random random, int maxContext, int actionBudget)
    {
        int length = ExpertLength(task, start);
        return At(task, start, format, random.Next(length), maxContext, actionBudget);
    }

    /// <summary>L: the turns of the expert's trajectory from <paramref name="start"/> (until the environment ends it, at most env.max_turns).</summary>
    public static int ExpertLength(EnvironmentTask task, Prompt start)
    {
        var env = task.Create();
        var expert = Expert(env, task.Name);
        env.Reset(EnvironmentTask.SeedOf(start));
        for (int t = 1; t <= task.MaxTurns; t++)
            if (env.Step(expert.ExpertAction()).Done) return t;
        return task.MaxTurns;
    }

    /// <summary>The state after the expert's first <paramref name="prefixTurns"/> actions from <paramref name="start"/>.</summary>
    public static ExpertState At(EnvironmentTask task, Prompt start, IEpisodeFormat format, int prefixTurns, int maxContext = int.MaxValue, int actionBudget = 0)
    {
        int length = ExpertLength(task, start);
        ArgumentOutOfRangeException.ThrowIfNegative(prefixTurns);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(prefixTurns, length);
        while (true)
        {
            var env = task.Create();
            var expert = Expert(env, task.Name);
            env.Reset(EnvironmentTask.SeedOf(start));
            var dialogue = format.Start(start, env);
            var context = new List<int>(dialogue.PromptTokens);
            for (int t = 0; t < prefixTurns; t++)
            {
                string action = expert.ExpertAction();
                var step = env.Step(action);
                if (step.Done) throw new InvalidOperationException($"environment '{task.Name}' ended before its expert's trajectory did (turn {t + 1} of {length})");
                var generated = format.ActionTokens(action);
                context.AddRange(generated);
                context.AddRange(dialogue.Continue(generated, action, step.Observation));
            }
            if (context.Count + actionBudget > maxContext && prefixTurns > 0) { prefixTurns--; continue; }
            return new ExpertState(context.ToArray(), expert.ExpertAction(), prefixTurns, length, expert);
        }
    }

    private static IExpertEnvironment Expert(ITextEnvironment env, string name) => env as IExpertEnvironment
        ?? throw new InvalidOperationException($"environment '{name}' has no annotated expert (IExpertEnvironment)");
}
