using Rewire.Classic.Control;
using Rewire.Classic.Control.Environments;
using Rewire.Classic.Mdp;
using Rewire.Core.Techniques;
using Rewire.Tasks.Sandbox;
using static Rewire.Core.Techniques.TechniqueParameter;

namespace Rewire.Classic.RewardDesign;

/// <summary>
/// The reward designs of the key–door grid family (kind <c>reward_design</c>): one descriptor each (paper, defaults,
/// parameters, a runnable example) and one factory that builds the design from its resolved parameters for a named
/// environment. <see cref="RegisterAll"/> puts them behind the control learners' hook (<c>reward.design=NAME</c>);
/// <c>rewire bench reward-design</c> runs them with the tabular learners of <see cref="RewardDesignExperiment"/>.
/// </summary>
public static class RewardDesignCatalog
{
    /// <summary>The potential-based shaping paper, as the descriptors cite it.</summary>
    public const string Ng1999 = "Policy Invariance Under Reward Transformations: Theory and Application to Reward Shaping (Ng, Harada, Russell, ICML 1999)";
    /// <summary>The BARFI paper, as the descriptors cite it.</summary>
    public const string BarfiPaper = "Behavior Alignment via Reward Function Optimization (Gupta, Chandak, Jordan, Thomas, da Silva, NeurIPS 2023, arXiv 2310.19007)";
    /// <summary>The ONI paper, as the descriptors cite it.</summary>
    public const string OniPaper = "Online Intrinsic Rewards for Decision Making Agents from Large Language Model Feedback (Zheng, Henaff, Zhang, Grover, Amos, arXiv 2410.23022)";
    /// <summary>The LaRe paper, as the descriptors cite it.</summary>
    public const string LarePaper = "Latent Reward: LLM-Empowered Credit Assignment in Episodic Reinforcement Learning (Qu et al., AAAI 2025, arXiv 2412.11120)";
    /// <summary>The CALM paper, as the descriptors cite it.</summary>
    public const string CalmPaper = "Assessing the Zero-Shot Capabilities of LLMs for Action Evaluation in RL (Pignatelli et al., arXiv 2409.12798)";
    /// <summary>The Auto MC-Reward paper, as the descriptors cite it.</summary>
    public const string AutoMcPaper = "Auto MC-Reward: Automated Dense Reward Design with Large Language Models for Minecraft (Li et al., CVPR 2024, arXiv 2312.09238)";
    /// <summary>The Lucy-SKG paper (KRC), as the descriptors cite it.</summary>
    public const string LucyPaper = "Lucy-SKG: Learning to Play Rocket League Efficiently Using Deep Reinforcement Learning (Moschopoulos et al., arXiv 2305.15801)";

    private static TechniqueParameter[] AnnotatorParameters =>
    [
        Choice("annotator", "rules", "Who labels: rules (offline keyword rules) or chat (an OpenAI-compatible endpoint; bearer token from REWIRE_ANNOTATOR_API_KEY).", "rules", "chat"),
        Text("annotator_url", "", "Base URL of the chat endpoint, e.g. http://localhost:8000/v1 (annotator=chat)."),
        Text("annotator_model", "", "Model name sent to the chat endpoint (annotator=chat)."),
        Number("annotator_timeout", 30, "Seconds per annotator request; a timeout counts as a failure, never fatal.", 0.1, 3600),
    ];

