namespace Rewire.Classic.RewardDesign;

/// <summary>Settings of <see cref="Barfi"/>; the defaults are the paper's code (barfi-gw, BarfiNeumann) unless noted.</summary>
public sealed record BarfiOptions
{
    /// <summary>Initial weight of every auxiliary term (1 = the naive r_p + r_aux the paper starts from). <value>1.</value></summary>
    public double InitialAuxWeight { get; init; } = 1.0;

    /// <summary>ψ₀ of the learned discount γ_φ = σ(ψ) (4.6 gives γ ≈ 0.99). <value>4.6.</value></summary>
    public double InitialPsi { get; init; } = 4.6;

    /// <summary>Learn γ_φ as well as the reward weights. <value>true.</value></summary>
    public bool LearnGamma { get; init; } = true;

    /// <summary>γ_p of the primary objective. <value>0.99.</value></summary>
    public double PrimaryGamma { get; init; } = 0.99;

    /// <summary>Actor (inner REINFORCE) step size. <value>0.005.</value></summary>
    public double ActorLearningRate { get; init; } = 0.005;

    /// <summary>Step size of the reward weights φ (RMSprop). <value>0.005.</value></summary>
    public double RewardLearningRate { get; init; } = 0.005;

    /// <summary>Step size of ψ (RMSprop). <value>0.005.</value></summary>
    public double GammaLearningRate { get; init; } = 0.005;

    /// <summary>L2 penalty on φ. <value>0.06125.</value></summary>
    public double RewardL2 { get; init; } = 0.06125;

    /// <summary>L2 penalty on θ inside J_φ (keeps H negative definite; RECONSTRUCTED, the paper uses entropy regularisation). <value>0.</value></summary>
    public double ActorL2 { get; init; }

    /// <summary>Entropy regularisation τ of the inner update (the paper's 0.25); it acts on the actor's step only, and
    /// the hypergradient's Hessian leaves its curvature out. <value>0.25.</value></summary>
    public double EntropyCoefficient { get; init; } = 0.25;

    /// <summary>Episodes between outer (reward) updates, δ. <value>3.</value></summary>
    public int OuterEvery { get; init; } = 3;

    /// <summary>Neumann loops L. <value>5.</value></summary>
    public int NeumannLoops { get; init; } = 5;

    /// <summary>Neumann step α. <value>5e-4.</value></summary>
    public double NeumannAlpha { get; init; } = 5e-4;

