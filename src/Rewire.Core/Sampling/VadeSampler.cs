using System.Text.Json.Nodes;
using Rewire.Core.Rewards;

namespace Rewire.Core.Sampling;

/// <summary>Options of <see cref="VadeSampler"/>. All constants are RECONSTRUCTED guesses (spec T09) and configurable.</summary>
public sealed record VadeOptions
{
    /// <summary>Prior α₀ of every prompt's Beta posterior. <value>The default value is 1.</value></summary>
    public double Alpha0 { get; init; } = 1.0;

    /// <summary>Prior β₀. <value>The default value is 1.</value></summary>
    public double Beta0 { get; init; } = 1.0;

    /// <summary>λ_g: slow decay toward the prior applied to every prompt each step (1 = none). <value>The default value is 0.99.</value></summary>
    public double GlobalDecay { get; init; } = 0.99;

    /// <summary>λ_l: fast decay λ_l^Δ applied when a prompt is revisited after Δ steps, before new evidence (1 = none). <value>The default value is 0.9.</value></summary>
    public double LocalDecay { get; init; } = 0.9;

    /// <summary>Candidates scored per step; 0 scores the whole pool, otherwise a uniform subset of that size. <value>The default value is 0.</value></summary>
    public int CandidatePool { get; init; }

    /// <summary>How the batch is chosen from Thompson scores u = p̃(1 − p̃). <value>The default value is top.</value></summary>
    public VadeSelection Selection { get; init; } = VadeSelection.Top;

    /// <summary>Lower clamp on α and β. <value>The default value is 1e-3.</value></summary>
    public double MinParameter { get; init; } = 1e-3;

    internal void Validate(string name)
    {
        SamplerSupport.Require(Alpha0 > 0 && double.IsFinite(Alpha0), name, "alpha0", Alpha0, "a positive finite number");
        SamplerSupport.Require(Beta0 > 0 && double.IsFinite(Beta0), name, "beta0", Beta0, "a positive finite number");
        SamplerSupport.Require(GlobalDecay is > 0 and <= 1, name, "global_decay", GlobalDecay, "(0, 1]");
        SamplerSupport.Require(LocalDecay is > 0 and <= 1, name, "local_decay", LocalDecay, "(0, 1]");
        SamplerSupport.Require(CandidatePool >= 0, name, "candidate_pool", CandidatePool, "0 (whole pool) or a positive count");
        SamplerSupport.Require(MinParameter > 0, name, "min_parameter", MinParameter, "a positive number");
    }
}

/// <summary>How VADE turns Thompson scores into a batch.</summary>
public enum VadeSelection
{
    /// <summary>The B candidates with the largest score.</summary>
    Top,
    /// <summary>B distinct candidates drawn with probability proportional to the score.</summary>
    Proportional,
}

/// <summary>
/// VADE [T09] ("VADE: Variance-Aware Dynamic Sampling via Online Sample-Level Difficulty Estimation for Multimodal RL",
/// arXiv 2511.18902). RECONSTRUCTED: the framework is confirmed, the constants and the decay form are not (configurable).
/// Each prompt x has a Beta(α_x, β_x) posterior over its pass rate. Per step: draw p̃_x ~ Beta(α_x, β_x) for every candidate,
/// score u_x = p̃_x(1 − p̃_x) (the Bernoulli reward variance, i.e. expected information / GRPO signal) and select the top B.
/// Update with s correct of G: α_x += s, β_x += G − s. Two-scale prior decay toward (α₀, β₀):
/// global, every step: (α,β) ← λ_g(α,β) + (1−λ_g)(α₀,β₀); local, on revisit after Δ steps: (α,β) ← λ_l^Δ(α,β) + (1−λ_l^Δ)(α₀,β₀).
/// The global decay is applied lazily (λ_g^k for k skipped steps), which is exactly equal to applying it every step.
/// Steps are counted by calls to <see cref="Next"/>.
/// </summary>
public sealed class VadeSampler : IPromptSampler
{
    /// <summary>The registry name, <c>vade</c>.</summary>
    public const string RegistryName = "vade";

