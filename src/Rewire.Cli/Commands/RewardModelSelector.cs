// The RM-guided form of best-of-N ("Review, Refine, Repeat: Understanding Iterative Decoding of AI Agents with Dynamic
// Evaluation and Selection", IAD, selects with a learned evaluator as well as with verifiers): the candidates of
// `rewire eval RUN --best-of N --selector RM` are ranked by a reward model trained by `rewire train stage=rm` on the run's
// task, r(x, y), instead of by the task's own reward; the selected candidate is still graded by the task's verifier.
using Rewire.Core.Configuration;
using Rewire.Core.Rewards;
using Rewire.Tasks;
using Rewire.Torch.Preferences;

namespace Rewire.Cli.Commands;

/// <summary>A reward model (the folder of a `stage=rm` run) as best-of-N's selector: a candidate's score is the model's r(x, y).</summary>
internal sealed class RewardModelSelector : IRewardFunction, IDisposable
{
    private readonly RewardModelReward _model;

    private RewardModelSelector(RewardModelReward model) => _model = model;

    /// <summary>Why <paramref name="folder"/> cannot select for <paramref name="task"/> (not a reward model, or one of another task); null when it can.</summary>
    public static string? Problem(string folder, ITask task) =>
        RewardModelReward.Problem(folder, task)?.Replace("'reward.model'", "'--selector'", StringComparison.Ordinal);

    /// <summary>Loads the reward model of <paramref name="folder"/>; a folder that is not one is a <see cref="ConfigurationException"/>.</summary>
    public static RewardModelSelector Load(string folder, ITask task)
    {
        if (Problem(folder, task) is { } problem) throw new ConfigurationException([problem]);
        return new RewardModelSelector(RewardModelReward.Load(folder, task));
    }

    public string Name => RewardModelReward.ComponentName;

    /// <summary>
    /// The model's r(x, y); a candidate the model cannot read (a character outside its alphabet, e.g. a decoded special
    /// token) is a failed score, which best-of-N ranks last, never an exception.
    /// </summary>
    public RewardResult Score(Rollout rollout)
    {
        try { return _model.ScoreAsync([rollout]).AsTask().GetAwaiter().GetResult()[0]; }
        catch (ArgumentException e) { return RewardResult.Failure($"the reward model cannot read this candidate: {e.Message}", double.NegativeInfinity); }
    }

    public void Dispose() => _model.Dispose();
}