    /// <summary>
    /// Checks the settings; throws <see cref="ArgumentOutOfRangeException"/> naming the first one out of range (step
    /// sizes positive, γ_p in [0, 1], penalties and τ non-negative, δ ≥ 1, L ≥ 0).
    /// </summary>
    public void Validate()
    {
        foreach (var (n, v) in new[] { ("actor_lr", ActorLearningRate), ("reward_lr", RewardLearningRate), ("gamma_lr", GammaLearningRate), ("neumann_alpha", NeumannAlpha) })
            if (!(v > 0) || !double.IsFinite(v)) throw new ArgumentOutOfRangeException(n, v, $"BARFI's {n} must be a positive number.");
        if (!(PrimaryGamma is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(PrimaryGamma), PrimaryGamma, "γ_p must lie in [0, 1].");
        if (!(EntropyCoefficient >= 0) || !double.IsFinite(EntropyCoefficient)) throw new ArgumentOutOfRangeException(nameof(EntropyCoefficient), EntropyCoefficient, "BARFI's entropy coefficient must be 0 or more.");
        if (RewardL2 < 0 || ActorL2 < 0) throw new ArgumentOutOfRangeException(nameof(RewardL2), "BARFI's L2 penalties must be 0 or more.");
        if (OuterEvery < 1 || NeumannLoops < 0) throw new ArgumentOutOfRangeException(nameof(OuterEvery), "BARFI needs outer_every ≥ 1 and neumann_loops ≥ 0.");
        if (!double.IsFinite(InitialAuxWeight) || !double.IsFinite(InitialPsi)) throw new ArgumentOutOfRangeException(nameof(InitialAuxWeight), "BARFI's initial weights must be finite.");
    }
}

/// <summary>
/// BARFI, "Behavior Alignment via Reward Function Optimization" (Gupta, Chandak, Jordan, Thomas, da Silva, NeurIPS 2023):
/// learns how much to trust each auxiliary shaping term by the gradient of the primary (true) return through the
/// agent's learning.
/// <para>Behaviour-alignment reward: <c>r_φ(s,a) = φ₁ + r_p(s,a) + Σ_j φ₂ⱼ·r_aux,j(s,a)</c> and discount
/// <c>γ_φ = σ(ψ)</c> (the paper's φ₁, φ₂ are linear heads on state features; on the tabular grid world they are heads
/// on a bias feature, i.e. one weight per term). Bi-level: <c>max_φ J_p(θ*(φ))</c>, <c>θ*(φ) ∈ argmax_θ J_φ(θ)</c>, with
/// the outer gradient by implicit differentiation and the Neumann series (<see cref="NeumannHypergradient"/>).</para>
/// <para>Inner learner: as in the paper's code, REINFORCE on J_φ (rewards and γ_φ detached), here a plain-C# tabular
/// softmax policy π(a|s) ∝ exp θ[s,a] (so every derivative is exact and cheap): after each episode
/// <c>θ ← θ + lr·(1/T)Σ_t G^φ_t ∇log π(a_t|s_t)</c> (the mean over the episode's steps, as a mean loss would give), <c>G^φ_t = Σ_k γ_φ^{k−t} r_φ,k</c>. Every δ episodes the outer step uses
/// the last δ episodes (each a mean over its steps): v = Σ_t G^p_t ∇log π(a_t|s_t) (γ_p),
/// H·x = −Σ_t G^φ_t (diag π − ππᵀ)_{s_t} x (− λ_θ x), M·p = Σ_t (∇log π(a_t|s_t)·p) ∂G^φ_t/∂φ, then RMSprop ascent on φ (with L2 penalty) and ψ. The paper's entropy
/// regulariser (τ = 0.25) acts on the actor's step (its curvature is left out of H); the paper's critic is omitted; an
/// optional L2 on θ keeps H negative definite.</para>
/// </summary>
public sealed class Barfi
{
    private readonly double[] _theta;
    private readonly double[] _aux;
    private readonly List<DesignEpisode> _recent = [];
    private readonly double[] _rms;
    private readonly Random _random;
    private double _phi1;
    private double _psi;
    private int _episodes;

    /// <summary>
    /// Creates BARFI with a zero (uniform) softmax policy and every auxiliary weight at its initial value.
    /// </summary>
    /// <param name="states">Number of states of the tabular policy.</param>
    /// <param name="actions">Number of actions.</param>
    /// <param name="auxiliaryTerms">Number of auxiliary shaping terms each step carries (one learned weight each).</param>
    /// <param name="seed">Seed of the policy's action sampling.</param>
    /// <param name="options">Step sizes and Neumann settings; the paper's defaults when null.</param>
    public Barfi(int states, int actions, int auxiliaryTerms, int seed, BarfiOptions? options = null)
    {
        if (states < 1 || actions < 1) throw new ArgumentOutOfRangeException(nameof(states), "BARFI needs at least one state and one action.");
        if (auxiliaryTerms < 0) throw new ArgumentOutOfRangeException(nameof(auxiliaryTerms), auxiliaryTerms, "The number of auxiliary terms must be 0 or more.");
        Options = options ?? new BarfiOptions();
        Options.Validate();
        States = states;
        Actions = actions;
        _theta = new double[states * actions];
        _aux = Enumerable.Repeat(Options.InitialAuxWeight, auxiliaryTerms).ToArray();
        _psi = Options.InitialPsi;
        _rms = new double[auxiliaryTerms + 2];
        _random = new Random(seed);
    }

