namespace Rewire.Classic.Offline;

/// <summary>Settings of <see cref="Dcppo"/>.</summary>
public sealed record DcppoOptions
{
    /// <summary>Discount γ of the behaviour model (1 for the episodic setting). <value>The default value is 1.</value></summary>
    public double Gamma { get; init; } = 1.0;

    /// <summary>Ridge λ of the regressions and of Λ_h = Σ φφᵀ + λI. <value>The default value is 1.</value></summary>
    public double Lambda { get; init; } = 1.0;

    /// <summary>L2 penalty of the stage-1 likelihood (per logit). <value>The default value is 0.01.</value></summary>
    public double MleL2 { get; init; } = 0.01;

    /// <summary>Pessimism scale β of Γ_h = β‖φ(s, a)‖_{Λ_h⁻¹}; 0 gives plain least-squares value iteration. <value>The default value is 1.</value></summary>
    public double Beta { get; init; } = 1.0;

    /// <summary>
    /// The problems with the settings, each naming the key (e.g. <c>dcppo.gamma</c>) and what to give; empty when they
    /// are valid.
    /// </summary>
    public IReadOnlyList<string> Validate()
    {
        var e = new List<string>();
        if (!(Gamma > 0 && Gamma <= 1)) e.Add($"dcppo.gamma is {Gamma}; give a number in (0, 1]");
        if (!(Lambda > 0 && Lambda <= 1e6)) e.Add($"dcppo.lambda is {Lambda}; give a positive number");
        if (!(MleL2 > 0 && MleL2 <= 1e6)) e.Add($"dcppo.mle_l2 is {MleL2}; give a positive number");
        if (!(Beta >= 0 && Beta <= 1e6)) e.Add($"dcppo.beta is {Beta}; give 0 or a positive number");
        return e;
    }
}

/// <summary>What <see cref="Dcppo.Fit"/> learns: Q̂ (stage 1), r̂ (stage 2), the pessimistic policy, Q̃ and the bonus Γ (stage 3).</summary>
public sealed record DcppoResult(double[,,] BehaviourQ, double[,,] Reward, int[,] Policy, double[,,] PessimisticQ, double[,,] Penalty, int[,,] Counts);