    private readonly VadeOptions _options;
    private readonly Dictionary<string, int> _index;
    private Xoshiro256StarStar _rng;
    private double[] _alpha, _beta;
    private long[] _decayedAt, _lastSeen;
    private long _step;
    private readonly double[] _score;
    private readonly int[] _candidates;
    private readonly double[] _keys;

    /// <summary>Creates a VADE sampler with every prompt at its Beta prior.</summary>
    /// <param name="pool">The prompts to draw from (ids unique).</param>
    /// <param name="seed">Seed of the sampler's own random stream; the same seed and observations give the same batches.</param>
    /// <param name="options">Beta prior, decays, candidate pool and selection rule; null uses <see cref="VadeOptions"/>' defaults.</param>
    public VadeSampler(IReadOnlyList<Prompt> pool, ulong seed, VadeOptions? options = null)
    {
        _options = options ?? new VadeOptions();
        _options.Validate(RegistryName);
        _index = SamplerSupport.IndexPool(pool, RegistryName);
        Pool = pool;
        _rng = new Xoshiro256StarStar(seed);
        var n = pool.Count;
        _alpha = new double[n];
        _beta = new double[n];
        Array.Fill(_alpha, _options.Alpha0);
        Array.Fill(_beta, _options.Beta0);
        _decayedAt = new long[n];
        _lastSeen = new long[n];
        Array.Fill(_lastSeen, -1L);
        _score = new double[n];
        _candidates = new int[n];
        _keys = new double[n];
    }

    /// <inheritdoc />
    public string Name => RegistryName;
    /// <inheritdoc />
    public IReadOnlyList<Prompt> Pool { get; }

    /// <summary>Steps taken (calls to <see cref="Next"/>).</summary>
    public long Step => _step;

    /// <summary>The current posterior (α, β) of pool entry <paramref name="index"/>, with the global decay brought up to date.</summary>
    public (double Alpha, double Beta) Posterior(int index)
    {
        CatchUp(index);
        return (_alpha[index], _beta[index]);
    }

    /// <summary>The posterior mean pass rate of pool entry <paramref name="index"/>.</summary>
    public double MeanPassRate(int index)
    {
        var (a, b) = Posterior(index);
        return a / (a + b);
    }

    /// <summary>E[p(1 − p)] under Beta(α, β) = αβ / ((α + β)(α + β + 1)): the expected Bernoulli reward variance VADE's score estimates.</summary>
    public static double ExpectedInformation(double alpha, double beta) => alpha * beta / ((alpha + beta) * (alpha + beta + 1));