    /// <summary>The settings BARFI runs with.</summary>
    public BarfiOptions Options { get; }

    /// <summary>Number of states of the tabular policy.</summary>
    public int States { get; }

    /// <summary>Number of actions of the tabular policy.</summary>
    public int Actions { get; }

    /// <summary>φ₁, the learned per-step offset.</summary>
    public double Offset => _phi1;

    /// <summary>φ₂, the learned weight of each auxiliary term.</summary>
    public IReadOnlyList<double> AuxWeights => _aux;

    /// <summary>γ_φ = σ(ψ).</summary>
    public double Gamma => Sigmoid(_psi);

    /// <summary>Number of outer (reward) updates so far.</summary>
    public int OuterUpdates { get; private set; }

    /// <summary>The policy's probabilities in <paramref name="state"/>.</summary>
    public double[] Policy(int state) => Softmax(_theta, state, Actions);

    /// <summary>Samples an action from π(·|state).</summary>
    public int Act(int state)
    {
        var p = Policy(state);
        double u = _random.NextDouble(), c = 0;
        for (int a = 0; a < p.Length - 1; a++)
        {
            c += p[a];
            if (u < c) return a;
        }
        return p.Length - 1;
    }

    /// <summary>r_φ of one step.</summary>
    public double Reward(DesignStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        double r = _phi1 + step.Reward;
        for (int j = 0; j < _aux.Length; j++) r += _aux[j] * step.Auxiliary[j];
        return r;
    }

    /// <summary>One inner REINFORCE step on the episode; every δ episodes an outer step on the last δ.</summary>
    public void Learn(DesignEpisode episode)
    {
        ArgumentNullException.ThrowIfNull(episode);
        foreach (var s in episode.Steps)
            if (s.Auxiliary.Length != _aux.Length) throw new ArgumentException($"BARFI was built for {_aux.Length} auxiliary terms; a step carries {s.Auxiliary.Length}.");
        for (int t = 0; t < episode.Length; t++) episode.TrainRewards[t] = Reward(episode.Steps[t]);
        var problem = Problem([episode]);
        var g = problem.ShapedGradient();
        if (Options.EntropyCoefficient > 0)
            foreach (var step in episode.Steps)
            {
                // ∂H(π_s)/∂θ_{s,b} = −π_b (log π_b + H(π_s)), once per visit.
                var pi = Policy(step.State);
                double h = -pi.Sum(q => q > 0 ? q * Math.Log(q) : 0);
                for (int b = 0; b < Actions; b++) g[step.State * Actions + b] -= Options.EntropyCoefficient * pi[b] * ((pi[b] > 0 ? Math.Log(pi[b]) : 0) + h);
            }
        for (int i = 0; i < _theta.Length; i++) _theta[i] += Options.ActorLearningRate * g[i];
        _recent.Add(episode);
        if (++_episodes % Options.OuterEvery != 0) return;
        OuterStep(Problem(_recent));
        _recent.Clear();
    }

    /// <summary>The bi-level problem at the current (θ, φ, ψ) over <paramref name="episodes"/>.</summary>
    public ReinforceBilevelProblem Problem(IReadOnlyList<DesignEpisode> episodes) =>
        new((double[])_theta.Clone(), Actions, _phi1, (double[])_aux.Clone(), _psi, Options.PrimaryGamma, Options.ActorL2, Options.LearnGamma, episodes);

    private void OuterStep(ReinforceBilevelProblem problem)
    {
        var h = NeumannHypergradient.Compute(problem, Options.NeumannAlpha, Options.NeumannLoops);
        // Parameter order: φ₁, φ₂ (one per auxiliary term), ψ.
        h[0] -= Options.RewardL2 * _phi1;
        for (int j = 0; j < _aux.Length; j++) h[1 + j] -= Options.RewardL2 * _aux[j];
        for (int i = 0; i < h.Length; i++)
        {
            _rms[i] = 0.99 * _rms[i] + 0.01 * h[i] * h[i];
            double step = h[i] / (Math.Sqrt(_rms[i]) + 1e-8);
            if (i == 0) _phi1 += Options.RewardLearningRate * step;
            else if (i <= _aux.Length) _aux[i - 1] += Options.RewardLearningRate * step;
            else if (Options.LearnGamma) _psi += Options.GammaLearningRate * step;
        }
        OuterUpdates++;
    }

