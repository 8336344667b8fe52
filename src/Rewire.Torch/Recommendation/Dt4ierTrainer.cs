using System.Text.Json.Nodes;
using Rewire.Classic.Recommendation;
using Rewire.Core.Runs;
using Rewire.Core.Sampling;
using Rewire.Torch.Checkpoints;
using Rewire.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Recommendation;

/// <summary>One transformer epoch's figures.</summary>
/// <param name="Epoch">Epochs done after it.</param>
/// <param name="Steps">Optimiser steps done after it.</param>
/// <param name="SequenceLoss">Mean slot cross-entropy.</param>
/// <param name="ContrastiveLoss">Mean InfoNCE loss.</param>
public sealed record Dt4ierEpoch(int Epoch, long Steps, double SequenceLoss, double ContrastiveLoss);

/// <summary>What the trained recommender achieved for one requested trade-off.</summary>
/// <param name="Alpha">The request's clicks share α.</param>
/// <param name="TargetClicks">Clicks return the transformer was conditioned on.</param>
/// <param name="TargetRetention">Retention return the transformer was conditioned on (0 for the single-channel baseline).</param>
/// <param name="Clicks">Mean clicks per evaluation user.</param>
/// <param name="Retention">Mean retention return per evaluation user.</param>
public sealed record Dt4ierRequestResult(double Alpha, double TargetClicks, double TargetRetention, double Clicks, double Retention);

/// <summary>
/// DT4IER end to end ("Sequential Recommendation for Optimizing Both Immediate Feedback and Long-term Retention", Liu et
/// al., SIGIR 2024): logs sessions of mixed-quality behaviour policies in the simulator, trains the weight generator on the
/// users' return pairs, trains the decision transformer on weighted returns-to-go with slot cross-entropy plus the
/// contrastive loss, then rolls it out on fresh users for each requested trade-off, updating both returns-to-go after each
/// step. Deterministic in the seed: batch order and dropout masks are drawn from streams keyed by epoch and step, so
/// <see cref="Save"/> and <see cref="Load"/> (weights, AdamW moments, counters) resume exactly.
/// </summary>
public sealed class Dt4ierTrainer : IDisposable
{
    private const string ModelFile = "model.safetensors", OptimizerFile = "optimizer.safetensors", WeightsFile = "weights.safetensors", StateFile = "trainer.json";
    private readonly Dt4ierOptions _o;
    private readonly int _seed;
    private readonly RecommenderSimOptions _sim;
    private readonly Dt4ierNetwork _net;
    private readonly WeightGenerator _weights;
    private readonly AdamW _optimizer;
    private readonly double[] _featureMean, _featureStd;
    private readonly int _window;
    private (double Short, double Long)[][] _rtg = [];
    private double[][] _userWeights = [];

    /// <summary>Logs the data and builds fresh networks for <paramref name="options"/> and <paramref name="seed"/>.</summary>
    public Dt4ierTrainer(Dt4ierOptions options, int seed)
    {
        ArgumentNullException.ThrowIfNull(options);
        Rewire.Torch.Runtime.TorchRuntime.EnsureLoaded();
        _o = options;
        _seed = seed;
        _sim = options.Simulator;
        Data = LoggedSessions.Collect(_sim, options.Users, seed);
        _window = Math.Min(options.Context, options.Horizon);
        int k = _sim.Categories;
        _featureMean = Enumerable.Range(0, k).Select(c => Data.Features.Average(f => f[c])).ToArray();
        _featureStd = Enumerable.Range(0, k).Select(c => Math.Sqrt(Data.Features.Average(f => Math.Pow(f[c] - _featureMean[c], 2))) is var s && s > 1e-12 ? s : 1).ToArray();
        _net = new Dt4ierNetwork(new Dt4ierShape(_sim.StateSize, _sim.Items, _sim.Slate, _sim.Horizon, _window, options.Embedding, options.Layers, options.Heads, options.Buckets, options.Dropout), Stream(1));
        _weights = new WeightGenerator(k, Stream(2));
        _optimizer = new AdamW(_net.parameters(), beta1: 0.9, beta2: 0.95, weightDecay: options.WeightDecay);
        if (!options.BothChannels) WeightsTrained = true;
        ComputeConditioning();
    }

    /// <summary>The logged offline trajectories.</summary>
    public LoggedSessions Data { get; }

    /// <summary>Whether the weight generator is trained (always, for the single-channel baseline, which has none).</summary>
    public bool WeightsTrained { get; private set; }

    /// <summary>The weight generator's last epoch's mean balanced loss (NaN before training or without one).</summary>
    public double WeightLoss { get; private set; } = double.NaN;

