using Rewire.Core.Sampling;

namespace Rewire.Classic.Offline.Morec;

/// <summary>One next step proposed by a dynamics model: the next observation, the reward, whether the MDP terminated.</summary>
public sealed record ModelTransition(float[] NextObservation, double Reward, bool Terminated);

/// <summary>
/// The probabilistic dynamics ensemble of model-based offline RL (MOPO, "MOPO: Model-based Offline Policy
/// Optimization", Yu et al., NeurIPS 2020; MBPO's ensemble): each member maps the normalised (s, a) to a diagonal
/// Gaussian over the normalised (s' − s, r) and a termination logit, trained by the Gaussian negative log-likelihood
/// plus the termination cross-entropy on the dataset; the members with the lowest held-out error are the elites.
/// Members differ by their initial weights and minibatch order.
/// </summary>
public sealed class DynamicsEnsemble
{
    private const double MinLogVar = -10, MaxLogVar = 2;
    private readonly Mlp[] _members;
    private readonly int _obs;

    internal DynamicsEnsemble(Mlp[] members, int[] elites, FeatureScaling scaling, int observationSize)
    {
        _members = members;
        Elites = elites;
        Scaling = scaling;
        _obs = observationSize;
    }

    /// <summary>The indices of the elite members, best first.</summary>
    public IReadOnlyList<int> Elites { get; private set; }

    /// <summary>Held-out mean squared error (normalised units) of each member after training.</summary>
    public IReadOnlyList<double> ValidationError { get; private set; } = [];

    internal FeatureScaling Scaling { get; }
    internal IReadOnlyList<Mlp> Members => _members;
    internal int ObservationSize => _obs;

    /// <summary>Trains <paramref name="members"/> members on the dataset and keeps the <paramref name="elites"/> best.</summary>
    public static DynamicsEnsemble Train(OfflineData data, int members, int elites, int[] hidden, int epochs, int batchSize, double learningRate, Xoshiro256StarStar rng)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(rng);
        if (elites < 1 || elites > members) throw new ArgumentOutOfRangeException(nameof(elites), elites, $"give 1 to {members} elites.");
        int n = data.Count;
        var order = Enumerable.Range(0, n).ToArray();
        rng.Shuffle(order.AsSpan());
        int holdout = Math.Min(1000, n / 10);
        var valid = order[..holdout];
        var train = order[holdout..];
        if (train.Length == 0) throw new ArgumentException("the dataset is too small to train a dynamics model.");
        int obs = data.ObservationSize;
        var nets = new Mlp[members];
        for (int k = 0; k < members; k++) nets[k] = new Mlp(data.InputSize, hidden, 2 * (obs + 1) + 1, rng);
        var e = new DynamicsEnsemble(nets, [], data.Scaling, obs);
        for (int k = 0; k < members; k++)
        {
            var own = (int[])train.Clone();
            for (int epoch = 0; epoch < epochs; epoch++)
            {
                rng.Shuffle(own.AsSpan());
                for (int start = 0; start < own.Length; start += batchSize)
                {
                    int end = Math.Min(own.Length, start + batchSize);
                    for (int j = start; j < end; j++) e.AccumulateLikelihood(k, data, own[j]);
                    nets[k].AdamStep(learningRate, end - start, weightDecay: 1e-5);
                }
            }
        }
        var errors = new double[members];
        var eval = holdout > 0 ? valid : train;
        for (int k = 0; k < members; k++)
        {
            double sum = 0;
            foreach (int i in eval)
            {
                var y = nets[k].Predict(data.Input(i));
                var t = data.Target(i);
                for (int j = 0; j <= obs; j++) sum += (y[j] - t[j]) * (y[j] - t[j]);
            }
            errors[k] = sum / (eval.Length * (obs + 1));
        }
        e.ValidationError = errors;
        e.Elites = Enumerable.Range(0, members).OrderBy(k => errors[k]).ThenBy(k => k).Take(elites).ToArray();
        return e;
    }

    /// <summary>Adds the gradient of member k's negative log-likelihood of transition i (Gaussian over (Δs, r), Bernoulli termination).</summary>
    internal void AccumulateLikelihood(int k, OfflineData data, int i, double weight = 1)
    {
        var net = _members[k];
        var acts = net.Forward(data.Input(i));
        var y = acts[^1];
        var t = data.Target(i);
        int d = _obs + 1;
        var grad = new double[y.Length];
        for (int j = 0; j < d; j++)
        {
            double lv = y[d + j], clamped = Math.Clamp(lv, MinLogVar, MaxLogVar), inv = Math.Exp(-clamped), err = y[j] - t[j];
            grad[j] = weight * err * inv;
            grad[d + j] = lv == clamped ? weight * 0.5 * (1 - err * err * inv) : 0;
        }
        double p = DynamicsReward.Sigmoid(y[2 * d]);
        grad[2 * d] = weight * (p - (data.Terminated(i) ? 1 : 0));
        net.Backward(acts, grad);
    }

    /// <summary>
    /// Candidate next steps for (s, a): each elite member's Gaussian sampled <paramref name="samplesPerElite"/> times
    /// (MOREC's candidate batch; MOPO alone takes one sample of one random elite). <paramref name="uncertainty"/> is MOPO's
    /// penalty term, the largest norm of an elite's predicted standard deviation (in raw units).
    /// </summary>
    public IReadOnlyList<ModelTransition> Candidates(float[] observation, float[] action, int samplesPerElite, Xoshiro256StarStar rng, out double uncertainty)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var x = Scaling.Input(observation, action);
        var list = new List<ModelTransition>(Elites.Count * samplesPerElite);
        uncertainty = 0;
        int d = _obs + 1;
        foreach (int k in Elites)
        {
            var y = _members[k].Predict(x);
            double norm = 0;
            for (int j = 0; j < d; j++)
            {
                double sd = Math.Exp(0.5 * Math.Clamp(y[d + j], MinLogVar, MaxLogVar)) * Scaling.TargetStd[j];
                norm += sd * sd;
            }
            uncertainty = Math.Max(uncertainty, Math.Sqrt(norm));
            bool terminated = y[2 * d] > 0;
            for (int s = 0; s < samplesPerElite; s++)
            {
                var next = new float[_obs];
                double reward = 0;
                for (int j = 0; j < d; j++)
                {
                    double z = y[j] + Math.Exp(0.5 * Math.Clamp(y[d + j], MinLogVar, MaxLogVar)) * rng.NextGaussian();
                    double raw = Scaling.TargetMean[j] + Scaling.TargetStd[j] * z;
                    if (j < _obs) next[j] = (float)(observation[j] + raw);
                    else reward = raw;
                }
                list.Add(new ModelTransition(next, reward, terminated));
            }
        }
        return list;
    }
}
