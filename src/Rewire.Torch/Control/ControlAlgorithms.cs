using Rewire.Core.Techniques;
using static Rewire.Core.Techniques.TechniqueParameter;

namespace Rewire.Torch.Control;

/// <summary>
/// The control learners as listed techniques (kind <c>control_algorithm</c>), run with
/// <c>rewire control --env NAME --algo ppo|dqn ppo.KEY=VALUE ...</c>. Parameter names are the snake_case properties of
/// <see cref="PpoOptions"/> and <see cref="DqnOptions"/>, their defaults those records' defaults (a test holds them
/// together); <see cref="Ppo(ResolvedTechnique)"/> and <see cref="Dqn(ResolvedTechnique)"/> turn resolved parameters into options.
/// </summary>
public static class ControlAlgorithms
{
    /// <summary>The PPO paper, as the descriptor cites it.</summary>
    public const string PpoPaper = "Proximal Policy Optimization Algorithms (Schulman et al., arXiv 1707.06347)";
    /// <summary>The DQN paper, as the descriptor cites it.</summary>
    public const string DqnPaper = "Human-level control through deep reinforcement learning (Mnih et al., Nature 2015)";
    /// <summary>The Double Q-learning paper, as the descriptor cites it (DQN's double_q option).</summary>
    public const string DoubleDqnPaper = "Deep Reinforcement Learning with Double Q-learning (van Hasselt, Guez, Silver, AAAI 2016, arXiv 1509.06461)";

    /// <summary>The environment-step budget when <c>run.steps</c> is not given: rl-baselines3-zoo's CartPole-v1 n_timesteps.</summary>
    public static long DefaultSteps(string algorithm) => algorithm == "dqn" ? 50_000 : 100_000;

    /// <summary>
    /// The descriptors of <c>ppo</c> and <c>dqn</c>: paper, parameters with defaults and ranges, and an example.
    /// </summary>
    public static IReadOnlyList<TechniqueDescriptor> Descriptors { get; } =
    [
        new()
        {
            Kind = TechniqueKinds.ControlAlgorithm,
            Name = "ppo",
            Summary = "PPO with GAE, clipped surrogate (optional clipped value loss), advantage normalisation, categorical or diagonal-Gaussian actions, vectorised rollouts, bootstrap on truncation.",
            Paper = PpoPaper,
            DefaultsNote = "rl-baselines3-zoo's tuned CartPole-v1 hyper-parameters (1e5 steps); the rest Stable-Baselines3's PPO defaults. The paper's own Atari/MuJoCo settings differ.",
            Parameters =
            [
                Integer("n_envs", 8, "Parallel environments.", 1, 1024),
                Integer("n_steps", 32, "Steps per environment per rollout.", 1, 1_000_000),
                Integer("batch_size", 256, "Minibatch size (at most n_envs·n_steps).", 1, 10_000_000),
                Integer("n_epochs", 20, "Passes over each rollout.", 1, 1000),
                Number("gamma", 0.98, "Discount γ.", 0, 1),
                Number("gae_lambda", 0.8, "GAE λ.", 0, 1),
                Number("learning_rate", 1e-3, "Adam learning rate (initial value when linear).", 1e-12, 1),
                Choice("lr_schedule", "linear", "Learning-rate schedule: constant or linear to 0.", "constant", "linear"),
                Number("clip_range", 0.2, "Clip range ε (initial value when linear).", 1e-6, 10),
                Choice("clip_schedule", "linear", "Clip-range schedule: constant or linear to 0.", "constant", "linear"),
                Number("clip_range_vf", 0, "Value clipping ε_v; 0 = no clipping.", 0, 1e6),
                Number("ent_coef", 0, "Entropy bonus coefficient.", 0, 10),
                Number("vf_coef", 0.5, "Value-loss coefficient.", 0, 100),
                Number("max_grad_norm", 0.5, "Gradient-norm clip; 0 = none.", 0, 1e6),
                Boolean("normalize_advantage", true, "Standardise advantages per minibatch."),
                Boolean("normalize_observations", false, "Normalise observations by running statistics shared by all environments, clipped at ±10 (rl-baselines3-zoo's normalize for MountainCar and Acrobot)."),
                Integer("hidden_size", 64, "Width of each hidden layer.", 1, 4096),
                Integer("hidden_layers", 2, "Hidden layers of the policy and the value network.", 1, 16),
                Number("log_std_init", 0, "Initial log σ of a Gaussian policy.", -20, 5),
            ],
            Example = ["control", "--env", "cartpole", "--algo", "ppo", "run.steps=4096", "run.seed=1", "--json"],
        },
        new()
        {
            Kind = TechniqueKinds.ControlAlgorithm,
            Name = "dqn",
            Summary = "DQN with experience replay, a target network, a linear ε-greedy schedule and the Huber loss; double_q=true gives double DQN (van Hasselt et al. 2016).",
            Paper = DqnPaper,
            DefaultsNote = "rl-baselines3-zoo's CartPole-v1 hyper-parameters (hyperparams/dqn.yml, 5e4 steps); the rest Stable-Baselines3's DQN defaults. double_q follows " + DoubleDqnPaper + ".",
            Parameters =
            [
                Integer("n_envs", 1, "Parallel environments.", 1, 1024),
                Number("learning_rate", 2.3e-3, "Adam learning rate.", 1e-12, 1),
                Integer("batch_size", 64, "Minibatch size.", 1, 1_000_000),
                Integer("buffer_size", 100_000, "Replay capacity (transitions).", 1, 100_000_000),
                Integer("learning_starts", 1000, "Steps of uniformly random actions before learning.", 0, int.MaxValue),
                Number("gamma", 0.99, "Discount γ.", 0, 1),
                Integer("target_update_interval", 10, "Environment steps between target updates.", 1, int.MaxValue),
                Number("tau", 1.0, "Target update rate (1 = copy).", 0, 1),
                Integer("train_freq", 256, "Steps per environment between training phases.", 1, 1_000_000),
                Integer("gradient_steps", 128, "Gradient steps per training phase.", 0, 1_000_000),
                Number("exploration_fraction", 0.16, "Fraction of the budget over which ε decays.", 0, 1),
                Number("exploration_initial_eps", 1.0, "Initial ε.", 0, 1),
                Number("exploration_final_eps", 0.04, "Final ε.", 0, 1),
                Number("max_grad_norm", 10, "Gradient-norm clip; 0 = none.", 0, 1e6),
                Boolean("double_q", false, "Double Q-learning targets (van Hasselt et al. 2016)."),
                Boolean("normalize_observations", false, "Normalise observations by running statistics shared by all environments, clipped at ±10."),
                Integer("hidden_size", 256, "Width of each hidden layer.", 1, 4096),
                Integer("hidden_layers", 2, "Hidden layers of the Q-network.", 1, 16),
            ],
            Example = ["control", "--env", "cartpole", "--algo", "dqn", "run.steps=3000", "run.seed=1", "--json"],
        },
    ];

