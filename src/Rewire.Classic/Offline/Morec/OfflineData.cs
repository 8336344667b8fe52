namespace Rewire.Classic.Offline.Morec;

/// <summary>
/// The normalisation MOREC's networks share: observations and the targets (s' − s, r) standardised by the dataset's
/// mean and standard deviation; a discrete action one-hot encoded, a box action as it is.
/// </summary>
public sealed class FeatureScaling
{
    internal FeatureScaling(double[] obsMean, double[] obsStd, double[] targetMean, double[] targetStd, string actionKind, int actionSize)
    {
        ObservationMean = obsMean; ObservationStd = obsStd; TargetMean = targetMean; TargetStd = targetStd;
        ActionKind = actionKind; ActionSize = actionSize;
    }

    /// <summary>Mean of each observation coordinate.</summary>
    public IReadOnlyList<double> ObservationMean { get; }

    /// <summary>Standard deviation of each observation coordinate (at least 1e−6).</summary>
    public IReadOnlyList<double> ObservationStd { get; }

    /// <summary>Mean of (s' − s, r).</summary>
    public IReadOnlyList<double> TargetMean { get; }

    /// <summary>Standard deviation of (s' − s, r) (at least 1e−6).</summary>
    public IReadOnlyList<double> TargetStd { get; }

    /// <summary>"discrete" or "box".</summary>
    public string ActionKind { get; }

    /// <summary>Discrete actions, or the box's dimension.</summary>
    public int ActionSize { get; }

    /// <summary>Width of the encoded action.</summary>
    public int ActionFeatures => ActionSize;

    internal double[] Input(float[] obs, float[] action)
    {
        var x = new double[obs.Length + ActionFeatures];
        Observation(obs, x);
        if (ActionKind == "discrete") x[obs.Length + (int)action[0]] = 1;
        else for (int j = 0; j < ActionSize; j++) x[obs.Length + j] = action[j];
        return x;
    }

    internal void Observation(float[] obs, double[] into)
    {
        for (int j = 0; j < obs.Length; j++) into[j] = (obs[j] - ObservationMean[j]) / ObservationStd[j];
    }

    /// <summary>Discriminator features: normalised s, the encoded a, normalised s' − s.</summary>
    internal double[] TransitionFeatures(float[] obs, float[] action, float[] next)
    {
        var x = Input(obs, action);
        var f = new double[x.Length + obs.Length];
        Array.Copy(x, f, x.Length);
        for (int j = 0; j < obs.Length; j++) f[x.Length + j] = (next[j] - obs[j] - TargetMean[j]) / TargetStd[j];
        return f;
    }
}

/// <summary>A dataset's transitions with the <see cref="FeatureScaling"/> fitted to them, as MOREC's networks read them.</summary>
public sealed class OfflineData
{
    private readonly IReadOnlyList<Transition> _t;
    private readonly double[][] _inputs, _targets;

    /// <summary>Fits the scaling and encodes every transition.</summary>
    public OfflineData(DatasetHeader header, IReadOnlyList<Transition> transitions)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(transitions);
        if (transitions.Count == 0) throw new ArgumentException("the dataset has no transitions.");
        Header = header;
        _t = transitions;
        int obs = header.ObservationSize, d = obs + 1;
        var om = new double[obs]; var os = new double[obs]; var tm = new double[d]; var ts = new double[d];
        foreach (var t in transitions)
            for (int j = 0; j < d; j++)
            {
                double target = j < obs ? t.NextObservation[j] - t.Observation[j] : t.Reward;
                tm[j] += target;
                if (j < obs) om[j] += t.Observation[j];
            }
        int n = transitions.Count;
        for (int j = 0; j < d; j++) { tm[j] /= n; if (j < obs) om[j] /= n; }
        foreach (var t in transitions)
            for (int j = 0; j < d; j++)
            {
                double target = j < obs ? t.NextObservation[j] - t.Observation[j] : t.Reward;
                ts[j] += (target - tm[j]) * (target - tm[j]);
                if (j < obs) os[j] += (t.Observation[j] - om[j]) * (t.Observation[j] - om[j]);
            }
        for (int j = 0; j < d; j++) { ts[j] = Math.Max(Math.Sqrt(ts[j] / n), 1e-6); if (j < obs) os[j] = Math.Max(Math.Sqrt(os[j] / n), 1e-6); }
        Scaling = new FeatureScaling(om, os, tm, ts, header.ActionKind, header.ActionSize);
        _inputs = new double[n][];
        _targets = new double[n][];
        for (int i = 0; i < n; i++)
        {
            var t = transitions[i];
            _inputs[i] = Scaling.Input(t.Observation, t.Action);
            _targets[i] = new double[d];
            for (int j = 0; j < d; j++) _targets[i][j] = ((j < obs ? t.NextObservation[j] - t.Observation[j] : t.Reward) - tm[j]) / ts[j];
        }
    }

    /// <summary>The dataset's header.</summary>
    public DatasetHeader Header { get; }

    /// <summary>The normalisation fitted to the data.</summary>
    public FeatureScaling Scaling { get; }

    /// <summary>Transitions.</summary>
    public int Count => _t.Count;

    /// <summary>Observation size.</summary>
    public int ObservationSize => Header.ObservationSize;

    internal int InputSize => ObservationSize + Scaling.ActionFeatures;

    /// <summary>Transition i.</summary>
    public Transition this[int i] => _t[i];

    internal double[] Input(int i) => _inputs[i];

    internal double[] Target(int i) => _targets[i];

    internal bool Terminated(int i) => _t[i].Terminated;
}
