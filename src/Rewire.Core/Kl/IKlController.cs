namespace Rewire.Core.Kl;

/// <summary>
/// Holds the coefficient β of the KL penalty, either folded into the token rewards (see <see cref="KlInReward"/>) or
/// added as a loss term (the Torch layer's <c>ActorLoss</c>), and adapts it after each step from the observed KL.
/// </summary>
public interface IKlController
{
    /// <summary>The current coefficient β.</summary>
    double Value { get; }

    /// <summary>Updates β after a step whose mean KL to the reference was <paramref name="currentKl"/>, over <paramref name="steps"/> samples.</summary>
    void Update(double currentKl, int steps);
}