    /// <summary>Transformer epochs done.</summary>
    public int Epoch { get; private set; }

    /// <summary>Transformer optimiser steps done.</summary>
    public long Steps { get; private set; }

    /// <summary>Whether training is finished.</summary>
    public bool Done => WeightsTrained && Epoch >= _o.Epochs;

    /// <summary>Mean generated (w_s, w_l) over the logged users ((1, 0) for the single-channel baseline).</summary>
    public (double Short, double Long) MeanWeights => (_userWeights.Average(w => w[0]), _userWeights.Average(w => w[1]));

    private ulong Stream(ulong stream) => Xoshiro256StarStar.Derive((ulong)(uint)_seed, 0xD7_0000_0000UL + stream);

    private float[] Standardise(IReadOnlyList<double> features) => features.Select((f, c) => (float)((f - _featureMean[c]) / _featureStd[c])).ToArray();

    /// <summary>The generated weights of users with <paramref name="features"/> ((1, 0) each for the single-channel baseline).</summary>
    private double[][] UserWeights(IReadOnlyList<IReadOnlyList<double>> features)
    {
        if (!_o.BothChannels) return features.Select(_ => new[] { 1.0, 0.0 }).ToArray();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = tensor(features.SelectMany(Standardise).ToArray(), [features.Count, _sim.Categories]);
        var w = _weights.forward(x).to_type(ScalarType.Float64).data<double>().ToArray();
        return Enumerable.Range(0, features.Count).Select(i => new[] { w[2 * i], w[2 * i + 1] }).ToArray();
    }

    private void ComputeConditioning()
    {
        _userWeights = UserWeights(Data.Features);
        _rtg = Enumerable.Range(0, Data.Users)
            .Select(u => ReturnsToGo.Weighted(Data.Clicks[u], Data.Retention[u], _userWeights[u][0], _userWeights[u][1])).ToArray();
    }

    /// <summary>Trains the weight generator (all its epochs, from its initial weights); returns the last epoch's mean loss.</summary>
    public double TrainWeights()
    {
        if (WeightsTrained) return WeightLoss;
        var rng = new Xoshiro256StarStar(Stream(3));
        int n = Data.Users;
        var x = Data.Features.SelectMany(Standardise).ToArray();
        var returns = Enumerable.Range(0, n).SelectMany(u => new[] { (float)Data.Clicks[u].Sum(), (float)Data.Retention[u].Sum() }).ToArray();
        using var optimizer = new AdamW(_weights.parameters());
        var order = Enumerable.Range(0, n).ToArray();
        double last = double.NaN;
        for (int epoch = 0; epoch < _o.WeightEpochs; epoch++)
        {
            rng.Shuffle<int>(order);
            double sum = 0;
            int batches = 0;
            for (int start = 0; start < n; start += _o.WeightBatch)
            {
                using var scope = NewDisposeScope();
                var idx = order.AsSpan(start, Math.Min(_o.WeightBatch, n - start)).ToArray();
                var xb = tensor(idx.SelectMany(i => x.AsSpan(i * _sim.Categories, _sim.Categories).ToArray()).ToArray(), [idx.Length, _sim.Categories]);
                var rb = tensor(idx.SelectMany(i => new[] { returns[2 * i], returns[2 * i + 1] }).ToArray(), [idx.Length, 2]);
                optimizer.ZeroGrad();
                var loss = WeightGenerator.BalancedLoss(_weights.forward(xb), rb, _o.Lambda);
                loss.backward();
                optimizer.Step(_o.WeightLearningRate);
                sum += loss.item<float>();
                batches++;
            }
            last = sum / batches;
        }
        WeightLoss = last;
        WeightsTrained = true;
        ComputeConditioning();
        return last;
    }

    /// <summary>One transformer epoch: one window per logged step, in an order drawn for this epoch.</summary>
    public Dt4ierEpoch RunEpoch()
    {
        if (!WeightsTrained) throw new InvalidOperationException("train the weight generator first");
        int t = _sim.Horizon, users = Data.Users, l = _window;
        var samples = new (int User, int Start)[users * t];
        for (int u = 0; u < users; u++)
            for (int s = 0; s < t; s++) samples[u * t + s] = (u, Math.Min(s, t - l));
        new Xoshiro256StarStar(Stream(1000 + (ulong)Epoch)).Shuffle<(int, int)>(samples);
        double ce = 0, cl = 0;
        int batches = 0;
        for (int b0 = 0; b0 < samples.Length; b0 += _o.Batch)
        {
            var batch = samples.AsSpan(b0, Math.Min(_o.Batch, samples.Length - b0)).ToArray();
            var (c1, c2) = Step(batch);
            ce += c1;
            cl += c2;
            batches++;
        }
        Epoch++;
        return new Dt4ierEpoch(Epoch, Steps, ce / batches, cl / batches);
    }

