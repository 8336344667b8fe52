using Rewire.Core.Rewards;
using Rewire.Tasks;
using Rewire.Torch.Models;
using Rewire.Torch.Preferences;
using Rewire.Torch.Tokenizers;

namespace Rewire.Torch.Tests.Preferences;

/// <summary>
/// A reward model's component is freed only when no scoring call is running: the reward pipeline stops waiting for a
/// batch that overruns its time budget, but the batch keeps running on its thread, and freeing the model under it
/// crashed the process (a segmentation fault in the native library). After Dispose a call fails, and is counted like any
/// failing reward function, instead of reading freed memory.
/// </summary>
[Collection("torch")]
public sealed class RewardModelRewardDisposeTests
{
    private static RewardModelReward NewReward(ITask task)
    {
        Runtime.TorchRuntime.EnsureLoaded();
        int vocab = new CharTokenizer(task.Alphabet).VocabSize;
        var backbone = new TransformerPolicy(new TransformerConfig { VocabSize = vocab, Layers = 1, Heads = 2, Width = 16, ContextLength = 64 }.Validate());
        var reward = RewardModelReward.Pending(task);
        reward.Attach(new RewardModel(backbone, "bradley_terry", task.Name, task.Alphabet));
        return reward;
    }

    [Fact]
    public async Task Dispose_waits_for_a_running_call_and_later_calls_fail_instead_of_reading_freed_memory()
    {
        var task = TaskRegistry.CreateDefault().Create("reverse");
        var reward = NewReward(task);
        var rollouts = task.GenerateMany(Split.Test, 1, 4).Select(p => new Rollout(p, p.Answer!)).ToList();
        Assert.Equal(4, (await reward.ScoreAsync(rollouts)).Count);

        // A thread holding the gate stands for a scoring call still running after the pipeline stopped waiting for it.
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var holder = new Thread(() =>
        {
            lock (reward.Gate)
            {
                entered.Set();
                release.Wait();
            }
        });
        holder.Start();
        entered.Wait();
        var dispose = Task.Run(reward.Dispose);
        Assert.NotSame(dispose, await Task.WhenAny(dispose, Task.Delay(300)));   // not freed under the running call
        release.Set();
        await dispose.WaitAsync(TimeSpan.FromSeconds(60));
        holder.Join();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await reward.ScoreAsync(rollouts));
        reward.Dispose();   // twice is harmless
    }
}
