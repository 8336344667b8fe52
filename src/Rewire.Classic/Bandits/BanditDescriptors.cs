using Rewire.Core.Techniques;
using static Rewire.Core.Techniques.TechniqueParameter;

namespace Rewire.Classic.Bandits;

/// <summary>
/// Descriptors of the bandit algorithms (kind <c>bandit_algorithm</c>) and simulators (kind <c>bandit_environment</c>) of
/// <see cref="BanditCatalog"/>, run with <c>rewire bandit --algo NAME --env NAME</c>. Parameter names are the snake_case
/// properties of each algorithm's options record and their defaults equal that record's (a test holds them together);
/// <see cref="Options"/> turns resolved descriptors into <see cref="BanditAlgorithmOptions"/>. The simulators are fixed
/// presets with no parameters.
/// </summary>
public static class BanditDescriptors
{
    private const string SuttonBarto = "Reinforcement Learning: An Introduction (Sutton and Barto, MIT Press, 2nd ed. 2018)";
    private const string Auer = "Finite-time Analysis of the Multiarmed Bandit Problem (Auer, Cesa-Bianchi, Fischer, Machine Learning 2002)";
    private const string Thompson = "An Empirical Evaluation of Thompson Sampling (Chapelle and Li, NeurIPS 2011)";
    private const string LinUcbPaper = "A Contextual-Bandit Approach to Personalized News Article Recommendation (Li et al., WWW 2010, arXiv 1003.0146)";
    private const string DlbPaper = "Dynamical Linear Bandits (Mussi, Metelli, Restelli, ICML 2023, arXiv 2211.08997)";

    /// <summary>Both kinds.</summary>
    public static IReadOnlyList<TechniqueDescriptor> All => [.. Algorithms, .. Environments];

    /// <summary>Kind <c>bandit_algorithm</c>.</summary>
    public static IReadOnlyList<TechniqueDescriptor> Algorithms { get; } =
    [
        A("epsilon-greedy", "Play the best empirical arm, a uniformly random arm with probability ε.", SuttonBarto, null, "bernoulli",
            [Number("epsilon", 0.1, "ε, the exploration probability.", 0, 1)]),
        A("ucb1", "Play the arm with the largest mean + c·sqrt(2 ln t / n).", Auer, null, "bernoulli",
            [Number("exploration_scale", 1.0, "c, the scale of the confidence bonus (1 = UCB1).", 0, 1e6)]),
        A("thompson-bernoulli", "Thompson sampling with Beta posteriors over Bernoulli arms.", Thompson, null, "bernoulli",
            [Number("prior_alpha", 1.0, "α of the Beta prior.", 1e-12, 1e12), Number("prior_beta", 1.0, "β of the Beta prior.", 1e-12, 1e12)]),
        A("thompson-gaussian", "Thompson sampling with Gaussian posteriors over arms with Gaussian noise.", Thompson, null, "gaussian",
            [
                Number("noise_std", 1.0, "Known standard deviation of the reward noise.", 1e-12, 1e12),
                Number("prior_mean", 0.0, "Mean of the Gaussian prior."),
                Number("prior_std", 10.0, "Standard deviation of the Gaussian prior.", 1e-12, 1e12),
            ]),
        A("linucb", "Ridge estimate of θ plus an α-scaled confidence width ‖a‖ over V⁻¹.", LinUcbPaper, null, "linear",
            [Number("lambda", 1.0, "λ, the ridge regulariser (V₀ = λI).", 1e-12, 1e12), Number("alpha", 1.0, "α, the confidence width (CLI --beta).", 0, 1e6)]),
        A("dynlinucb", "DynLin-UCB: LinUCB over epochs that hold each action long enough for the hidden state to settle.", DlbPaper, "rewards-and-classic C17", "dynamical",
            [
                Number("lambda", 1.0, "λ, the ridge regulariser.", 1e-12, 1e12),
                Number("rho_bar", 0.9, "ρ̄, the bound on the spectral radius of the hidden dynamics (CLI --rho-bar).", 0, 0.999999999),
                Number("noise_std", 0.1, "σ, the reward noise's sub-Gaussian scale.", 0, 1e6),
                Number("theta_bound", 1.0, "Θ, the bound on ‖θ‖.", 0, 1e6),
                Number("omega_bound", 1.0, "Ω, the bound on ‖ω‖.", 0, 1e6),
                Number("b_bound", 1.0, "B̄, the bound on ‖B‖.", 0, 1e6),
                Number("action_bound", 1.0, "U, the bound on action norms.", 0, 1e6),
                Number("phi_bound", 1.0, "Φ, the bound Φ(A) on ‖A^k‖/ρ̄^k.", 0, 1e6),
                Number("exploration_scale", 1.0, "Multiplies the theoretical confidence radius β_t.", 0, 1e6),
                Number("fixed_beta", 0.0, "A fixed confidence radius instead of the theoretical β_t (CLI --beta); 0 = the theoretical radius.", 0, 1e6),
            ]),
    ];

