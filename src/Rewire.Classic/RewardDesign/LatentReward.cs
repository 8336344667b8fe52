using System.Text.Json.Nodes;
using Rewire.Core.Techniques;

namespace Rewire.Classic.RewardDesign;

/// <summary>
/// LaRe, "Latent Reward: LLM-Empowered Credit Assignment in Episodic Reinforcement Learning" (Qu et al., AAAI 2025):
/// only the episodic return R_ep is observed; a latent-factor function z_t = φ(s_t, a_t) ∈ ℝ^d (written by a language
/// model in the paper; here the environment's scripted factor function, <see cref="DesignStep.Factors"/>) is decoded
/// into a proxy reward r̂_t = f_ψ(z_t), trained by return decomposition so the per-step rewards sum to the return
/// (RD: <c>L = MSE((1/T)Σ_t f(z_t), R_ep/T)</c>), and the agent trains on r̂. The decoder here is linear,
/// f(z) = w·z (the factors carry a constant), for which the RD loss over the episode buffer is a weighted
/// least-squares problem <c>min_w Σ_ep ((w·Σ_t z_t − R_ep)/T_ep)² + ρ‖w‖²</c> solved exactly after every episode (the
/// paper trains an MLP with Adam at lr 3e-4); ρ (ridge) spreads credit over correlated factors.
/// <see cref="RdLoss"/> and <see cref="RrdLoss"/> give the paper's two losses for any decoder outputs.
/// </summary>
public sealed class LatentReward : IEpisodeRewardDesign, IStatefulTechnique
{
    private readonly int _factors;
    private readonly Queue<(double[] Sum, int Length, double Return)> _buffer = new();
    private readonly Lock _gate = new();
    private double[] _w;

    /// <summary>Creates LaRe with a zero decoder.</summary>
    /// <param name="factors">Number of latent factors d, at least 1.</param>
    /// <param name="ridge">Ridge ρ ≥ 0 of the decoder fit.</param>
    /// <param name="bufferEpisodes">Number of most recent episodes the decoder is fitted on, at least 1.</param>
    public LatentReward(int factors, double ridge = 0.01, int bufferEpisodes = 1000)
    {
        if (factors < 1) throw new ArgumentOutOfRangeException(nameof(factors), factors, "LaRe needs at least one latent factor.");
        if (!(ridge >= 0) || !double.IsFinite(ridge)) throw new ArgumentOutOfRangeException(nameof(ridge), ridge, "The ridge ρ must be 0 or more.");
        if (bufferEpisodes < 1) throw new ArgumentOutOfRangeException(nameof(bufferEpisodes), bufferEpisodes, "The episode buffer must hold at least one episode.");
        _factors = factors;
        Ridge = ridge;
        BufferEpisodes = bufferEpisodes;
        _w = new double[factors];
    }

    /// <inheritdoc />
    public string Name => "lare";

    /// <summary>Ridge ρ of the decoder's least-squares fit.</summary>
    public double Ridge { get; }

    /// <summary>Number of most recent episodes the decoder is fitted on.</summary>
    public int BufferEpisodes { get; }

    /// <summary>The decoder's weights w.</summary>
    public IReadOnlyList<double> Weights { get { lock (_gate) return _w.ToArray(); } }

    /// <summary>r̂ = w·z.</summary>
    public double Decode(ReadOnlySpan<double> z)
    {
        if (z.Length != _factors) throw new ArgumentException($"LaRe was built for {_factors} factors; a step carries {z.Length}.");
        lock (_gate)
        {
            double r = 0;
            for (int i = 0; i < z.Length; i++) r += _w[i] * z[i];
            return r;
        }
    }

    /// <inheritdoc />
    public double Reward(IReadOnlyList<DesignStep> episodeSoFar) => Decode(episodeSoFar[^1].Factors);

    /// <summary>Adds the episode (its factor sum, length and return) to the buffer and refits the decoder.</summary>
    public void EndEpisode(DesignEpisode episode)
    {
        ArgumentNullException.ThrowIfNull(episode);
        if (episode.Length == 0) return;
        var sum = new double[_factors];
        foreach (var s in episode.Steps)
        {
            if (s.Factors.Length != _factors) throw new ArgumentException($"LaRe was built for {_factors} factors; a step carries {s.Factors.Length}.");
            for (int i = 0; i < _factors; i++) sum[i] += s.Factors[i];
        }
        lock (_gate)
        {
            _buffer.Enqueue((sum, episode.Length, episode.Return));
            while (_buffer.Count > BufferEpisodes) _buffer.Dequeue();
            _w = Fit(_buffer, _factors, Ridge);
        }
    }