    private (double Sequence, double Contrastive) Step((int User, int Start)[] batch)
    {
        using var scope = NewDisposeScope();
        int b = batch.Length, l = _window, s = _sim.StateSize, k = _sim.Slate;
        var states = new float[b * l * s];
        var actions = new long[b * l * k];
        var rtg = new float[b * l * 2];
        var start = new long[b];
        for (int i = 0; i < b; i++)
        {
            var (u, st) = batch[i];
            start[i] = st;
            for (int j = 0; j < l; j++)
            {
                for (int f = 0; f < s; f++) states[(i * l + j) * s + f] = (float)Data.States[u][st + j][f];
                for (int f = 0; f < k; f++) actions[(i * l + j) * k + f] = Data.Actions[u][st + j][f];
                rtg[(i * l + j) * 2] = (float)_rtg[u][st + j].Short;
                rtg[(i * l + j) * 2 + 1] = (float)_rtg[u][st + j].Long;
            }
        }
        var act = tensor(actions, [b, l, k]);
        _net.SetDropout(Xoshiro256StarStar.Derive(Stream(4), (ulong)Steps));
        var (slots, logits) = _net.Forward(tensor(states, [b, l, s]), act, tensor(rtg, [b, l, 2]), tensor(start));
        var sequence = nn.functional.cross_entropy(logits.reshape(-1, _sim.Items), act.reshape(-1));
        var loss = sequence;
        double contrastive = double.NaN;
        if (_o.ContrastiveWeight > 0)
        {
            var positive = ContrastiveLoss.SlateSimilarity(slots, _net.ItemEmbedding.forward(act)).reshape(-1);
            // Negatives: the logged slates of other windows of the batch at the same positions.
            var negatives = stack(Enumerable.Range(1, _o.Negatives)
                .Select(n => ContrastiveLoss.SlateSimilarity(slots, _net.ItemEmbedding.forward(act.roll(n % Math.Max(b, 1), 0))).reshape(-1)).ToArray(), 1);
            var info = ContrastiveLoss.InfoNce(positive, negatives, _o.Temperature);
            contrastive = info.item<float>();
            loss = loss + _o.ContrastiveWeight * info;
        }
        _optimizer.ZeroGrad();
        loss.backward();
        _optimizer.ClipGradNorm(1.0);
        _optimizer.Step(_o.LearningRate);
        Steps++;
        _net.SetDropout(null);
        return (sequence.item<float>(), contrastive);
    }

    /// <summary>The targets and achieved returns of every request on fresh users, in order, until <paramref name="cancel"/> is set.</summary>
    public IEnumerable<Dt4ierRequestResult> Evaluate(CancellationToken cancel = default)
    {
        var clicks = Data.ClickReturns;
        var retention = Data.RetentionReturns;
        foreach (double alpha in _o.Requests)
        {
            if (cancel.IsCancellationRequested) yield break;
            var (ts, tl) = ReturnsToGo.Target(clicks, retention, alpha, _o.TopShare);
            if (!_o.BothChannels) tl = 0;
            var (c, r) = Rollout(ts, tl);
            yield return new Dt4ierRequestResult(alpha, ts, tl, c, r);
        }
    }