    /// <summary>Every descriptor, by name.</summary>
    public static IReadOnlyList<TechniqueDescriptor> Descriptors { get; } =
    [
        D("pbrs", "Potential-based shaping r + γΦ(s') − Φ(s), Φ(terminal) = 0, with Φ from the distance heuristic or a value estimate; leaves optimal policies unchanged.",
            Ng1999, null,
            [
                Choice("potential", "heuristic", "heuristic: Φ = 1 − (remaining distance through the sub-goals)/d_max; value: Φ = V* of the sparse task (value iteration on the grid's model).", "heuristic", "value"),
                Number("scale", 1.0, "Multiplies Φ.", -1e6, 1e6),
                Number("gamma", 0, "γ of F; 0 = the learner's discount (invariance needs the same γ).", 0, 1),
            ]),
        D("naive-shaping", "The environment's reward plus every auxiliary shaping term at a fixed weight (r_p + r_aux), the baseline a misleading term breaks.",
            BarfiPaper, "rewards-and-classic R07", [Number("weight", 1.0, "Weight of the auxiliary terms.", -1e6, 1e6)], env: "keydoor-misleading"),
        new TechniqueDescriptor
        {
            Kind = TechniqueKinds.RewardDesign,
            Name = "barfi",
            Summary = "BARFI: learns the weight of each shaping term (and the discount) by the implicit gradient of the true return through the learner (Neumann series); trains its own tabular REINFORCE learner, so it runs in `rewire bench reward-design`.",
            Paper = BarfiPaper,
            Spec = "rewards-and-classic R07",
            DefaultsNote = "Paper code (barfi-gw): L = 5, α = 5e-4, lr 0.005, reward L2 0.06125, δ = 3, ψ₀ = 4.6. The critic is omitted and the entropy term's curvature is left out of the Hessian; the examples and benchmark use a larger actor step (0.5) for the tabular policy.",
            Parameters =
            [
                Number("initial_aux_weight", 1.0, "Initial weight of every auxiliary term (1 = naive r_p + r_aux).", -1e6, 1e6),
                Number("initial_psi", 4.6, "ψ₀ of γ_φ = σ(ψ).", -50, 50),
                Boolean("learn_gamma", true, "Learn γ_φ as well."),
                Number("primary_gamma", 0.99, "γ_p of the primary objective.", 0, 1),
                Number("actor_lr", 0.005, "Actor (inner REINFORCE) step size.", 1e-9, 100),
                Number("reward_lr", 0.005, "RMSprop step of the reward weights.", 1e-9, 100),
                Number("gamma_lr", 0.005, "RMSprop step of ψ.", 1e-9, 100),
                Number("reward_l2", 0.06125, "L2 penalty on the reward weights.", 0, 1e6),
                Number("actor_l2", 0, "L2 penalty on θ inside J_φ.", 0, 1e6),
                Number("entropy", 0.25, "τ, entropy regularisation of the actor's step.", 0, 1e6),
                Integer("outer_every", 3, "δ, episodes between outer updates.", 1, 1000),
                Integer("neumann_loops", 5, "L, Neumann-series terms.", 0, 1000),
                Number("neumann_alpha", 5e-4, "α, the Neumann step.", 1e-12, 10),
            ],
            Example = ["bench", "reward-design", "--env", "keydoor-open-misleading", "--designs", "naive-shaping,barfi", "--episodes", "150", "--seeds", "1", "--json"],
        },
        D("oni", "ONI (retrieval variant): intrinsic reward = annotator label of the step's event message (queued, labelled between episodes), combined as c_ext·r + c_int·r_int/N(msg)^β.",
            OniPaper, "rewards-and-classic R12",
            [
                Number("extrinsic_coefficient", 10.0, "c_ext: the paper's value for its goal-reaching tasks (Oracle, Staircase); 0.1 for Score, 0 reward-free.", -1e6, 1e6),
                Number("intrinsic_coefficient", 0.4, "c_int.", -1e6, 1e6),
                Number("count_exponent", 3.0, "β of the per-episode message count.", 0, 100),
                .. AnnotatorParameters,
            ]),
        D("lare", "LaRe: latent factors of each transition (scripted factor function) decoded by a learned linear decoder trained by return decomposition so per-step rewards sum to the episodic return; the agent trains on the decoded reward.",
            LarePaper, "rewards-and-classic R13",
            [
                Number("ridge", 0.01, "Ridge ρ of the decoder's least-squares fit (spreads credit over correlated factors).", 0, 1e6),
                Integer("buffer_episodes", 1000, "Episodes kept for fitting the decoder.", 1, 1_000_000),
            ]),
        D("calm", "CALM: the annotator decomposes the task into sub-goals and verifies each transition; r + λ when a sub-goal is achieved, once per sub-goal per episode.",
            CalmPaper, "rewards-and-classic R13",
            [Number("bonus", 0.1, "λ, the sub-goal bonus (RECONSTRUCTED: the paper evaluates detection only).", -1e6, 1e6), .. AnnotatorParameters]),
        D("auto-mc-reward", "Auto MC-Reward: a designer writes Python reward code (sparse and dense parts), a critic checks it, an analyser summarises failed episodes, the designer revises; code runs in the Python sandbox once per batch; r = sgn(sparse) + 0.1·sgn(dense).",
            AutoMcPaper, "rewards-and-classic R14",
            [
                Choice("designer", "scripted", "The reward designer: scripted (offline, a fixed script that reacts to the critic and the analysis) or chat (a language model at reward.annotator_url).", "scripted", "chat"),
                Integer("iteration_episodes", 20, "Episodes under one reward version before the analyser runs (RECONSTRUCTED).", 1, 1_000_000),
                Integer("max_iterations", 3, "Revisions after analysis (RECONSTRUCTED).", 0, 1000),
                Integer("critic_retries", 3, "Designer attempts per revision before the critic gives up (RECONSTRUCTED).", 1, 100),
            ],
            defaultsNote: "The paper gives no retry counts or stop rule; the values here are a reconstruction.",
            settings: ["reward.iteration_episodes=5", "reward.max_iterations=2"], extra: AnnotatorParameters[1..]),
        D("krc", "Lucy-SKG's Kinesthetic Reward Combination: r + w·KRC(R_dist(distance to sub-goal), stage utility), the sign-preserving geometric mean of the components; per-component contributions reported.",
            LucyPaper, "rewards-and-classic R15",
            [
                Number("weight", 1.0, "Weight of the KRC term (third-party weight of 'offensive potential').", -1e6, 1e6),
                Number("dispersion", 1.1, "w_dis of R_dist.", 1e-6, 1e6),
                Number("density", 1.1, "w_den of R_dist.", 1e-6, 1e6),
            ]),
    ];

