// What rl.environment changes in a run's configuration: the task (the environment's start states), the response budget
// the model's context must hold (every turn and the observations between them), and the combinations that episodes do
// not support yet, refused before any work with what to change.
using Rewire.Core.Configuration;
using Rewire.Tasks;
using Rewire.Tasks.Environments;

namespace Rewire.Torch.Training;

/// <summary>The environment side of a run's configuration.</summary>
public static class EpisodeSettings
{
    /// <summary>True when the run trains on episodes of rl.environment.</summary>
    public static bool Multiturn(TrainOptions o) => o.Rl.Environment.Length > 0 && !o.Env.OpenLoop;

    /// <summary>True when the run trains on rl.environment's open-loop form (env.open_loop=true): one completion per episode, no turns.</summary>
    public static bool OpenLoop(TrainOptions o) => o.Rl.Environment.Length > 0 && o.Env.OpenLoop;

    /// <summary>The task of an environment run: the start states of rl.environment, episodes of at most env.max_turns turns.</summary>
    /// <param name="o">The run's options.</param>
    /// <param name="registry">The environments <c>rl.environment</c> picks from (<see cref="TrainingRegistries.Environments"/>).</param>
    public static EnvironmentTask CreateTask(TrainOptions o, EnvironmentRegistry registry)
    {
        if (!registry.Contains(o.Rl.Environment))
            throw new ConfigurationException([$"'rl.environment' = '{o.Rl.Environment}' is not available in rewire train; valid: {string.Join(", ", registry.Names)}"]);
        string name = o.Rl.Environment;
        return new EnvironmentTask(name, () => registry.Create(name), o.Env.MaxTurns);
    }

    /// <summary>True when prompts may carry an environment's hint (rl.rollout=agent_rlvr, or hinted warm-start episodes).</summary>
    public static bool Guided(TrainOptions o) => Multiturn(o) && (o.Rl.Rollout == "agent_rlvr" || o.Env.DemoHintShare > 0);

    /// <summary>Response tokens a rollout can take: rl.max_new_tokens, or for an episode every turn and the observations between them.</summary>
    public static int ResponseBudget(TrainOptions o) => Multiturn(o) ? o.Env.ResponseBudget(o.Rl.MaxNewTokens) : o.Rl.MaxNewTokens;

    /// <summary>Settings that episodes do not support, one message each (empty for a single-turn run).</summary>
    public static IReadOnlyList<string> Check(TrainOptions o)
    {
        var errors = new List<string>();
        if (o.Env.OpenLoop)
        {
            string open = "'env.open_loop' = true";
            if (o.Rl.Environment.Length == 0)
                errors.Add($"{open} is the single-turn form of an environment: set rl.environment=NAME (maze, guess, search, calc) or drop env.open_loop");
            else
            {
                if (o.Model.IsHuggingFace)
                    errors.Add($"{open} runs the small GPT only (its completions are the environment's characters): drop model.path");
                if (o.Rl.Rollout == "agent_rlvr" || o.Env.DemoHintShare > 0)
                    errors.Add($"{open}: Agent-RLVR's hints (rl.rollout=agent_rlvr, env.demo_hint_share) re-roll episodes; drop them or env.open_loop");
                if (o.Reward.Functions.Count > 0 || o.Reward.Weights.Count > 0 || o.Reward.Weighting != "none")
                    errors.Add($"{open}: a completion's reward is its replay through the environment; drop reward.functions, reward.weights and reward.weighting");
                if (o.Rl.Environment == "repair" && CodeRepairEnvironment.SandboxProblem() is { } sandbox)
                    errors.Add($"'rl.environment' = 'repair' runs unit tests in the code sandbox, which this machine cannot provide ({sandbox}); choose another environment");
            }
            return errors;
        }
        if (!Multiturn(o))
        {
            if (o.Rl.Rollout == "agent_rlvr")
                errors.Add("'rl.rollout' = 'agent_rlvr' re-rolls failed episodes with an environment's hint: set rl.environment=NAME (maze, guess, search, calc) or choose rl.rollout=sampling");
            if (o.Env.DemoHintShare > 0)
                errors.Add($"'env.demo_hint_share' = {o.Env.DemoHintShare} applies to the warm start of an environment run: set rl.environment=NAME or drop the key");
            return errors;
        }
        string env = $"'rl.environment' = '{o.Rl.Environment}'";
        if (o.Model.IsHuggingFace && o.Env.DemoHintShare > 0)
            errors.Add($"{env} with model.path: 'env.demo_hint_share' applies to the small GPT's scripted warm start, which a Hugging Face model skips: drop env.demo_hint_share");
        if (o.Rl.Rollout is not ("sampling" or "agent_rlvr" or "mobile_r1"))
            errors.Add($"{env} generates each turn by sampling; 'rl.rollout' = '{o.Rl.Rollout}' is for single-turn completions: drop rl.rollout");
        if (o.Reward.Functions.Count > 0 || o.Reward.Weights.Count > 0 || o.Reward.Weighting != "none")
            errors.Add($"{env}: an episode's rewards come from the environment (outcome and step rewards); drop reward.functions, reward.weights and reward.weighting");
        if (o.Rl.Environment == "repair" && CodeRepairEnvironment.SandboxProblem() is { } problem)
            errors.Add($"{env} runs unit tests in the code sandbox, which this machine cannot provide ({problem}); choose another environment");
        if (o.Reward.Shaping.Contains("dot"))
            errors.Add($"{env}: 'dot' truncates responses, which would cut an episode between its turns; drop it from reward.shaping");
        return errors;
    }
}