/// <summary>
/// DCPPO ("Reinforcement Learning with Human Feedback: Learning Dynamic Choices via Pessimism", Li, Yang, Wang, arXiv
/// 2305.18438) in the tabular case (linear function class with one-hot features φ(s, a), so ‖φ‖_{Λ⁻¹} = 1/√(n_h(s, a) + λ)):
/// <list type="number">
/// <item>Behaviour value by maximum likelihood: per (h, s), the L2-regularised softmax likelihood of the recorded choices
/// gives Q_h(s, ·) up to a constant; the constant is fixed by the reference action's known zero reward:
/// Q̂_h(s, 0) = γ Ê[V̂_{h+1}(s') | s, 0] (a ridge fit), V̂ = log Σ exp Q̂, V̂_H = 0 — backward from the last step.</item>
/// <item>Reward through the Bellman equation: r̂_h = ridge regression of Q̂_h(s_i, a_i) − γ V̂_{h+1}(s'_i) on φ(s_i, a_i).</item>
/// <item>Pessimistic value iteration: Q̃_h(s, a) = r̂_h(s, a) + Ê[Ṽ_{h+1}(s') | s, a] − Γ_h(s, a), clipped to
/// [0, H − h], Γ_h = β‖φ(s, a)‖_{Λ_h⁻¹}; π̂_h = argmax Q̃_h, Ṽ_h = max Q̃_h.</item>
/// </list>
/// The paper penalises the uncertainty of both the reward and the transition estimates; one β scales the combined bonus here.
/// </summary>
public static class Dcppo
{
    /// <summary>
    /// Fits DCPPO's three stages to <paramref name="data"/> and returns the learned values, reward and pessimistic
    /// policy.
    /// </summary>
    /// <param name="data">The recorded choices (step, state, action, next state).</param>
    /// <param name="states">Number of states S.</param>
    /// <param name="actions">Number of actions A (action 0 is the zero-reward reference).</param>
    /// <param name="horizon">Episode length H.</param>
    /// <param name="options">Regularisers and pessimism scale; the defaults when null.</param>
    public static DcppoResult Fit(IReadOnlyList<ChoiceRecord> data, int states, int actions, int horizon, DcppoOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var o = options ?? new DcppoOptions();
        var problems = o.Validate();
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems));
        foreach (var d in data)
            if ((uint)d.Step >= horizon || (uint)d.State >= states || (uint)d.Action >= actions || (uint)d.Next >= states)
                throw new ArgumentException($"record {d} lies outside {horizon} steps, {states} states, {actions} actions.");

        var byStep = Enumerable.Range(0, horizon).Select(h => data.Where(d => d.Step == h).ToList()).ToArray();
        var counts = new int[horizon, states, actions];
        foreach (var d in data) counts[d.Step, d.State, d.Action]++;

        // Stage 1: behaviour Q by maximum likelihood, normalised by the reference action, backward in h.
        var q = new double[horizon, states, actions];
        var vNext = new double[states];
        var vHat = new double[horizon + 1][];
        vHat[horizon] = new double[states];
        for (int h = horizon - 1; h >= 0; h--)
        {
            var refValue = RidgeMean(byStep[h], states, actions, o.Lambda, d => vNext[d.Next]);
            var v = new double[states];
            for (int s = 0; s < states; s++)
            {
                var n = new double[actions];
                for (int a = 0; a < actions; a++) n[a] = counts[h, s, a];
                var logits = SoftmaxMle(n, o.MleL2);
                double shift = o.Gamma * refValue[s, 0] - logits[0];
                for (int a = 0; a < actions; a++) q[h, s, a] = logits[a] + shift;
                var row = new double[actions];
                for (int a = 0; a < actions; a++) row[a] = q[h, s, a];
                v[s] = DynamicDiscreteChoice.LogSumExp(row);
            }
            vHat[h] = v;
            vNext = v;
        }

        // Stage 2: reward by ridge regression of Q̂_h(s, a) − γ V̂_{h+1}(s') on one-hot φ(s, a).
        var reward = new double[horizon, states, actions];
        for (int h = 0; h < horizon; h++)
        {
            var fit = RidgeMean(byStep[h], states, actions, o.Lambda, d => q[h, d.State, d.Action] - o.Gamma * vHat[h + 1][d.Next]);
            for (int s = 0; s < states; s++)
                for (int a = 0; a < actions; a++) reward[h, s, a] = fit[s, a];
        }

        // Stage 3: pessimistic value iteration with the learned reward.
        var policy = new int[horizon, states];
        var qTilde = new double[horizon, states, actions];
        var penalty = new double[horizon, states, actions];
        var vTilde = new double[states];
        for (int h = horizon - 1; h >= 0; h--)
        {
            var vt = vTilde;
            var next = RidgeMean(byStep[h], states, actions, o.Lambda, d => vt[d.Next]);
            var v = new double[states];
            for (int s = 0; s < states; s++)
            {
                double best = double.NegativeInfinity;
                for (int a = 0; a < actions; a++)
                {
                    penalty[h, s, a] = Penalty(o.Beta, counts[h, s, a], o.Lambda);
                    double value = Math.Clamp(reward[h, s, a] + next[s, a] - penalty[h, s, a], 0, horizon - h);
                    qTilde[h, s, a] = value;
                    if (value > best) { best = value; policy[h, s] = a; }
                }
                v[s] = best;
            }
            vTilde = v;
        }
        return new DcppoResult(q, reward, policy, qTilde, penalty, counts);
    }

    /// <summary>Γ = β‖φ‖_{Λ⁻¹} for a one-hot φ seen <paramref name="count"/> times: β / √(count + λ).</summary>
    public static double Penalty(double beta, int count, double lambda) => beta / Math.Sqrt(count + lambda);

    /// <summary>Ridge regression of <paramref name="target"/> on one-hot φ(s, a): Σ target / (n(s, a) + λ) per (s, a).</summary>
    public static double[,] RidgeMean(IEnumerable<ChoiceRecord> records, int states, int actions, double lambda, Func<ChoiceRecord, double> target)
    {
        var sum = new double[states, actions];
        var n = new double[states, actions];
        foreach (var d in records)
        {
            sum[d.State, d.Action] += target(d);
            n[d.State, d.Action]++;
        }
        var w = new double[states, actions];
        for (int s = 0; s < states; s++)
            for (int a = 0; a < actions; a++) w[s, a] = sum[s, a] / (n[s, a] + lambda);
        return w;
    }

    /// <summary>
    /// argmax_q Σ_a n_a log softmax(q)_a − (l2/2)‖q‖², the regularised choice likelihood of one (h, s) (concave; Newton's
    /// method on the full Hessian until the gradient vanishes).
    /// </summary>
    public static double[] SoftmaxMle(double[] counts, double l2)
    {
        int k = counts.Length;
        double total = counts.Sum();
        var q = new double[k];
        for (int iteration = 0; iteration < 100; iteration++)
        {
            double lse = DynamicDiscreteChoice.LogSumExp(q);
            var p = q.Select(x => Math.Exp(x - lse)).ToArray();
            var grad = new double[k];
            for (int a = 0; a < k; a++) grad[a] = counts[a] - total * p[a] - l2 * q[a];
            if (grad.Max(Math.Abs) < 1e-12) break;
            // Hessian of the negative objective: total (diag(p) − p pᵀ) + l2 I (positive definite).
            var hess = new double[k, k];
            for (int i = 0; i < k; i++)
                for (int j = 0; j < k; j++) hess[i, j] = total * ((i == j ? p[i] : 0) - p[i] * p[j]) + (i == j ? l2 : 0);
            var step = Solve(hess, grad);
            for (int a = 0; a < k; a++) q[a] += step[a];
        }
        return q;
    }

    private static double[] Solve(double[,] m, double[] b)
    {
        int n = b.Length;
        var a = (double[,])m.Clone();
        var x = (double[])b.Clone();
        for (int c = 0; c < n; c++)
        {
            int pivot = c;
            for (int r = c + 1; r < n; r++) if (Math.Abs(a[r, c]) > Math.Abs(a[pivot, c])) pivot = r;
            if (pivot != c)
            {
                for (int j = 0; j < n; j++) (a[c, j], a[pivot, j]) = (a[pivot, j], a[c, j]);
                (x[c], x[pivot]) = (x[pivot], x[c]);
            }
            for (int r = c + 1; r < n; r++)
            {
                double f = a[r, c] / a[c, c];
                for (int j = c; j < n; j++) a[r, j] -= f * a[c, j];
                x[r] -= f * x[c];
            }
        }
        for (int r = n - 1; r >= 0; r--)
        {
            double s = x[r];
            for (int j = r + 1; j < n; j++) s -= a[r, j] * x[j];
            x[r] = s / a[r, r];
        }
        return x;
    }
}