    private static TechniqueDescriptor D(string name, string summary, string paper, string? spec, TechniqueParameter[] parameters, string env = "keydoor-5",
        string? defaultsNote = null, string[]? settings = null, TechniqueParameter[]? extra = null) => new()
    {
        Kind = TechniqueKinds.RewardDesign,
        Name = name,
        Summary = summary,
        Paper = paper,
        Spec = spec,
        DefaultsNote = defaultsNote,
        Parameters = [.. parameters, .. extra ?? []],
        Example = ["control", "--env", env, "--algo", "ppo", $"reward.design={name}", .. settings ?? [], "run.steps=2048", "run.seed=1", "--json"],
    };

    /// <summary>Registers every design behind the control learners' hook.</summary>
    public static void RegisterAll(Action<TechniqueDescriptor, Func<RewardDesignContext, IRewardDesign>> register)
    {
        ArgumentNullException.ThrowIfNull(register);
        foreach (var d in Descriptors)
            register(d, ctx => d.Name == "barfi"
                ? throw new ArgumentException("reward design 'barfi' trains its own learner (a tabular REINFORCE policy, bi-level); run it with `rewire bench reward-design --env keydoor-open-misleading --designs naive-shaping,barfi`.")
                : new EpisodeDesignAdapter(Create(ctx.Parameters, ctx.EnvironmentName, ctx.Gamma)));
    }

