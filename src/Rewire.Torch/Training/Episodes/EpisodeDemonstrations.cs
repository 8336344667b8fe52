// The supervised warm start of an environment run: the environment's scripted expert plays an episode from each start
// state of the training pool (with task.demo_error_rate mistakes per turn), written in exactly the layout the policy
// will see (EpisodeFormat: action, end-of-turn token, observation ending in the turn marker, ...). A start that carries
// the environment's plan hint (env.demo_hint_share, Agent-RLVR's guidance) is demonstrated by following the plan. The policy is trained
// on its actions and end-of-turn tokens only; observations are context (mask 0), as in RL.
using Rewire.Core.Rewards;
using Rewire.Tasks.Environments;
using Rewire.Torch.Tokenizers;

namespace Rewire.Torch.Training;

/// <summary>Scripted episodes as masked demonstrations.</summary>
public static class EpisodeDemonstrations
{
    /// <summary>The scripted episode from <paramref name="start"/> as one demonstration.</summary>
    public static Demonstration For(EnvironmentTask task, Prompt start, PromptTemplate template, ITokenizer tokenizer, EnvOptions env,
        double errorRate, Random random)
    {
        // A guided start (env.demo_hint_share) is demonstrated by following its hint, so the policy learns to read hints.
        var turns = EnvironmentGuidance.IsGuided(start)
            ? task.Replay(start, EnvironmentGuidance.PlanActions(task, start))
            : task.ScriptedEpisode(start, errorRate, random);
        var response = new List<int>();
        var mask = new List<float>();
        for (int k = 0; k < turns.Count; k++)
        {
            int[] action = [.. tokenizer.Encode(turns[k].Action), tokenizer.EosId];
            response.AddRange(action);
            mask.AddRange(Enumerable.Repeat(1f, action.Length));
            if (turns[k].Step.Done || k == turns.Count - 1) break;
            var observation = Episode.ObservationTokens(tokenizer, turns[k].Step.Observation, env.MaxObservationTokens);
            response.AddRange(observation);
            mask.AddRange(Enumerable.Repeat(0f, observation.Length));
        }
        return new Demonstration(template.Encode(start, tokenizer), response.ToArray(), mask.ToArray());
    }
}