    /// <summary>
    /// The descriptor of control algorithm <paramref name="name"/>; throws <see cref="KeyNotFoundException"/> listing
    /// the valid names when there is none.
    /// </summary>
    public static TechniqueDescriptor Find(string name) =>
        Descriptors.FirstOrDefault(d => d.Name == name) ?? throw new KeyNotFoundException($"unknown control algorithm '{name}'; valid: {string.Join(", ", Descriptors.Select(d => d.Name))}.");

    /// <summary>PPO options from resolved <c>ppo.*</c> parameters.</summary>
    public static PpoOptions Ppo(ResolvedTechnique p) => new()
    {
        NEnvs = p.Int("n_envs"),
        NSteps = p.Int("n_steps"),
        BatchSize = p.Int("batch_size"),
        NEpochs = p.Int("n_epochs"),
        Gamma = p.Double("gamma"),
        GaeLambda = p.Double("gae_lambda"),
        LearningRate = p.Double("learning_rate"),
        LinearLearningRate = p.String("lr_schedule") == "linear",
        ClipRange = p.Double("clip_range"),
        LinearClipRange = p.String("clip_schedule") == "linear",
        ClipRangeValue = p.Double("clip_range_vf"),
        EntCoef = p.Double("ent_coef"),
        VfCoef = p.Double("vf_coef"),
        MaxGradNorm = p.Double("max_grad_norm"),
        NormalizeAdvantage = p.Bool("normalize_advantage"),
        NormalizeObservations = p.Bool("normalize_observations"),
        HiddenSize = p.Int("hidden_size"),
        HiddenLayers = p.Int("hidden_layers"),
        LogStdInit = p.Double("log_std_init"),
    };

    /// <summary>DQN options from resolved <c>dqn.*</c> parameters.</summary>
    public static DqnOptions Dqn(ResolvedTechnique p) => new()
    {
        NEnvs = p.Int("n_envs"),
        LearningRate = p.Double("learning_rate"),
        BatchSize = p.Int("batch_size"),
        BufferSize = p.Int("buffer_size"),
        LearningStarts = p.Int("learning_starts"),
        Gamma = p.Double("gamma"),
        TargetUpdateInterval = p.Int("target_update_interval"),
        Tau = p.Double("tau"),
        TrainFreq = p.Int("train_freq"),
        GradientSteps = p.Int("gradient_steps"),
        ExplorationFraction = p.Double("exploration_fraction"),
        ExplorationInitialEps = p.Double("exploration_initial_eps"),
        ExplorationFinalEps = p.Double("exploration_final_eps"),
        MaxGradNorm = p.Double("max_grad_norm"),
        DoubleQ = p.Bool("double_q"),
        NormalizeObservations = p.Bool("normalize_observations"),
        HiddenSize = p.Int("hidden_size"),
        HiddenLayers = p.Int("hidden_layers"),
    };

    /// <summary>The learner <paramref name="algorithm"/> with its resolved parameters.</summary>
    public static IControlLearner Create(ResolvedTechnique algorithm, ControlEnvironmentSet environments, long totalSteps, int seed) => algorithm.Name switch
    {
        "ppo" => new PpoLearner(Ppo(algorithm), environments, totalSteps, seed),
        "dqn" => new DqnLearner(Dqn(algorithm), environments, totalSteps, seed),
        _ => throw new ArgumentException($"unknown control algorithm '{algorithm.Name}'."),
    };
}
