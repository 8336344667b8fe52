namespace Rewire.Classic.Offline.Morec;

/// <summary>
/// Settings of MOREC and of the MOPO-style model-based policy optimisation it plugs into. Defaults follow the authors'
/// code (polixir/morec) where it has one; network sizes and training lengths are scaled down to the small control tasks
/// this library runs, and the reward-learning schedule (not released by the authors) is this library's choice.
/// </summary>
public sealed record MorecOptions
{
    /// <summary>Use the transition filter (false: the same method without it, plain MOPO). <value>The default value is true.</value></summary>
    public bool Filter { get; init; } = true;

    /// <summary>Dynamics-ensemble members. <value>The default value is 7 (MOPO).</value></summary>
    public int Members { get; init; } = 7;

    /// <summary>Elite members used for rollouts. <value>The default value is 5 (MOPO).</value></summary>
    public int EliteCount { get; init; } = 5;

    /// <summary>Hidden layers of each member. <value>The default value is two layers of 64 (MOPO: four of 200).</value></summary>
    public int[] ModelHidden { get; init; } = [64, 64];

    /// <summary>Training epochs of the ensemble. <value>The default value is 20.</value></summary>
    public int ModelEpochs { get; init; } = 20;

    /// <summary>Minibatch size of the ensemble. <value>The default value is 256 (MOPO).</value></summary>
    public int ModelBatchSize { get; init; } = 256;

    /// <summary>Adam learning rate of the ensemble. <value>The default value is 1e-3 (MOPO).</value></summary>
    public double ModelLearningRate { get; init; } = 1e-3;

    /// <summary>Adversarial rounds of dynamics-reward learning. <value>The default value is 30.</value></summary>
    public int RewardRounds { get; init; } = 30;

    /// <summary>Discriminator minibatches per round, and generator minibatches per round. <value>The default value is 40.</value></summary>
    public int DiscriminatorSteps { get; init; } = 40;

    /// <summary>Minibatch size of reward learning (data and generated transitions each). <value>The default value is 128.</value></summary>
    public int RewardBatchSize { get; init; } = 128;

    /// <summary>Adam learning rate of the discriminator and the generator. <value>The default value is 3e-3.</value></summary>
    public double RewardLearningRate { get; init; } = 3e-3;

    /// <summary>Scale of the adversarial gradient in the generator's update. <value>The default value is 1.</value></summary>
    public double AdversarialWeight { get; init; } = 1.0;

    /// <summary>Hidden layers of each discriminator. <value>The default value is two layers of 64.</value></summary>
    public int[] DiscriminatorHidden { get; init; } = [64, 64];

    /// <summary>Rounds between discriminators kept in the history. <value>The default value is 10 (authors' <c>ensemble_choosing_interval</c>).</value></summary>
    public int EnsembleChoosingInterval { get; init; } = 10;

    /// <summary>Largest history kept. <value>The default value is 400 (authors' <c>max_retain_num</c>).</value></summary>
    public int MaxRetain { get; init; } = 400;

    /// <summary>Probability clip c of the dynamics reward. <value>The default value is 1 (authors' <c>d_clip</c>).</value></summary>
    public double ProbabilityClip { get; init; } = 1.0;

    /// <summary>Candidate samples per elite member. <value>The default value is 2 (authors' <c>resample_num_in_transition</c>).</value></summary>
    public int SamplesPerElite { get; init; } = 2;

    /// <summary>Argmax or softmax selection. <value>The default value is argmax (authors' <c>select_elite</c>).</value></summary>
    public FilterSelection Selection { get; init; } = FilterSelection.Argmax;

    /// <summary>Softmax temperature. <value>The default value is 0.1.</value></summary>
    public double Temperature { get; init; } = 0.1;

    /// <summary>A rollout ends at the first kept transition whose r^D is below this. <value>The default value is 0.6 (authors' <c>terminal_dynamics_reward</c>).</value></summary>
    public double TerminalDynamicsReward { get; init; } = 0.6;

    /// <summary>Steps before the threshold applies. <value>The default value is 0 (authors' <c>minimal_rollout_length</c>).</value></summary>
    public int MinimalRolloutLength { get; init; }

    /// <summary>Model rollout length (truncation). <value>The default value is 100 (authors' rollout length).</value></summary>
    public int RolloutLength { get; init; } = 100;

    /// <summary>MOPO uncertainty-penalty coefficient λ of r̃ = r̂ − λ u. <value>The default value is 1 (per task in the paper).</value></summary>
    public double PenaltyCoefficient { get; init; } = 1.0;

    /// <summary>The first setting out of range, as messages naming the key.</summary>
    public IReadOnlyList<string> Validate()
    {
        var e = new List<string>();
        if (Members < 1) e.Add($"morec.members is {Members}; give at least 1");
        if (EliteCount < 1 || EliteCount > Members) e.Add($"morec.elites is {EliteCount}; give 1 to morec.members ({Members})");
        if (ModelHidden.Length == 0 || ModelHidden.Any(h => h < 1)) e.Add("morec.hidden_size must be positive");
        if (!(TerminalDynamicsReward >= 0)) e.Add($"morec.terminal_dynamics_reward is {TerminalDynamicsReward}; give 0 or more");
        if (!(Temperature > 0)) e.Add($"morec.temperature is {Temperature}; give a positive number");
        return e;
    }
}
