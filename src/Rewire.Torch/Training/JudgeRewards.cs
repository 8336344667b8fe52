// reward.judge in RL: BRPO's pairwise reward (Writing-Zero) with the judge the key names: a trained generative judge
// (the folder of a `rewire train stage=rm rm.model=genrm` run, checked before any work) or `oracle`, the task's true
// utility (the positional item agreement with the reference answer) as a noiseless judge.
using Rewire.Core.Rewards;
using Rewire.Core.Rewards.Judges;
using Rewire.Tasks;
using Rewire.Tasks.Preferences;

namespace Rewire.Torch.Training;

/// <summary>The BRPO reward term of reward.judge (see the file header).</summary>
public static class JudgeRewards
{
    /// <summary>The value of reward.judge that selects the true-utility oracle.</summary>
    public const string Oracle = "oracle";

    /// <summary>The reward component's name.</summary>
    public const string ComponentName = "brpo";

    /// <summary>The BRPO reward with the judge <paramref name="judge"/> names, for <paramref name="task"/>.</summary>
    public static BrpoReward Create(string judge, ITask task, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(judge);
        ArgumentNullException.ThrowIfNull(task);
        IPairwiseJudge j = judge == Oracle
            ? new UtilityJudge((p, c) => TrueUtility.Of(p.Answer ?? throw new InvalidOperationException($"prompt {p.Id} has no reference answer for the oracle judge"), c))
            : Preferences.GenerativeJudge.Load(judge, task);
        return new BrpoReward(j, swap: true, seed: seed, name: ComponentName);
    }
}