    /// <summary>Mean clicks and retention per fresh user when conditioned on the return pair (<paramref name="targetShort"/>, <paramref name="targetLong"/>).</summary>
    public (double Clicks, double Retention) Rollout(double targetShort, double targetLong)
    {
        int n = _o.EvalUsers, t = _sim.Horizon, s = _sim.StateSize, k = _sim.Slate, l = _window;
        var sessions = Enumerable.Range(0, n).Select(u => new RecommendationSession(_sim, LoggedSessions.UserSeed(_seed, 2, u))).ToArray();
        var weights = UserWeights(sessions.Select(x => x.Features).ToArray());
        var remaining = sessions.Select(_ => new[] { targetShort, targetLong }).ToArray();
        var states = new List<double[][]>();
        var rtgs = new List<(double, double)[]>();
        var slates = new List<int[][]>();
        double totalClicks = 0, totalRetention = 0;
        _net.SetDropout(null);
        for (int step = 0; step < t; step++)
        {
            states.Add(sessions.Select(x => x.State()).ToArray());
            rtgs.Add(remaining.Select((r, u) => (Math.Round(weights[u][0] * r[0], 2, MidpointRounding.ToEven), Math.Round(weights[u][1] * r[1], 2, MidpointRounding.ToEven))).ToArray());
            slates.Add(new int[n][]);
            int first = Math.Max(0, step - l + 1), len = step - first + 1;
            float[] logits;
            using (var scope = NewDisposeScope())
            using (var noGrad = no_grad())
            {
                var st = new float[n * len * s];
                var ac = new long[n * len * k];
                var rt = new float[n * len * 2];
                for (int u = 0; u < n; u++)
                    for (int j = 0; j < len; j++)
                    {
                        int w = first + j;
                        for (int f = 0; f < s; f++) st[(u * len + j) * s + f] = (float)states[w][u][f];
                        // The current step's action token is a placeholder: the causal mask hides it from the state token.
                        for (int f = 0; f < k; f++) ac[(u * len + j) * k + f] = w < step ? slates[w][u][f] : 0;
                        rt[(u * len + j) * 2] = (float)rtgs[w][u].Item1;
                        rt[(u * len + j) * 2 + 1] = (float)rtgs[w][u].Item2;
                    }
                var startIdx = Enumerable.Repeat((long)first, n).ToArray();
                var (_, lg) = _net.Forward(tensor(st, [n, len, s]), tensor(ac, [n, len, k]), tensor(rt, [n, len, 2]), tensor(startIdx));
                logits = lg.select(1, len - 1).contiguous().to_type(ScalarType.Float32).data<float>().ToArray();
            }
            for (int u = 0; u < n; u++)
            {
                var slate = GreedySlate(logits.AsSpan(u * k * _sim.Items, k * _sim.Items), k, _sim.Items);
                slates[step][u] = slate;
                var fb = sessions[u].Recommend(slate);
                remaining[u][0] -= fb.Clicks;
                remaining[u][1] -= fb.Retention;
                totalClicks += fb.Clicks;
                totalRetention += fb.Retention;
            }
        }
        return (totalClicks / n, totalRetention / n);
    }

    /// <summary>Slot by slot, the highest-logit item not yet in the slate (ties to the lower id).</summary>
    internal static int[] GreedySlate(ReadOnlySpan<float> logits, int slate, int items)
    {
        var chosen = new int[slate];
        var used = new HashSet<int>();
        for (int j = 0; j < slate; j++)
        {
            int best = -1;
            for (int i = 0; i < items; i++)
                if (!used.Contains(i) && (best < 0 || logits[j * items + i] > logits[j * items + best])) best = i;
            chosen[j] = best;
            used.Add(best);
        }
        return chosen;
    }

    /// <summary>Writes the networks, the AdamW moments and the counters into <paramref name="directory"/> (atomically, file by file).</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllBytes(Path.Combine(directory, ModelFile), SafeTensors.Encode(PolicyCheckpoint.ExportWeights(_net)));
        AtomicFile.WriteAllBytes(Path.Combine(directory, WeightsFile), SafeTensors.Encode(PolicyCheckpoint.ExportWeights(_weights)));
        AtomicFile.WriteAllBytes(Path.Combine(directory, OptimizerFile), SafeTensors.Encode(_optimizer.ExportState()));
        AtomicFile.WriteAllText(Path.Combine(directory, StateFile), new JsonObject
        {
            ["epoch"] = Epoch, ["steps"] = Steps, ["weights_trained"] = WeightsTrained, ["adam_steps"] = _optimizer.Steps,
            ["weight_loss"] = double.IsNaN(WeightLoss) ? null : WeightLoss,
        }.ToJsonString());
    }

    /// <summary>Restores what <see cref="Save"/> wrote.</summary>
    public void Load(string directory)
    {
        var state = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, StateFile)))!.AsObject();
        PolicyCheckpoint.LoadWeights(_net, Path.Combine(directory, ModelFile));
        PolicyCheckpoint.LoadWeights(_weights, Path.Combine(directory, WeightsFile));
        string opt = Path.Combine(directory, OptimizerFile);
        _optimizer.ImportState(SafeTensors.Decode(File.ReadAllBytes(opt), opt).Tensors);
        _optimizer.Steps = state["adam_steps"]!.GetValue<long>();
        Epoch = state["epoch"]!.GetValue<int>();
        Steps = state["steps"]!.GetValue<long>();
        WeightsTrained = state["weights_trained"]!.GetValue<bool>();
        WeightLoss = state["weight_loss"] is { } w ? w.GetValue<double>() : double.NaN;
        ComputeConditioning();
    }

    /// <summary>Disposes the networks and the optimiser.</summary>
    public void Dispose()
    {
        _optimizer.Dispose();
        _net.Dispose();
        _weights.Dispose();
    }
}