    /// <summary>
    /// What stops design <paramref name="p"/> from running on <paramref name="environment"/>, each problem saying what to
    /// change (empty when it can run, or when the design is not one of these): checked with the rest of the configuration,
    /// before any run folder exists.
    /// </summary>
    public static IReadOnlyList<string> Problems(ResolvedTechnique p, string environment)
    {
        ArgumentNullException.ThrowIfNull(p);
        if (Descriptors.All(d => d.Name != p.Name)) return [];
        var problems = new List<string>();
        if (p.Name == "barfi")
            problems.Add("reward design 'barfi' trains its own learner (a tabular REINFORCE policy, bi-level); run it with `rewire bench reward-design --env keydoor-open-misleading --designs naive-shaping,barfi`");
        else if (!KeyDoorEnvironments.Contains(environment))
            problems.Add($"reward design '{p.Name}' needs an environment of the key-door grid family ({string.Join(", ", KeyDoorEnvironments.Variants.Keys)}); '{environment}' is not one");
        if ((p.Descriptor.Parameter("annotator") is not null && p.String("annotator") == "chat") || (p.Descriptor.Parameter("designer") is not null && p.String("designer") == "chat"))
        {
            try
            {
                new ChatAnnotatorOptions(p.String("annotator_url"), p.String("annotator_model"), TimeSpan.FromSeconds(p.Double("annotator_timeout"))).Validate();
            }
            catch (ArgumentException e)
            {
                problems.Add($"the chat endpoint of '{p.Name}': {e.Message.TrimEnd('.')} (set reward.annotator_url and reward.annotator_model)");
            }
        }
        if (p.Name == "auto-mc-reward" && PythonSandbox.Probe(SandboxRewardCodeRunner.DefaultOptions) is { } missing)
            problems.Add($"reward design 'auto-mc-reward' runs its reward code in the Python sandbox, which is not available here: {missing}");
        return problems;
    }

    /// <summary>The design's descriptor; an unknown name fails with the valid names.</summary>
    public static TechniqueDescriptor Find(string name) => Descriptors.FirstOrDefault(d => d.Name == name)
        ?? throw new ArgumentException($"unknown reward design '{name}'; valid: {string.Join(", ", Descriptors.Select(d => d.Name))}.");

    /// <summary>
    /// Builds design <paramref name="p"/> for environment <paramref name="environment"/> (a key–door grid world) whose
    /// learner discounts by <paramref name="gamma"/>. BARFI is a learner, not a relabelling: build a
    /// <see cref="Barfi"/> with the options of <see cref="BarfiOptions(ResolvedTechnique)"/>.
    /// </summary>
    public static IEpisodeRewardDesign Create(ResolvedTechnique p, string environment, double gamma)
    {
        ArgumentNullException.ThrowIfNull(p);
        if (!KeyDoorEnvironments.Contains(environment))
            throw new ArgumentException($"reward design '{p.Name}' needs an environment of the key-door grid family ({string.Join(", ", KeyDoorEnvironments.Variants.Keys)}); '{environment}' is not one.");
        var rollouts = KeyDoorEnvironments.Create(environment).Rollouts;
        string task = rollouts.Grid.Describe();
        return p.Name switch
        {
            "pbrs" => new PotentialBasedShapingDesign(p.Double("gamma") > 0 ? p.Double("gamma") : gamma, p.Double("scale"),
                p.String("potential") == "value" ? ValuePotential(rollouts, gamma) : null),
            "naive-shaping" => new NaiveShaping(p.Double("weight")),
            "oni" => new OniIntrinsicReward(Annotator(p), task, p.Double("extrinsic_coefficient"), p.Double("intrinsic_coefficient"), p.Double("count_exponent")),
            "lare" => new LatentReward(KeyDoorGrid.FactorNames.Count, p.Double("ridge"), p.Int("buffer_episodes")),
            "calm" => new CalmSubgoalReward(Annotator(p), task, p.Double("bonus")),
            "auto-mc-reward" => AutoMc(p, rollouts, task),
            "krc" => new KrcRewardDesign(p.Double("weight"), p.Double("dispersion"), p.Double("density")),
            "barfi" => throw new ArgumentException("BARFI learns its reward alongside the policy, so it is not a fixed reward design: build it with new Barfi(states, actions, auxiliaryTerms, seed, RewardDesignCatalog.BarfiOptions(p))."),
            _ => throw new ArgumentException($"unknown reward design '{p.Name}'; valid: {string.Join(", ", Descriptors.Select(d => d.Name))}."),
        };
    }