    /// <inheritdoc />
    public IReadOnlyList<Prompt> Next(int batchSize)
    {
        var n = Pool.Count;
        var c = _options.CandidatePool == 0 ? n : Math.Min(_options.CandidatePool, n);
        if (batchSize <= 0 || batchSize > c)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"VADE selects distinct prompts: the batch size must be in 1..{c} (candidates per step); enlarge the pool or candidate_pool.");
        _step++;
        for (var i = 0; i < n; i++) _candidates[i] = i;
        if (c < n)
        {
            for (var i = 0; i < c; i++)
            {
                var j = i + _rng.NextInt(n - i);
                (_candidates[i], _candidates[j]) = (_candidates[j], _candidates[i]);
            }
        }
        var cand = _candidates.AsSpan(0, c);
        foreach (var x in cand)
        {
            CatchUp(x);
            var p = _rng.NextBeta(_alpha[x], _beta[x]);
            _score[x] = p * (1 - p);
        }
        var batch = new Prompt[batchSize];
        if (_options.Selection == VadeSelection.Top)
        {
            // Partial selection: order candidates by score descending, ties by pool index (deterministic).
            var keys = _keys.AsSpan(0, c);
            for (var i = 0; i < c; i++) keys[i] = -_score[cand[i]];
            keys.Sort(cand);
            for (var i = 0; i < batchSize; i++) batch[i] = Pool[cand[i]];
        }
        else
        {
            var weights = new double[c];
            var total = 0.0;
            for (var i = 0; i < c; i++)
            {
                weights[i] = _score[cand[i]] + 1e-12;
                total += weights[i];
            }
            for (var k = 0; k < batchSize; k++)
            {
                var r = _rng.NextDouble() * total;
                var pick = c - 1;
                for (var i = 0; i < c; i++)
                {
                    if (weights[i] <= 0) continue;
                    r -= weights[i];
                    if (r < 0)
                    {
                        pick = i;
                        break;
                    }
                }
                while (weights[pick] <= 0) pick--;
                batch[k] = Pool[cand[pick]];
                total -= weights[pick];
                weights[pick] = 0;
            }
        }
        return batch;
    }

    /// <inheritdoc />
    public void Observe(IReadOnlyList<GroupOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        foreach (var o in outcomes)
        {
            var x = SamplerSupport.Lookup(_index, o.Prompt, RegistryName);
            CatchUp(x);
            if (_lastSeen[x] >= 0 && _options.LocalDecay < 1)
            {
                var keep = Math.Pow(_options.LocalDecay, _step - _lastSeen[x]);
                _alpha[x] = keep * _alpha[x] + (1 - keep) * _options.Alpha0;
                _beta[x] = keep * _beta[x] + (1 - keep) * _options.Beta0;
            }
            var s = o.CorrectCount;
            _alpha[x] = Math.Max(_options.MinParameter, _alpha[x] + s);
            _beta[x] = Math.Max(_options.MinParameter, _beta[x] + (o.Size - s));
            _lastSeen[x] = _step;
        }
    }

    private void CatchUp(int x)
    {
        var k = _step - _decayedAt[x];
        if (k <= 0) return;
        if (_options.GlobalDecay < 1)
        {
            var keep = Math.Pow(_options.GlobalDecay, k);
            _alpha[x] = Math.Max(_options.MinParameter, keep * _alpha[x] + (1 - keep) * _options.Alpha0);
            _beta[x] = Math.Max(_options.MinParameter, keep * _beta[x] + (1 - keep) * _options.Beta0);
        }
        _decayedAt[x] = _step;
    }

    /// <inheritdoc />
    public JsonObject SaveState() =>
        SamplerSupport.WriteState(RegistryName, Pool, new State
        {
            Rng = _rng.SaveState(),
            Step = _step,
            Alpha = (double[])_alpha.Clone(),
            Beta = (double[])_beta.Clone(),
            DecayedAt = (long[])_decayedAt.Clone(),
            LastSeen = (long[])_lastSeen.Clone(),
        });

    /// <inheritdoc />
    public void RestoreState(JsonObject state)
    {
        var s = SamplerSupport.ReadState<State>(state, RegistryName, Pool);
        var n = Pool.Count;
        SamplerSupport.CheckLength(s.Alpha, n, "alpha", RegistryName);
        SamplerSupport.CheckLength(s.Beta, n, "beta", RegistryName);
        SamplerSupport.CheckLength(s.DecayedAt, n, "decayed_at", RegistryName);
        SamplerSupport.CheckLength(s.LastSeen, n, "last_seen", RegistryName);
        _rng = Xoshiro256StarStar.Restore(s.Rng);
        _step = s.Step;
        _alpha = s.Alpha;
        _beta = s.Beta;
        _decayedAt = s.DecayedAt;
        _lastSeen = s.LastSeen;
    }

    private sealed class State
    {
        public string Rng { get; set; } = "";
        public long Step { get; set; }
        public double[] Alpha { get; set; } = [];
        public double[] Beta { get; set; } = [];
        public long[] DecayedAt { get; set; } = [];
        public long[] LastSeen { get; set; } = [];
    }
}
