// Fixed KL coefficient (rlvr.md T01: β = 0.04 in DeepSeekMath) under its former Torch-layer name. The KL coefficient
// schedules live in the core layer (Rewire.Core.Kl: IKlController, FixedKlController, AdaptiveKlController); this thin
// alias remains only because src/Rewire.Torch/Training/TrainingComponents.cs still constructs FixedKlCoefficient.
// Once that call site uses FixedKlController, delete this file.
using Rewire.Core.Kl;

namespace Rewire.Torch.Objectives.Kl;

/// <summary>β that never changes: <see cref="FixedKlController"/> under its former name.</summary>
public sealed class FixedKlCoefficient : IKlController
{
    private readonly FixedKlController _inner;

    /// <param name="value">β; finite and non-negative.</param>
    public FixedKlCoefficient(double value) => _inner = new FixedKlController(value);

    public double Value => _inner.Value;

    public void Update(double currentKl, int steps) => _inner.Update(currentKl, steps);
}