    /// <summary>BARFI's options from its resolved parameters.</summary>
    public static BarfiOptions BarfiOptions(ResolvedTechnique p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return new BarfiOptions
        {
            InitialAuxWeight = p.Double("initial_aux_weight"),
            InitialPsi = p.Double("initial_psi"),
            LearnGamma = p.Bool("learn_gamma"),
            PrimaryGamma = p.Double("primary_gamma"),
            ActorLearningRate = p.Double("actor_lr"),
            RewardLearningRate = p.Double("reward_lr"),
            GammaLearningRate = p.Double("gamma_lr"),
            RewardL2 = p.Double("reward_l2"),
            ActorL2 = p.Double("actor_l2"),
            EntropyCoefficient = p.Double("entropy"),
            OuterEvery = p.Int("outer_every"),
            NeumannLoops = p.Int("neumann_loops"),
            NeumannAlpha = p.Double("neumann_alpha"),
        };
    }

    /// <summary>Φ = V* of the sparse task, by value iteration on the grid's model.</summary>
    public static Func<int, double> ValuePotential(GridRollouts rollouts, double gamma)
    {
        ArgumentNullException.ThrowIfNull(rollouts);
        var v = ValueIteration.Solve(rollouts.Grid.ToMdp(Math.Min(gamma, 0.999999))).Values;
        return s => v[s];
    }

    private static IAnnotator Annotator(ResolvedTechnique p) => p.String("annotator") switch
    {
        "chat" => new ChatAnnotator(ChatAnnotatorOptions.FromEnvironment(p.String("annotator_url"), p.String("annotator_model"), TimeSpan.FromSeconds(p.Double("annotator_timeout")))),
        _ => new RuleBasedAnnotator(),
    };

    private static AutoMcReward AutoMc(ResolvedTechnique p, GridRollouts rollouts, string task)
    {
        PythonSandbox sandbox;
        try
        {
            sandbox = new PythonSandbox(SandboxRewardCodeRunner.DefaultOptions);
        }
        catch (SandboxUnavailableException e)
        {
            throw new ArgumentException($"reward design 'auto-mc-reward' runs its reward code in the Python sandbox, which is not available here: {e.Message}", e);
        }
        var universe = AllTransitions(rollouts);
        var fields = universe[0].Observation.Keys.Order(StringComparer.Ordinal).ToList();
        var samples = universe.Where((_, i) => i % Math.Max(1, universe.Count / 16) == 0).Select(s => s.Observation).ToList();
        IRewardDesigner designer = p.String("designer") == "chat"
            ? new ChatRewardDesigner(new ChatAnnotator(ChatAnnotatorOptions.FromEnvironment(p.String("annotator_url"), p.String("annotator_model"), TimeSpan.FromSeconds(p.Double("annotator_timeout")))))
            : new ScriptedRewardDesigner();
        return new AutoMcReward(task, fields, designer, new SandboxRewardCodeRunner(sandbox), new TrajectoryAnalyser(), samples, universe,
            p.Int("iteration_episodes"), p.Int("max_iterations"), p.Int("critic_retries"));
    }

    /// <summary>Every transition (s, a) of the grid from a state off the goal and the wall.</summary>
    public static IReadOnlyList<DesignStep> AllTransitions(GridRollouts rollouts)
    {
        ArgumentNullException.ThrowIfNull(rollouts);
        var g = rollouts.Grid;
        var list = new List<DesignStep>();
        for (int i = 0; i < g.StateCount; i++)
        {
            var s = g.State(i);
            if (g.IsGoal(s) || g.IsWall(s.X, s.Y)) continue;
            for (int a = 0; a < KeyDoorGrid.ActionCount; a++) list.Add(rollouts.Step(s, a).Step);
        }
        return list;
    }
}