    internal static double Sigmoid(double x) => 1.0 / (1.0 + Math.Exp(-x));

    internal static double[] Softmax(double[] theta, int state, int actions)
    {
        var p = new double[actions];
        double max = double.NegativeInfinity;
        for (int a = 0; a < actions; a++) max = Math.Max(max, theta[state * actions + a]);
        double z = 0;
        for (int a = 0; a < actions; a++) z += p[a] = Math.Exp(theta[state * actions + a] - max);
        for (int a = 0; a < actions; a++) p[a] /= z;
        return p;
    }
}

/// <summary>
/// BARFI's bi-level problem on a batch of episodes for a tabular softmax policy, with REINFORCE estimates of every
/// derivative (the sampled actions and the episodes held fixed, as automatic differentiation of the paper's surrogate
/// would). Parameters φ are ordered φ₁, φ₂ⱼ (one per auxiliary term), ψ; when ψ is not learned its row is zero.
/// </summary>
public sealed class ReinforceBilevelProblem : IBilevelProblem
{
    private readonly double[] _theta;
    private readonly int _actions;
    private readonly double _phi1;
    private readonly double[] _aux;
    private readonly double _psi;
    private readonly double _primaryGamma;
    private readonly double _actorL2;
    private readonly bool _learnGamma;
    private readonly IReadOnlyList<DesignEpisode> _episodes;

    /// <summary>Captures the current point (θ, φ) and the batch the derivatives are estimated on.</summary>
    /// <param name="theta">Softmax policy logits θ, state-major (states × actions).</param>
    /// <param name="actions">Number of actions.</param>
    /// <param name="phi1">φ₁, the learned per-step offset.</param>
    /// <param name="aux">φ₂ⱼ, the weight of each auxiliary term.</param>
    /// <param name="psi">ψ of the learned discount γ_φ = σ(ψ).</param>
    /// <param name="primaryGamma">γ_p of the primary objective.</param>
    /// <param name="actorL2">L2 penalty on θ inside J_φ.</param>
    /// <param name="learnGamma">Whether ψ is learned (otherwise its row of M is zero).</param>
    /// <param name="episodes">The batch of episodes, at least one.</param>
    public ReinforceBilevelProblem(double[] theta, int actions, double phi1, double[] aux, double psi, double primaryGamma, double actorL2, bool learnGamma,
        IReadOnlyList<DesignEpisode> episodes)
    {
        ArgumentNullException.ThrowIfNull(theta);
        ArgumentNullException.ThrowIfNull(aux);
        ArgumentNullException.ThrowIfNull(episodes);
        if (episodes.Count == 0) throw new ArgumentException("BARFI's problem needs at least one episode.", nameof(episodes));
        _theta = theta;
        _actions = actions;
        _phi1 = phi1;
        _aux = aux;
        _psi = psi;
        _primaryGamma = primaryGamma;
        _actorL2 = actorL2;
        _learnGamma = learnGamma;
        _episodes = episodes;
    }

    /// <inheritdoc />
    public int ThetaCount => _theta.Length;

    /// <inheritdoc />
    public int PhiCount => _aux.Length + 2;

    private double Gamma => Barfi.Sigmoid(_psi);

    private double ShapedReward(DesignStep s)
    {
        double r = _phi1 + s.Reward;
        for (int j = 0; j < _aux.Length; j++) r += _aux[j] * s.Auxiliary[j];
        return r;
    }