    /// <summary>The RD weighted least-squares solution over (Σ_t z_t, T, R_ep) triples.</summary>
    public static double[] Fit(IEnumerable<(double[] Sum, int Length, double Return)> episodes, int factors, double ridge)
    {
        ArgumentNullException.ThrowIfNull(episodes);
        var a = new double[factors, factors];
        var b = new double[factors];
        foreach (var (z, t, r) in episodes)
        {
            double w = 1.0 / ((double)t * t);
            for (int i = 0; i < factors; i++)
            {
                b[i] += w * z[i] * r;
                for (int j = 0; j < factors; j++) a[i, j] += w * z[i] * z[j];
            }
        }
        for (int i = 0; i < factors; i++) a[i, i] += ridge + 1e-12;
        return Solve(a, b);
    }

    /// <summary>RD: <c>((1/T)Σ_t f_t − R/T)²</c> for one episode's decoder outputs f.</summary>
    public static double RdLoss(ReadOnlySpan<double> outputs, double episodicReturn)
    {
        if (outputs.Length == 0) throw new ArgumentException("an episode has at least one step.", nameof(outputs));
        double mean = 0;
        foreach (var f in outputs) mean += f;
        mean /= outputs.Length;
        double d = mean - episodicReturn / outputs.Length;
        return d * d;
    }

    /// <summary>
    /// RRD (unbiased): for K steps sampled from an episode of length T,
    /// <c>(mean_k f_k − R/T)² − (1 − K/T)/K · Var_k f_k</c> (sample variance with K−1).
    /// </summary>
    public static double RrdLoss(ReadOnlySpan<double> sampledOutputs, int episodeLength, double episodicReturn)
    {
        int k = sampledOutputs.Length;
        if (k < 2 || episodeLength < k) throw new ArgumentException("RRD needs 2 ≤ K ≤ T sampled steps.");
        double mean = 0;
        foreach (var f in sampledOutputs) mean += f;
        mean /= k;
        double var = 0;
        foreach (var f in sampledOutputs) var += (f - mean) * (f - mean);
        var /= k - 1;
        double d = mean - episodicReturn / episodeLength;
        return d * d - (1.0 - (double)k / episodeLength) / k * var;
    }

    private static double[] Solve(double[,] a, double[] b)
    {
        int n = b.Length;
        var m = (double[,])a.Clone();
        var x = (double[])b.Clone();
        for (int c = 0; c < n; c++)
        {
            int p = c;
            for (int r = c + 1; r < n; r++) if (Math.Abs(m[r, c]) > Math.Abs(m[p, c])) p = r;
            if (p != c)
            {
                for (int j = 0; j < n; j++) (m[c, j], m[p, j]) = (m[p, j], m[c, j]);
                (x[c], x[p]) = (x[p], x[c]);
            }
            double piv = m[c, c];
            if (Math.Abs(piv) < 1e-300) return new double[n];
            for (int r = c + 1; r < n; r++)
            {
                double f = m[r, c] / piv;
                if (f == 0) continue;
                for (int j = c; j < n; j++) m[r, j] -= f * m[c, j];
                x[r] -= f * x[c];
            }
        }
        for (int r = n - 1; r >= 0; r--)
        {
            double s = x[r];
            for (int j = r + 1; j < n; j++) s -= m[r, j] * x[j];
            x[r] = s / m[r, r];
        }
        return x;
    }

    /// <summary>The episode buffer (factor sums, lengths, returns) and the decoder's weights.</summary>
    public JsonObject SaveState()
    {
        static JsonArray Numbers(IEnumerable<double> v) => new(v.Select(x => (JsonNode)JsonValue.Create(x)).ToArray());
        lock (_gate)
            return new JsonObject
            {
                ["weights"] = Numbers(_w),
                ["episodes"] = new JsonArray(_buffer.Select(e => (JsonNode)new JsonObject
                {
                    ["sum"] = Numbers(e.Sum), ["length"] = e.Length, ["return"] = e.Return,
                }).ToArray()),
            };
    }

    /// <inheritdoc />
    public void RestoreState(JsonObject state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var w = (state["weights"] as JsonArray ?? throw new ArgumentException("the saved lare state has no 'weights'.")).Select(n => n!.GetValue<double>()).ToArray();
        if (w.Length != _factors) throw new ArgumentException($"the saved lare state has {w.Length} weights; this design has {_factors} factors.");
        var episodes = state["episodes"] as JsonArray ?? throw new ArgumentException("the saved lare state has no 'episodes'.");
        lock (_gate)
        {
            _w = w;
            _buffer.Clear();
            foreach (var e in episodes)
                _buffer.Enqueue((e!["sum"]!.AsArray().Select(n => n!.GetValue<double>()).ToArray(), e["length"]!.GetValue<int>(), e["return"]!.GetValue<double>()));
        }
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> Metrics
    {
        get
        {
            lock (_gate)
            {
                var d = new Dictionary<string, double> { ["reward_design/lare/episodes"] = _buffer.Count };
                for (int i = 0; i < _w.Length; i++) d[$"reward_design/lare/w{i}"] = _w[i];
                return d;
            }
        }
    }
}
