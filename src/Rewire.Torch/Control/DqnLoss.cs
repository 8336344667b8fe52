using static TorchSharp.torch;

namespace Rewire.Torch.Control;

/// <summary>
/// DQN's regression ("Human-level control through deep reinforcement learning", Mnih et al. 2015) with Stable-Baselines3's
/// Huber loss:
/// <code>
/// y = r + γ·(1 − done)·max_a' Q_target(s', a')                        (DQN)
/// y = r + γ·(1 − done)·Q_target(s', argmax_a' Q_online(s', a'))      (double DQN, van Hasselt, Guez, Silver 2016)
/// L = mean Huber(Q_online(s, a) − y)    (δ = 1: ½x² for |x| ≤ 1, |x| − ½ otherwise)
/// </code>
/// </summary>
public static class DqnLoss
{
    /// <summary>TD targets y [B] (no gradient) from next-state values of the target network [B, A] and, for double DQN, of the online network.</summary>
    public static Tensor Targets(Tensor rewards, Tensor dones, Tensor nextTargetQ, Tensor? nextOnlineQ, double gamma)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var next = nextOnlineQ is null
            ? nextTargetQ.max(-1).values
            : nextTargetQ.gather(-1, nextOnlineQ.argmax(-1, keepdim: true)).squeeze(-1);
        return (rewards + gamma * (1 - dones) * next).MoveToOuterDisposeScope();
    }

    /// <summary>The Huber loss between Q(s, a) (gathered from <paramref name="q"/> [B, A] at <paramref name="actions"/> [B]) and the targets.</summary>
    public static Tensor Loss(Tensor q, Tensor actions, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var current = q.gather(-1, actions.unsqueeze(-1)).squeeze(-1);
        return nn.functional.smooth_l1_loss(current, targets).MoveToOuterDisposeScope();
    }
}