    /// <summary>G_t of rewards <paramref name="reward"/> with discount <paramref name="gamma"/>.</summary>
    private static double[] Returns(DesignEpisode e, Func<DesignStep, double> reward, double gamma)
    {
        var g = new double[e.Length];
        double acc = 0;
        for (int t = e.Length - 1; t >= 0; t--) g[t] = acc = reward(e.Steps[t]) + gamma * acc;
        return g;
    }

    private double[] ScoreGradient(Func<DesignEpisode, double[]> returns, bool l2)
    {
        var g = new double[_theta.Length];
        foreach (var e in _episodes)
        {
            var ret = returns(e);
            double w = 1.0 / Math.Max(1, e.Length);
            for (int t = 0; t < e.Length; t++)
            {
                int s = e.Steps[t].State;
                var pi = Barfi.Softmax(_theta, s, _actions);
                for (int a = 0; a < _actions; a++) g[s * _actions + a] += w * ret[t] * ((a == e.Steps[t].Action ? 1 : 0) - pi[a]);
            }
        }
        for (int i = 0; i < g.Length; i++) g[i] = g[i] / _episodes.Count - (l2 ? _actorL2 * _theta[i] : 0);
        return g;
    }

    /// <summary>∇_θ J_φ (the inner REINFORCE gradient, with the L2 penalty).</summary>
    public double[] ShapedGradient() => ScoreGradient(e => Returns(e, ShapedReward, Gamma), l2: true);

    /// <inheritdoc />
    public double[] PrimaryGradient() => ScoreGradient(e => Returns(e, s => s.Reward, _primaryGamma), l2: false);

    /// <inheritdoc />
    public double[] HessianVector(ReadOnlySpan<double> x)
    {
        var h = new double[_theta.Length];
        foreach (var e in _episodes)
        {
            var ret = Returns(e, ShapedReward, Gamma);
            double w = 1.0 / Math.Max(1, e.Length);
            for (int t = 0; t < e.Length; t++)
            {
                int s = e.Steps[t].State;
                var pi = Barfi.Softmax(_theta, s, _actions);
                double px = 0;
                for (int a = 0; a < _actions; a++) px += pi[a] * x[s * _actions + a];
                for (int a = 0; a < _actions; a++) h[s * _actions + a] -= w * ret[t] * pi[a] * (x[s * _actions + a] - px);
            }
        }
        for (int i = 0; i < h.Length; i++) h[i] = h[i] / _episodes.Count - _actorL2 * x[i];
        return h;
    }

    /// <inheritdoc />
    public double[] MixedVector(ReadOnlySpan<double> p)
    {
        var m = new double[PhiCount];
        double gamma = Gamma;
        double dGamma = gamma * (1 - gamma);
        foreach (var e in _episodes)
        {
            int n = e.Length, k = _aux.Length;
            // Backward recursions: A_t = ∂G_t/∂φ₁, B_jt = ∂G_t/∂φ₂ⱼ, D_t = ∂G_t/∂γ (G_t = r_t + γ G_{t+1}).
            double a = 0, g = 0, d = 0;
            var b = new double[k];
            for (int t = n - 1; t >= 0; t--)
            {
                var step = e.Steps[t];
                d = g + gamma * d;
                g = ShapedReward(step) + gamma * g;
                a = 1 + gamma * a;
                for (int j = 0; j < k; j++) b[j] = step.Auxiliary[j] + gamma * b[j];
                int s = step.State;
                var pi = Barfi.Softmax(_theta, s, _actions);
                double c = 0;
                for (int act = 0; act < _actions; act++) c += ((act == step.Action ? 1 : 0) - pi[act]) * p[s * _actions + act];
                c /= n;
                m[0] += c * a;
                for (int j = 0; j < k; j++) m[1 + j] += c * b[j];
                if (_learnGamma) m[k + 1] += c * d * dGamma;
            }
        }
        for (int i = 0; i < m.Length; i++) m[i] /= _episodes.Count;
        return m;
    }
}