    /// <summary>Kind <c>bandit_environment</c>.</summary>
    public static IReadOnlyList<TechniqueDescriptor> Environments { get; } =
    [
        Env("bernoulli", "Five Bernoulli arms with means 0.2, 0.4, 0.5, 0.7, 0.9.", Auer, null, "ucb1"),
        Env("gaussian", "Five Gaussian arms with means 0, 0.3, 0.6, 0.9, 1.2 and unit noise.", SuttonBarto, null, "thompson-gaussian"),
        Env("linear", "A linear bandit: 20 fixed unit-norm arms in 5 dimensions, unit θ, noise σ = 0.3.", LinUcbPaper, null, "linucb"),
        Env("linear-contextual", "The linear preset with the arm features redrawn every step (contextual).", LinUcbPaper, null, "linucb"),
        Env("dynamical", "A dynamical linear bandit whose actions drive a hidden state: the best immediate arm is not the best steady-state arm.", DlbPaper, "rewards-and-classic C17", "dynlinucb"),
    ];

    /// <summary>The options of the resolved algorithms (the others at their defaults).</summary>
    public static BanditAlgorithmOptions Options(params ResolvedTechnique[] algorithms)
    {
        var o = new BanditAlgorithmOptions();
        foreach (var p in algorithms)
        {
            o = p.Name switch
            {
                "epsilon-greedy" => o with { EpsilonGreedy = new EpsilonGreedyOptions { Epsilon = p.Double("epsilon") } },
                "ucb1" => o with { Ucb1 = new Ucb1Options { ExplorationScale = p.Double("exploration_scale") } },
                "thompson-bernoulli" => o with { ThompsonBernoulli = new BernoulliThompsonOptions { PriorAlpha = p.Double("prior_alpha"), PriorBeta = p.Double("prior_beta") } },
                "thompson-gaussian" => o with { ThompsonGaussian = new GaussianThompsonOptions { NoiseStd = p.Double("noise_std"), PriorMean = p.Double("prior_mean"), PriorStd = p.Double("prior_std") } },
                "linucb" => o with { LinUcb = new LinUcbOptions { Lambda = p.Double("lambda"), Alpha = p.Double("alpha") } },
                "dynlinucb" => o with
                {
                    DynLinUcb = new DynLinUcbOptions
                    {
                        Lambda = p.Double("lambda"),
                        RhoBar = p.Double("rho_bar"),
                        NoiseStd = p.Double("noise_std"),
                        ThetaBound = p.Double("theta_bound"),
                        OmegaBound = p.Double("omega_bound"),
                        BBound = p.Double("b_bound"),
                        ActionBound = p.Double("action_bound"),
                        PhiBound = p.Double("phi_bound"),
                        ExplorationScale = p.Double("exploration_scale"),
                        FixedBeta = p.Double("fixed_beta") is > 0 and var b ? b : null,
                    },
                },
                _ => throw new ArgumentException($"'{p.Name}' is not a bandit algorithm; valid: {string.Join(", ", Algorithms.Select(d => d.Name))}."),
            };
        }
        return o;
    }

    private static TechniqueDescriptor A(string name, string summary, string paper, string? spec, string env, TechniqueParameter[] parameters) => new()
    {
        Kind = TechniqueKinds.BanditAlgorithm,
        Name = name,
        Summary = summary,
        Paper = paper,
        Spec = spec,
        Parameters = parameters,
        Example = Run(name, env),
    };

    private static TechniqueDescriptor Env(string name, string summary, string paper, string? spec, string algorithm) => new()
    {
        Kind = TechniqueKinds.BanditEnvironment,
        Name = name,
        Summary = summary,
        Paper = paper,
        Spec = spec,
        Example = Run(algorithm, name),
    };

    private static IReadOnlyList<string> Run(string algorithm, string environment) =>
        ["bandit", "--algo", algorithm, "--env", environment, "--steps", "2000", "--seed", "1", "--json"];
}
