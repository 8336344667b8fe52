using Rewire.Core.Sampling;

namespace Rewire.Classic.Offline.Morec;

/// <summary>One retained discriminator with the mean logits it gave the learner's and the data's transitions when it was retained.</summary>
internal sealed record RetainedDiscriminator(Mlp Network, double LearnerLogit, double ExpertLogit);

/// <summary>
/// The learned dynamics reward r^D(s, a, s') of MOREC: a history of discriminators, each trained to tell the dataset's
/// transitions from a dynamics model's, combined by <see cref="DynamicsReward"/>. A transition consistent with the
/// data scores high; one the model invents scores low.
/// </summary>
public sealed class DynamicsRewardModel
{
    private readonly List<RetainedDiscriminator> _history;
    private readonly FeatureScaling _scaling;

    internal DynamicsRewardModel(List<RetainedDiscriminator> history, FeatureScaling scaling, double clip)
    {
        _history = history;
        _scaling = scaling;
        Clip = clip;
    }

    /// <summary>The probability clip c of r^D = −log(1 − mean clip(p, 0, c)).</summary>
    public double Clip { get; }

    /// <summary>Each retained discriminator's mean logits on the learner's and on the data's transitions, oldest first.</summary>
    public IReadOnlyList<(double Learner, double Expert)> LogitBounds => _history.Select(h => (h.LearnerLogit, h.ExpertLogit)).ToList();

    /// <summary>Discriminators retained.</summary>
    public int Discriminators => _history.Count;

    /// <summary>r^D(s, a, s').</summary>
    public double Score(float[] observation, float[] action, float[] next)
    {
        var x = _scaling.TransitionFeatures(observation, action, next);
        Span<double> p = stackalloc double[_history.Count];
        for (int k = 0; k < _history.Count; k++)
        {
            var h = _history[k];
            p[k] = DynamicsReward.Probability(h.Network.Predict(x)[0], h.LearnerLogit, h.ExpertLogit);
        }
        return DynamicsReward.FromProbabilities(p, Clip);
    }

    /// <summary>
    /// Learns the dynamics reward by adversarial inverse RL with the dynamics as the agent: each round trains a
    /// discriminator D(s, a, s') to separate dataset transitions (label 1) from transitions sampled from a generator
    /// (a dynamics model trained from scratch alongside), then moves the generator towards transitions D takes for data (pathwise
    /// gradient of −log D through the Gaussian sample; the generator never sees the likelihood, as in adversarial imitation). Every
    /// <see cref="MorecOptions.EnsembleChoosingInterval"/> rounds the discriminator is copied into the history (at most
    /// <see cref="MorecOptions.MaxRetain"/>, the oldest dropped), with its mean logits on data and on generator samples.
    /// </summary>
    public static DynamicsRewardModel Learn(OfflineData data, DynamicsEnsemble ensemble, MorecOptions o, Xoshiro256StarStar rng)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(ensemble);
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(rng);
        // The learner starts untrained, so the retained discriminators range from ones that reject crude transitions
        // (early in the history) to ones that tell the data from nearly right transitions (late).
        var generator = new Mlp(data.InputSize, o.ModelHidden, 2 * (data.ObservationSize + 1) + 1, rng);
        var generators = new[] { generator };
        var gen = new DynamicsEnsemble(generators, [0], ensemble.Scaling, ensemble.ObservationSize);
        int featureSize = data.InputSize + data.ObservationSize;
        var disc = new Mlp(featureSize, o.DiscriminatorHidden, 1, rng);
        var history = new List<RetainedDiscriminator>();
        int batch = o.RewardBatchSize, n = data.Count, obs = data.ObservationSize;
        for (int round = 1; round <= o.RewardRounds; round++)
        {
            for (int step = 0; step < o.DiscriminatorSteps; step++)
            {
                for (int b = 0; b < batch; b++)
                {
                    var t = data[rng.NextInt(n)];
                    var real = disc.Forward(ensemble.Scaling.TransitionFeatures(t.Observation, t.Action, t.NextObservation));
                    disc.Backward(real, [DynamicsReward.Sigmoid(real[^1][0]) - 1]);
                    var u = data[rng.NextInt(n)];
                    var fake = disc.Forward(ensemble.Scaling.TransitionFeatures(u.Observation, u.Action, Sample(gen, u, rng)));
                    disc.Backward(fake, [DynamicsReward.Sigmoid(fake[^1][0])]);
                }
                disc.AdamStep(o.RewardLearningRate, 2 * batch);
            }
            for (int step = 0; step < o.DiscriminatorSteps; step++)
            {
                const int k = 0;
                for (int b = 0; b < batch; b++)
                {
                    int i = rng.NextInt(n);
                    var t = data[i];
                    var acts = generators[k].Forward(data.Input(i));
                    var y = acts[^1];
                    int d = obs + 1;
                    var next = new float[obs];
                    var eps = new double[obs];
                    for (int j = 0; j < obs; j++)
                    {
                        eps[j] = rng.NextGaussian();
                        double z = y[j] + Math.Exp(0.5 * Math.Clamp(y[d + j], -10, 2)) * eps[j];
                        next[j] = (float)(t.Observation[j] + ensemble.Scaling.TargetMean[j] + ensemble.Scaling.TargetStd[j] * z);
                    }
                    var f = disc.Forward(ensemble.Scaling.TransitionFeatures(t.Observation, t.Action, next));
                    double dLogit = -(1 - DynamicsReward.Sigmoid(f[^1][0]));       // d(−log D)/d logit
                    var dFeatures = disc.Backward(f, [dLogit], accumulate: false);
                    var grad = new double[y.Length];
                    for (int j = 0; j < obs; j++)
                    {
                        // The Δ features are (s' − s − m) / σ = z exactly, so d/dz is the feature gradient.
                        double dz = o.AdversarialWeight * dFeatures[data.InputSize + j];
                        grad[j] = dz;
                        double lv = y[d + j];
                        if (lv > -10 && lv < 2) grad[d + j] = dz * eps[j] * 0.5 * Math.Exp(0.5 * lv);
                    }
                    generators[k].Backward(acts, grad);
                }
                generators[k].AdamStep(o.RewardLearningRate, batch);
            }
            if (round % o.EnsembleChoosingInterval == 0 || round == o.RewardRounds && history.Count == 0)
            {
                double expert = 0, learner = 0;
                int m = Math.Min(512, n);
                for (int j = 0; j < m; j++)
                {
                    var t = data[rng.NextInt(n)];
                    expert += disc.Predict(ensemble.Scaling.TransitionFeatures(t.Observation, t.Action, t.NextObservation))[0];
                    var u = data[rng.NextInt(n)];
                    learner += disc.Predict(ensemble.Scaling.TransitionFeatures(u.Observation, u.Action, Sample(gen, u, rng)))[0];
                }
                history.Add(new RetainedDiscriminator(disc.Snapshot(), learner / m, expert / m));
                if (history.Count > o.MaxRetain) history.RemoveAt(0);
            }
        }
        return new DynamicsRewardModel(history, ensemble.Scaling, o.ProbabilityClip);
    }

    private static float[] Sample(DynamicsEnsemble gen, Transition t, Xoshiro256StarStar rng)
    {
        var c = gen.Candidates(t.Observation, t.Action, 1, rng, out _);
        return c[rng.NextInt(c.Count)].NextObservation;
    }
}
