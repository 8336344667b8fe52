// The registry of per-token KL estimators (rlvr.md T00): kl/k1, abs, mse/k2, low_var_kl/k3 and their straight-through
// "+" forms. The logits-based full KL is FullKl.FromLogits (it needs the vocabulary, not sampled log-probs).
using Rewire.Core;

namespace Rewire.Torch.Objectives.Kl;

/// <summary>Looks up KL estimators by verl's names.</summary>
public static class KlEstimators
{
    /// <summary>
    /// The per-token estimators by verl's names: kl/k1, abs, mse/k2, low_var_kl/k3, each also with a "+"
    /// (straight-through) form.
    /// </summary>
    public static readonly NamedRegistry<IKlEstimator> Registry = Create();

    /// <summary>The estimator named <paramref name="name"/>; an unknown name fails with the list of valid names.</summary>
    public static IKlEstimator Get(string name)
    {
        if (name == FullKl.RegistryName)
            throw new ArgumentException(
                "The 'full' KL needs the logits of both models: call FullKl.FromLogits(logits, refLogits) instead of a per-token estimator. " +
                $"Valid per-token estimators: {string.Join(", ", Registry.Names)}.", nameof(name));
        return Registry.Get(name);
    }

    private static NamedRegistry<IKlEstimator> Create()
    {
        var r = new NamedRegistry<IKlEstimator>("KL estimator");
        IKlEstimator[] bases =
        [
            new K1Kl("kl"), new K1Kl("k1"), new AbsKl(), new K2Kl("mse"), new K2Kl("k2"), new K3Kl("low_var_kl"), new K3Kl("k3"),
        ];
        foreach (var b in bases) r.Register(b.Name, b);
        foreach (var b in bases) r.Register(b.Name + "+", new StraightThroughKl(b));
        return r;
    }
}
