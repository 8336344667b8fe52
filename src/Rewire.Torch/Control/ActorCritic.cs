using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rewire.Torch.Control;

/// <summary>
/// Stable-Baselines3's <c>ActorCriticPolicy</c> for vector observations: separate policy and value MLPs (tanh, orthogonal
/// initialisation; output gains 0.01 for the policy and 1 for the value). Discrete actions: a categorical distribution
/// over the policy head's logits. Continuous actions: a diagonal Gaussian with the head as mean and a learned,
/// state-independent log standard deviation (initialised to <c>logStdInit</c>).
/// </summary>
public sealed class ActorCritic : nn.Module
{
    private readonly Sequential pi;
    private readonly Sequential vf;
    private readonly Parameter? log_std;

    /// <param name="observationSize">Length of the observation vector.</param>
    /// <param name="actions">Number of discrete actions, or the action dimension when <paramref name="continuous"/>.</param>
    /// <param name="continuous">True for a Gaussian over a continuous action box, false for a categorical over
    /// discrete actions.</param>
    /// <param name="hidden">Hidden layer widths of both MLPs (policy and value).</param>
    /// <param name="logStdInit">Initial log standard deviation of the Gaussian (continuous only).</param>
    /// <param name="seed">Seed of the orthogonal initialisation.</param>
    public ActorCritic(int observationSize, int actions, bool continuous, IReadOnlyList<int> hidden, double logStdInit, long seed) : base(nameof(ActorCritic))
    {
        Continuous = continuous;
        ObservationSize = observationSize;
        Actions = actions;
        using var g = new Generator((ulong)seed);
        pi = ControlNetworks.Mlp(observationSize, hidden, actions, ControlActivation.Tanh, 0.01, g);
        vf = ControlNetworks.Mlp(observationSize, hidden, 1, ControlActivation.Tanh, 1.0, g);
        if (continuous) log_std = new Parameter(full(actions, logStdInit));
        RegisterComponents();
    }

    /// <summary>True for a continuous (Gaussian) policy, false for a discrete (categorical) one.</summary>
    public bool Continuous { get; }
    /// <summary>Length of the observation vector.</summary>
    public int ObservationSize { get; }
    /// <summary>Number of discrete actions, or the action dimension of a continuous policy.</summary>
    public int Actions { get; }

    /// <summary>Logits (discrete) or means (continuous) [B, actions], and values [B].</summary>
    public (Tensor Head, Tensor Values) Forward(Tensor observations)
    {
        using var scope = NewDisposeScope();
        var head = pi.forward(observations);
        var v = vf.forward(observations).squeeze(-1);
        return (head.MoveToOuterDisposeScope(), v.MoveToOuterDisposeScope());
    }

    /// <summary>The log standard deviation [actions] (continuous only).</summary>
    public Tensor LogStd => log_std ?? throw new InvalidOperationException("a categorical policy has no standard deviation.");

    /// <summary>V(s) [B].</summary>
    public Tensor Value(Tensor observations) => vf.forward(observations).squeeze(-1);

    /// <summary>Values [B], log π(a|s) [B] and entropies [B] with gradient. Actions: int64 [B] (discrete) or float [B, actions].</summary>
    public (Tensor Values, Tensor LogProbs, Tensor Entropies) Evaluate(Tensor observations, Tensor actions)
    {
        using var scope = NewDisposeScope();
        var (head, values) = Forward(observations);
        Tensor logp, entropy;
        if (!Continuous)
        {
            var all = head.log_softmax(-1);
            logp = all.gather(-1, actions.unsqueeze(-1)).squeeze(-1);
            entropy = -(all.exp() * all).sum(-1);
        }
        else
        {
            (logp, entropy) = GaussianLogProbEntropy(head, log_std!, actions);
        }
        return (values.MoveToOuterDisposeScope(), logp.MoveToOuterDisposeScope(), entropy.MoveToOuterDisposeScope());
    }

    /// <summary>Σ_d log N(a_d; μ_d, σ_d) and Σ_d (½ + ½ log 2π + log σ_d), each [B].</summary>
    public static (Tensor LogProb, Tensor Entropy) GaussianLogProbEntropy(Tensor mean, Tensor logStd, Tensor actions)
    {
        using var scope = NewDisposeScope();
        var z = (actions - mean) / logStd.exp();
        var logp = (-0.5 * z.square() - logStd - 0.5 * Math.Log(2 * Math.PI)).sum(-1);
        var ent = (logStd + 0.5 + 0.5 * Math.Log(2 * Math.PI)).sum(-1).expand(mean.shape[0]);
        return (logp.MoveToOuterDisposeScope(), ent.contiguous().MoveToOuterDisposeScope());
    }
}
