// DAPO decoupled clip-higher with token-level loss [T03] — "DAPO: An Open-Source LLM Reinforcement Learning System at
// Scale". The PPO surrogate of T01 with ε_low = 0.2, ε_high = 0.28, dual clip c = 10 and token-mean aggregation
// (1/Σ|o_i|) Σ_i Σ_t ℓ_{i,t}; with ε_low = ε_high it is exactly PPO clip. Dynamic sampling and the overlong penalty live
// in the sampler and reward layers.
namespace Rewire.Torch.Objectives.Policy;

/// <summary>DAPO's objective: PPO clip with clip-higher defaults and token-mean.</summary>
public static class DapoObjective
{
    /// <summary>The objective's name in the registry (<c>rl.objective</c>).</summary>
    public const string RegistryName = "dapo";
    /// <summary>DAPO's ε_low (clip-higher: the lower bound stays at 0.2).</summary>
    public const double DefaultEpsilonLow = 0.2;
    /// <summary>DAPO's ε_high (clip-higher: 0.28 lets low-probability tokens grow).</summary>
    public const double DefaultEpsilonHigh = 0.28;
    /// <summary>DAPO's dual-clip constant c.</summary>
    public const double DefaultDualClipC = 10.0;

    /// <summary>A PPO clip objective with DAPO's defaults for any option left unset.</summary>
    public static PpoClipObjective Create(PolicyObjectiveOptions? options = null) =>
        new(options, RegistryName, DefaultEpsilonLow, DefaultEpsilonHigh, DefaultDualClipC, "token-mean");
}
