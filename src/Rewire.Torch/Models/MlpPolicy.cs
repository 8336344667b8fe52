using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rewire.Torch.Models;

/// <summary>Shape of <see cref="MlpPolicy"/>.</summary>
/// <param name="ObservationSize">Length of the observation vector.</param>
/// <param name="Actions">Number of discrete actions.</param>
/// <param name="Hidden">Hidden layer widths (default 64, 64, as in CleanRL's PPO).</param>
/// <param name="Seed">Seed of the initialisation.</param>
public sealed record MlpPolicyConfig(int ObservationSize, int Actions, int[]? Hidden = null, long Seed = 0)
{
    /// <summary>The hidden widths: <c>Hidden</c>, or 64, 64 when it is null.</summary>
    public int[] HiddenSizes => Hidden ?? [64, 64];

    /// <summary>
    /// Checks the shape and returns it; throws <see cref="ArgumentException"/> when a size is out of range.
    /// </summary>
    public MlpPolicyConfig Validate()
    {
        if (ObservationSize < 1) throw new ArgumentException($"mlp policy: observation_size = {ObservationSize}; it must be at least 1");
        if (Actions < 2) throw new ArgumentException($"mlp policy: actions = {Actions}; a categorical policy needs at least 2 actions");
        if (HiddenSizes.Any(h => h < 1)) throw new ArgumentException($"mlp policy: hidden = [{string.Join(", ", HiddenSizes)}]; every width must be at least 1");
        return this;
    }
}

/// <summary>
/// A categorical policy for small control problems: logits = MLP(obs) with tanh hidden layers;
/// π(a|s) = softmax(logits)_a. PyTorch's default Linear initialisation, W, b ~ U(-1/√fan_in, 1/√fan_in),
/// drawn from a generator seeded by the config so the same seed gives the same network.
/// </summary>
public sealed class MlpPolicy : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<Linear> layers;

    /// <summary>The validated shape of the policy.</summary>
    public MlpPolicyConfig Config { get; }

    /// <summary>Builds the MLP and initialises it from <c>config.Seed</c>.</summary>
    public MlpPolicy(MlpPolicyConfig config) : base(nameof(MlpPolicy))
    {
        Config = config.Validate();
        var sizes = new List<int> { config.ObservationSize };
        sizes.AddRange(config.HiddenSizes);
        sizes.Add(config.Actions);
        layers = new ModuleList<Linear>([.. Enumerable.Range(0, sizes.Count - 1).Select(i => nn.Linear(sizes[i], sizes[i + 1]))]);
        RegisterComponents();
        using var noGrad = no_grad();
        using var g = new Generator((ulong)config.Seed);
        foreach (var l in layers)
        {
            double bound = 1.0 / Math.Sqrt(l.in_features);
            // Drawn with torch.rand and the explicit generator (values in [-bound, bound)).
            l.weight!.copy_(rand(l.weight!.shape, generator: g) * (2 * bound) - bound);
            l.bias!.copy_(rand(l.bias!.shape, generator: g) * (2 * bound) - bound);
        }
    }

    /// <summary>Action logits [B, actions] of observations [B, obs].</summary>
    public override Tensor forward(Tensor observations)
    {
        if (observations.shape.Length != 2 || observations.shape[1] != Config.ObservationSize)
            throw new ArgumentException($"observations must be [batch, {Config.ObservationSize}]; got [{string.Join(", ", observations.shape)}]");
        using var scope = NewDisposeScope();
        var x = observations.to(ScalarType.Float32);
        for (int i = 0; i < layers.Count; i++)
        {
            x = layers[i].forward(x);
            if (i + 1 < layers.Count) x = x.tanh();
        }
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>Samples actions (or takes the argmax when <paramref name="greedy"/>) and returns them with their log-probs and the entropies, all [B], without gradient.</summary>
    public (Tensor Actions, Tensor LogProbs, Tensor Entropies) Act(Tensor observations, Generator generator, bool greedy = false)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var logp = forward(observations).log_softmax(-1);
        var a = greedy ? logp.argmax(-1) : Generation.SamplingFilters.Sample(logp, generator);
        var lp = logp.gather(-1, a.unsqueeze(-1)).squeeze(-1);
        var ent = Generation.SamplingFilters.Entropy(logp);
        return (a.MoveToOuterDisposeScope(), lp.MoveToOuterDisposeScope(), ent.MoveToOuterDisposeScope());
    }

    /// <summary>Log π(a|s) [B] and entropies [B] with gradient, for the loss.</summary>
    public (Tensor LogProbs, Tensor Entropies) Evaluate(Tensor observations, Tensor actions)
    {
        using var scope = NewDisposeScope();
        var logp = forward(observations).log_softmax(-1);
        var lp = logp.gather(-1, actions.to(ScalarType.Int64).unsqueeze(-1)).squeeze(-1);
        return (lp.MoveToOuterDisposeScope(), Generation.SamplingFilters.Entropy(logp).MoveToOuterDisposeScope());
    }
}
