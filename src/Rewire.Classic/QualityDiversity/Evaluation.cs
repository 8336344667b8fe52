namespace Rewire.Classic.QualityDiversity;

/// <summary>
/// One evaluated controller: its genome, the episode's return (the fitness), its behaviour descriptor, the final
/// observation (what TAXONS encodes), whether the episode ended at the goal (terminated rather than truncated), and
/// the environment steps it took. <see cref="Failed"/>: the environment threw or hung; such an evaluation enters no archive.
/// </summary>
public sealed record Evaluation(double[] Genome, double Return, double[] Descriptor, float[] FinalObservation, bool ReachedGoal, int Steps, bool Failed = false)
{
    /// <summary>The 1-based number of the evaluation within its search (0 for one made outside a search).</summary>
    public long Id { get; init; }
}
