// KL coefficient schedules (rlvr.md T00/T01 β): fixed, or adaptive as in Ziegler et al., "Fine-Tuning Language Models from
// Human Preferences" (verl AdaptiveKLController). A tiny local copy so the loss layer needs no other layer; the core
// layer has the canonical controllers for KL-in-reward.
namespace Rewire.Torch.Objectives.Kl;

/// <summary>A KL coefficient β that may adapt to the measured KL.</summary>
public interface IKlCoefficient
{
    /// <summary>The current β.</summary>
    double Value { get; }

    /// <summary>Feeds the KL measured over <paramref name="steps"/> steps.</summary>
    void Update(double currentKl, int steps);
}
