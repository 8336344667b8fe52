// Mobile-R1's staged training ("Mobile-R1: Towards Interactive Reinforcement Learning for VLM-Based Mobile Agent via
// Task-Level Rewards", Gu et al. 2025) in rewire train (rl.rollout=mobile_r1 with rl.environment):
//
//   stage 1  format fine-tuning            = the warm start on the environment's scripted episodes (sft.steps)
//   stage 2  action-level online training  = RL steps 1..N: single next-turn actions at states of the expert's
//                                            trajectories, R_action = R_Act + R_Fmt, GRPO over the G actions of a state
//   stage 3  task-level online training    = RL steps N+1..rl.steps: whole episodes with the task-level reward (the
//                                            environment's return), as every rl.environment run trains
//
// N = rollout.action_steps (0: half of rl.steps, RECONSTRUCTED: the paper trains each stage to its own budget and
// publishes no ratio). The stage is a function of the step, so a resumed run continues in the stage it stopped in; the
// checkpoint records the stage of its last step and a resume checks it.
using Rewire.Core.Techniques;
using Rewire.Tasks;
using Rewire.Tasks.Environments;

namespace Rewire.Torch.Training;

/// <summary>Which Mobile-R1 stage an RL step belongs to, and the settings the staged recipe refuses.</summary>
internal static class MobileR1Stages
{
    /// <summary>The rollout name that selects the staged training.</summary>
    public const string Name = "mobile_r1";

    /// <summary>The paper's number of the action-level stage.</summary>
    public const int ActionStage = 2;

    /// <summary>The paper's number of the task-level stage.</summary>
    public const int TaskStage = 3;

    /// <summary>True when the run trains in Mobile-R1's stages.</summary>
    public static bool Active(ResolvedTrainConfig c) => c.Rollout.Name == Name;

    /// <summary>N: the RL steps of the action-level stage (rollout.action_steps; 0: half of rl.steps, at least 1).</summary>
    public static int ActionSteps(ResolvedTrainConfig c)
    {
        int n = c.Rollout.Int("action_steps");
        return n > 0 ? n : Math.Max(1, c.Options.Rl.Steps / 2);
    }

    /// <summary>The stage of RL step <paramref name="step"/> (1-based): 2 for steps 1..N, 3 after.</summary>
    public static int StageOf(int step, int actionSteps) => step <= actionSteps ? ActionStage : TaskStage;

    /// <summary>What the staged recipe cannot run with, one message each (empty when it is not selected).</summary>
    public static IReadOnlyList<string> Check(ResolvedTrainConfig c, ITask task)
    {
        var errors = new List<string>();
        if (!Active(c)) return errors;
        var o = c.Options;
        string me = $"'rl.rollout' = '{Name}'";
        if (o.Rl.Environment.Length == 0)
        {
            errors.Add($"{me} trains an agent on an environment (action-level steps on its expert's states, then episodes): set rl.environment=maze or rl.environment=guess");
            return errors;
        }
        if (task is EnvironmentTask env && env.Create() is not IExpertEnvironment)
            errors.Add($"{me} rewards single actions by their match with the environment's annotated expert action, and environment '{o.Rl.Environment}' has none (IExpertEnvironment): choose rl.environment=maze or guess, or rl.rollout=sampling for task-level training only");
        if (c.Estimator.Descriptor.Requires.Contains(BatchColumns.StepRewards))
            errors.Add($"{me}: the action-level stage's rows are single actions without step rewards, which 'rl.estimator' = '{c.Estimator.Name}' reads; choose an outcome estimator (grpo, the paper's)");
        int n = c.Rollout.Int("action_steps");
        if (n >= o.Rl.Steps)
            errors.Add($"'rollout.action_steps' = {n} leaves no step of the task-level stage (rl.steps = {o.Rl.Steps}): give fewer action steps or more rl.steps");
        if (o.Rl.Steps < 2)
            errors.Add($"{me} needs at least 2 RL steps (one per stage); 'rl.steps' = {o.Rl.Steps}");
        return errors;
    }
}
