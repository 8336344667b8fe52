// The policy update of one RL step, as in the GRPO/DAPO algorithm boxes:
//
//   r_t      <- shaped reward at each response's last token [− β·k(log π_old, log π_ref) per token, when KL is in the reward]
//               (an episode: step rewards at its turn boundaries, observation tokens masked out; see EpisodeCredit)
//   Â        <- advantage estimator over the groups (labelled by prompt id, so per-prompt state such as DCPO's persists)
//   Â        <- token advantage shapers, in order
//   for epoch, mini-batch:  L = objective(log π_θ, log π_old, Â, mask) [+ β·agg k(log π_θ, log π_ref)] [− c_H·H]
//                           skip a non-finite L or gradient; clip ‖∇‖; AdamW step with linear warm-up
using Rewire.Core.Advantages;
using Rewire.Core.Sampling;
using Rewire.Core.Shaping;
using Rewire.Torch.Generation;
using Rewire.Torch.Models;
using Rewire.Torch.Objectives;
using Rewire.Torch.Objectives.Aggregation;
using Rewire.Torch.Objectives.Kl;
using Rewire.Torch.Objectives.Policy;
using TorchSharp;
using static TorchSharp.torch;
using GroupIndex = Rewire.Core.Stats.GroupIndex;
using TokenMatrix = Rewire.Core.Stats.TokenMatrix;

namespace Rewire.Torch.Training;

/// <summary>What the update needs besides the rollouts: the techniques and the optimisation settings.</summary>
public sealed record UpdateSettings
{
    /// <summary>The advantage estimator (GRPO, RLOO, GAE, ...).</summary>
    public required IAdvantageEstimator Estimator { get; init; }
    /// <summary>Token-level advantage shapers applied after the estimator, in order.</summary>
    public IReadOnlyList<ITokenAdvantageShaper> AdvantageShapers { get; init; } = [];
    /// <summary>The actor loss: policy objective plus optional KL and entropy terms.</summary>
    public required ActorLoss Loss { get; init; }
    /// <summary>Global-batch facts the loss aggregation reads.</summary>
    public AggregationContext Aggregation { get; init; } = AggregationContext.Default;

    /// <summary>none, loss or reward.</summary>
    public string KlMode { get; init; } = "none";
    /// <summary>The per-token KL estimator when KL is in use (loss or reward mode), else null.</summary>
    public IKlEstimator? KlEstimator { get; init; }
    /// <summary>β of the KL term (in the loss or folded into the rewards).</summary>
    public double KlCoef { get; init; }
    /// <summary>Passes over the step's rollouts.</summary>
    public int Epochs { get; init; } = 1;
    /// <summary>Rollouts per gradient update.</summary>
    public int MiniBatchSize { get; init; } = 128;

    /// <summary>Rows per forward/backward pass within a mini-batch (gradient accumulation); 0: the whole mini-batch.</summary>
    public int MicroBatchSize { get; init; }
    /// <summary>Clip bound of the global gradient norm; 0 disables clipping.</summary>
    public double MaxGradNorm { get; init; } = 1.0;
    /// <summary>Padding token id.</summary>
    public int PadId { get; init; }
    /// <summary>Seed of the mini-batch shuffling.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>
    /// Gradient-based reward weighting: it learns from one policy gradient per reward objective, each from advantages of
    /// that objective's rewards alone (computed with a fresh estimator, so stateful estimators are not disturbed).
    /// </summary>
    public Rewire.Core.MultiObjective.IGradientFeedback? GradientFeedback { get; init; }

    /// <summary>Each reward objective's value of a rollout (for <see cref="GradientFeedback"/>).</summary>
    public Func<RolloutRecord, double[]>? ObjectiveValues { get; init; }

    /// <summary>The estimator reads Σπ² of π_old per token (the optimal-token baseline): one extra no-gradient scoring pass.</summary>
    public bool NeedsSumPiSquared { get; init; }

    /// <summary>C of truncated importance sampling, applied to rows that carry the rollout engine's log-probs (remote
    /// rollouts); null: no correction.</summary>
    public double? TisCap { get; init; }

    /// <summary>A fresh estimator of the configured kind (for <see cref="GradientFeedback"/>).</summary>
    public Func<IAdvantageEstimator>? FreshEstimator { get; init; }
}

/// <summary>Advantages and the epochs of mini-batch updates of one step.</summary>
public sealed class PolicyUpdate(IPolicy policy, AdamW optimizer, UpdateSettings settings)
{
    /// <summary>Tests only: when it returns true for a step, that step's losses are treated as NaN (to exercise the skip path).</summary>
    internal static Func<int, bool>? PoisonLossHook { get; set; }

    /// <summary>The techniques and optimisation settings of the update.</summary>
    public UpdateSettings Settings { get; } = settings;

    /// <summary>The frozen reference policy, when KL or a technique needs it.</summary>
    public IPolicy? Reference { get; set; }

    /// <summary>The critic, when a technique reads values (GAE): V_old feeds the estimator, and it trains on the returns.</summary>
    public Critic? Critic { get; set; }

    /// <summary>PRIME's implicit PRM: trained on each step's outcome labels, it provides the process rewards.</summary>
    internal ProcessRewards.ImplicitPrm? Prm { get; set; }

    /// <summary>
    /// OPRL's implicit PRM (estimator.step_reward=learned): trained on each step's (success, failure) episode pairs
    /// against π_old, its per-turn implicit rewards are the step rewards of OPRL's step advantage.
    /// </summary>
    internal ProcessRewards.ImplicitPrm? StepPrm { get; set; }

    /// <summary>IRCoCo's evaluator: trained on each step's rollouts, it provides the immediate rewards.</summary>
    internal ProcessRewards.IrcocoEvaluator? Ircoco { get; set; }

    /// <summary>The critic's learning rate.</summary>
    public double CriticLearningRate { get; set; } = 1e-3;

    /// <summary>Non-finite losses in a row (reset by a finite one); the trainer stops at its limit.</summary>
    public int ConsecutiveNonFinite { get; set; }
    /// <summary>Non-finite losses (skipped updates) over the whole run.</summary>
    public int TotalNonFinite { get; set; }

    /// <summary>This step's truncated importance weights [B, L] (remote rollouts), multiplied into the per-token loss.</summary>
    private TokenMatrix? _isWeights;

    /// <summary>Runs the update on <paramref name="rows"/>; <paramref name="groupOf"/>[i] is row i's group, labelled by <paramref name="labels"/>.</summary>
    public Dictionary<string, double> Run(IReadOnlyList<RolloutRecord> rows, int[] groupOf, IReadOnlyList<string> labels, int step, double learningRate)
    {
        int b = rows.Count;
        int l = Math.Max(1, rows.Max(r => r.ResponseTokens.Length));
        var tokenRewards = new TokenMatrix(b, l);
        var mask = new TokenMatrix(b, l);
        var old = new TokenMatrix(b, l);
        for (int i = 0; i < b; i++)
        {
            var r = rows[i];
            // The reward at the last token (an episode's step rewards at its turn boundaries); the loss weight on every
            // token the policy wrote (an episode's observation tokens: 0).
            EpisodeCredit.Place(r, i, tokenRewards, mask);
            for (int t = 0; t < r.ResponseTokens.Length; t++) old[i, t] = r.OldLogProbs[t];
        }
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        _isWeights = null;
        if (Settings.TisCap is { } cap && rows.Any(r => r.RolloutLogProbs is not null))
        {
            var rollout = new TokenMatrix(b, l);
            var tokenMask = new TokenMatrix(b, l);
            for (int i = 0; i < b; i++)
            {
                var r = rows[i];
                // A row without the engine's log-probs (none here: every remote rollout has them) is taken as on-policy.
                for (int t = 0; t < r.ResponseTokens.Length; t++)
                {
                    rollout[i, t] = r.RolloutLogProbs is { } lp ? lp[t] : r.OldLogProbs[t];
                    tokenMask[i, t] = 1;
                }
            }
            var tis = TruncatedImportanceSampling.Compute(old, rollout, tokenMask, cap);
            _isWeights = tis.Weights;
            metrics["rollout/tis_mean"] = tis.Mean;
            metrics["rollout/tis_clipped_fraction"] = tis.ClippedFraction;
            metrics["rollout/logprob_diff"] = tis.LogProbDiff;
        }
        TokenMatrix? refLogProbs = Reference is null ? null : ScoreReference(rows, l);
        if (refLogProbs is not null)
        {
            var kl = KlValues(old, refLogProbs);
            double sum = 0, count = 0;
            for (int k = 0; k < mask.Data.Length; k++) if (mask.Data[k] > 0) { sum += kl.Data[k]; count++; }
            metrics["kl"] = count == 0 ? 0 : sum / count;
            if (Settings.KlMode == "reward")
                for (int k = 0; k < tokenRewards.Data.Length; k++) if (mask.Data[k] > 0) tokenRewards.Data[k] -= Settings.KlCoef * kl.Data[k];
        }

        TokenMatrix? processRewards = null;
        if (Prm is not null)
        {
            var (process, prmMetrics) = Prm.Step(rows, groupOf, refLogProbs ?? throw new InvalidOperationException("PRIME's implicit PRM needs the reference policy's log-probabilities"),
                mask, learningRate);
            processRewards = process;
            foreach (var (k, v) in prmMetrics) metrics[k] = v;
        }

        TokenMatrix? immediateRewards = null;
        if (Ircoco is not null)
        {
            var (immediate, evaluatorMetrics) = Ircoco.Step(rows, l, learningRate);
            immediateRewards = immediate;
            foreach (var (k, v) in evaluatorMetrics) metrics[k] = v;
        }

        // Groups are labelled by prompt id: rollouts of one prompt form one group, and stateful estimators key their
        // state by prompt across steps.
        var index = GroupIndex.FromLabels(groupOf.Select(g => labels[g]).ToArray());
        TokenMatrix? values = Critic?.Values(rows, l);
        var steps = EpisodeCredit.StepMatrices(rows, l);
        if (StepPrm is not null)
        {
            // π_old scored like π_φ (no gradient, before any update of this step), so that π_φ = π_old gives 0 exactly.
            var oldScored = Score(policy, rows, l);
            var (tokenLevel, prmMetrics) = StepPrm.Step(rows, groupOf, oldScored, mask, learningRate);
            steps = ProcessRewards.OprlStepRewards.Aggregate(tokenLevel, mask, rows.Select(r => r.TurnEnds ?? []).ToArray(), rows.Select(r => r.ResponseTokens.Length).ToArray());
            foreach (var (k, v) in prmMetrics) metrics[k] = v;
            double stepSum = 0;
            int stepCount = 0;
            for (int k = 0; k < steps.Value.Ends.Data.Length; k++) if (steps.Value.Ends.Data[k] > 0) { stepSum += steps.Value.Rewards.Data[k]; stepCount++; }
            metrics["prm/step_reward_mean"] = stepCount == 0 ? 0 : stepSum / stepCount;
        }
        var estimated = Settings.Estimator.Compute(new AdvantageInput(tokenRewards, mask)
        {
            Index = index,
            Values = values,
            OldLogProbs = old,
            RewardBaselines = rows.All(r => r.Baseline is not null) ? rows.Select(r => r.Baseline!.Value).ToArray() : null,
            SumPiSquared = Settings.NeedsSumPiSquared ? SumPiSquared(rows, l) : null,
            // PRIME's implicit process rewards (single-turn), or in episodes each turn's step reward at its turn
            // boundary and the boundaries (OPRL's step advantages).
            ProcessRewards = processRewards ?? steps?.Rewards,
            StepEndMask = steps?.Ends,
            ImmediateRewards = immediateRewards,
        });
        var advantages = estimated.Advantages;
        if (values is not null)
        {
            double sum = 0, count = 0;
            for (int k = 0; k < mask.Data.Length; k++) if (mask.Data[k] > 0) { sum += values.Data[k]; count++; }
            metrics["critic/values_mean"] = count == 0 ? 0 : sum / count;
        }
        foreach (var shaper in Settings.AdvantageShapers)
        {
            var before = (double[])advantages.Data.Clone();
            var batch = new TokenAdvantageBatch(advantages.Data, mask.Data, b, groupOf, old.Data)
            {
                // Episodes: each turn's step reward and last policy token (TP-GRPO's thoughts), and each row's correctness.
                StepRewards = rows.Select(r => r.StepRewards).ToArray(),
                TurnEnds = rows.Select(r => r.TurnEnds).ToArray(),
                Correct = rows.Select(r => r.Correct).ToArray(),
            };
            shaper.Apply(batch);
            int changed = 0, valid = 0;
            for (int k = 0; k < before.Length; k++)
                if (mask.Data[k] > 0) { valid++; if (before[k] != advantages.Data[k]) changed++; }
            metrics[$"advantage_shaping/{shaper.Name}/changed_fraction"] = valid == 0 ? 0 : changed / (double)valid;
        }
        var passRate = PassRates(rows, groupOf);
        if (Settings.GradientFeedback is not null) ObserveObjectiveGradients(rows, index, mask, old, passRate, learningRate, metrics);

        var rng = new Xoshiro256StarStar(TrainingComponents.Derive(Settings.Seed, TrainingComponents.Streams.Shuffle) + (ulong)step);
        var order = Enumerable.Range(0, b).ToArray();
        var totals = new Dictionary<string, double>(StringComparer.Ordinal);
        int updates = 0, skipped = 0;
        for (int epoch = 0; epoch < Settings.Epochs; epoch++)
        {
            for (int i = order.Length - 1; i > 0; i--) { int j = rng.NextInt(i + 1); (order[i], order[j]) = (order[j], order[i]); }
            for (int start = 0; start < b; start += Settings.MiniBatchSize)
            {
                var idx = order.AsSpan(start, Math.Min(Settings.MiniBatchSize, b - start)).ToArray();
                var result = MiniBatch(rows, idx, advantages, mask, refLogProbs, passRate, step, learningRate);
                if (result is null) { skipped++; ConsecutiveNonFinite++; TotalNonFinite++; continue; }
                ConsecutiveNonFinite = 0;
                updates++;
                if (Critic is not null && Critic.Update(rows, idx, estimated.Returns, values!, mask, CriticLearningRate) is { } critic)
                    foreach (var (k, v) in critic) result[k] = v;
                foreach (var (k, v) in result) totals[k] = totals.GetValueOrDefault(k) + v;
            }
        }
        foreach (var (k, v) in totals) metrics[k] = v / Math.Max(1, updates);
        metrics["non_finite_skipped"] = skipped;
        metrics["updates"] = updates;
        return metrics;
    }

    /// <summary>
    /// One flattened policy gradient per reward objective (advantages from that objective's rewards alone, the loss on the
    /// whole batch, no optimiser step), handed to the gradient-based weighting, which updates its weights from them.
    /// </summary>
    private void ObserveObjectiveGradients(IReadOnlyList<RolloutRecord> rows, GroupIndex index, TokenMatrix mask, TokenMatrix old,
        double[] passRate, double learningRate, Dictionary<string, double> metrics)
    {
        int b = rows.Count, l = mask.Cols;
        var values = rows.Select(Settings.ObjectiveValues!).ToArray();
        int k = values[0].Length;
        var gradients = new List<double[]>(k);
        var all = Enumerable.Range(0, b).ToArray();
        for (int j = 0; j < k; j++)
        {
            var rewards = new TokenMatrix(b, l);
            for (int i = 0; i < b; i++)
            {
                int n = rows[i].ResponseTokens.Length;
                if (n > 0) rewards[i, n - 1] = values[i][j];
            }
            var adv = Settings.FreshEstimator!().Compute(new AdvantageInput(rewards, mask) { Index = index }).Advantages;
            using var scope = NewDisposeScope();
            optimizer.ZeroGrad();
            var loss = Loss(rows, all, adv, mask, null, passRate).Loss;
            if (!double.IsFinite(loss.item<double>())) { optimizer.ZeroGrad(); return; }
            loss.backward();
            var flat = new List<double>();
            foreach (var p in policy.Parameters())
                if (p.grad is { } g) flat.AddRange(g.to(ScalarType.Float64).cpu().data<double>().ToArray());
            gradients.Add(flat.ToArray());
        }
        optimizer.ZeroGrad();
        if (gradients.Any(g => g.Any(x => !double.IsFinite(x)))) return;
        ((Rewire.Core.MultiObjective.IGradientFeedback)Settings.GradientFeedback!).ObserveGradients(gradients, learningRate);
        metrics["reward_weighting/observed"] = 1;
    }

    /// <summary>Each row's group pass rate (share of its group's rollouts the verifier judged correct).</summary>
    private static double[] PassRates(IReadOnlyList<RolloutRecord> rows, int[] groupOf)
    {
        var correct = new Dictionary<int, (int Ok, int N)>();
        for (int i = 0; i < rows.Count; i++)
        {
            var (ok, n) = correct.GetValueOrDefault(groupOf[i]);
            correct[groupOf[i]] = (ok + (rows[i].Correct ? 1 : 0), n + 1);
        }
        return groupOf.Select(g => correct[g].Ok / (double)correct[g].N).ToArray();
    }

    /// <summary>The loss (and its diagnostics) of the rows <paramref name="idx"/> under the current policy, with gradients.</summary>
    private Objectives.Policy.PolicyLossResult Loss(IReadOnlyList<RolloutRecord> rows, int[] idx, TokenMatrix advantages, TokenMatrix mask,
        TokenMatrix? refLogProbs, double[] passRate, AggregationContext? aggregation = null)
    {
        int n = idx.Length;
        int l = Math.Max(1, idx.Max(i => rows[i].ResponseTokens.Length));
        var prompts = idx.Select(i => (IReadOnlyList<int>)rows[i].PromptTokens).ToArray();
        var responses = idx.Select(i => (IReadOnlyList<int>)rows[i].ResponseTokens).ToArray();
        bool needEntropy = Settings.Loss.EntropyCoefficient != 0;
        var scored = policy.Score(prompts, responses, new ScoreOptions(WithGradient: true, WithEntropy: needEntropy, PadId: Settings.PadId));
        var logProb = scored.LogProbs.to(ScalarType.Float64);
        var device = logProb.device;
        int width = (int)logProb.shape[1];
        Tensor Slice(TokenMatrix m)
        {
            var data = new double[n * width];
            for (int r = 0; r < n; r++) m.Row(idx[r])[..Math.Min(l, width)].CopyTo(data.AsSpan(r * width, Math.Min(l, width)));
            return tensor(data, [n, width], device: device);
        }
        Tensor Pad(Func<RolloutRecord, float[]> column)
        {
            var data = new double[n * width];
            for (int r = 0; r < n; r++)
            {
                var v = column(rows[idx[r]]);
                for (int t = 0; t < Math.Min(v.Length, width); t++) data[r * width + t] = v[t];
            }
            return tensor(data, [n, width], device: device);
        }
        // The objectives compute in float64 (exact diagnostics); the cast keeps the autograd graph to the float32 model.
        var input = new PolicyLossInput(logProb, Pad(r => r.OldLogProbs), Slice(advantages), Slice(mask))
        {
            RefLogProb = Settings.KlMode == "loss" && refLogProbs is not null ? Slice(refLogProbs) : null,
            Entropy = Pad(r => r.Entropies),
            PassRate = tensor(idx.Select(i => passRate[i]).ToArray(), device: device),
            RolloutIsWeights = _isWeights is null ? null : Slice(_isWeights),
            Aggregation = aggregation ?? Settings.Aggregation,
        };
        return Settings.Loss.Compute(input, needEntropy ? scored.Entropies!.to(ScalarType.Float64) : null);
    }

    /// <summary>
    /// One optimiser step on the rows <paramref name="idx"/>; null when the loss or gradient was not finite (skipped).
    /// With <see cref="UpdateSettings.MicroBatchSize"/> the rows are scored and back-propagated in micro-batches whose
    /// gradients accumulate; each micro-batch's loss is aggregated over the whole mini-batch's token and sequence counts
    /// (and its padded width for seq-mean-token-sum-norm), so the sum of the micro-batch losses is the mini-batch loss and
    /// the accumulated gradient is the one-pass gradient. Objectives that take statistics over the batch (Clip-Cov,
    /// KL-Cov's covariance selection) see each micro-batch's statistics.
    /// </summary>
    private Dictionary<string, double>? MiniBatch(IReadOnlyList<RolloutRecord> rows, int[] idx, TokenMatrix advantages, TokenMatrix mask,
        TokenMatrix? refLogProbs, double[] passRate, int step, double learningRate)
    {
        using var scope = NewDisposeScope();   // the clipping's and the optimiser's temporaries
        var metrics = Backward(rows, idx, advantages, mask, refLogProbs, passRate, step);
        if (metrics is null) return null;
        double gradNorm = optimizer.ClipGradNorm(Settings.MaxGradNorm);
        if (!double.IsFinite(gradNorm)) { optimizer.ZeroGrad(); return null; }
        optimizer.Step(learningRate);
        metrics["grad_norm"] = gradNorm;
        return metrics;
    }

    /// <summary>
    /// Zeroes the gradients and accumulates the mini-batch loss's gradient over its micro-batches; the diagnostics, or
    /// null (gradients zeroed) when a loss was not finite.
    /// </summary>
    internal Dictionary<string, double>? Backward(IReadOnlyList<RolloutRecord> rows, int[] idx, TokenMatrix advantages, TokenMatrix mask,
        TokenMatrix? refLogProbs, double[] passRate, int step)
    {
        int micro = Settings.MicroBatchSize <= 0 ? idx.Length : Math.Min(Settings.MicroBatchSize, idx.Length);
        var aggregation = micro >= idx.Length ? Settings.Aggregation : GlobalAggregation(rows, idx, mask);
        double totalTokens = idx.Sum(i => RowTokens(rows, i, mask));
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        optimizer.ZeroGrad();
        for (int start = 0; start < idx.Length; start += micro)
        {
            var part = idx[start..Math.Min(idx.Length, start + micro)];
            using var scope = NewDisposeScope();
            var result = Loss(rows, part, advantages, mask, refLogProbs, passRate, aggregation);
            double lossValue = PoisonLossHook?.Invoke(step) == true ? double.NaN : result.Loss.item<double>();
            if (!double.IsFinite(lossValue)) { optimizer.ZeroGrad(); return null; }
            result.Loss.backward();
            // Losses aggregated over the global counts add up; other diagnostics are averaged by token share.
            double share = part.Length == idx.Length ? 1.0 : totalTokens > 0 ? part.Sum(i => RowTokens(rows, i, mask)) / totalTokens : part.Length / (double)idx.Length;
            foreach (var (k, v) in result.Metrics)
                metrics[k] = metrics.GetValueOrDefault(k) + (AdditiveMetrics.Contains(k) ? v : v * share);
        }
        return metrics;
    }

    /// <summary>Diagnostics that are aggregated losses (over the global counts), so micro-batch values add up.</summary>
    private static readonly HashSet<string> AdditiveMetrics = new(StringComparer.Ordinal) { "pg_loss", "kl_loss", "entropy" };

    private static double RowTokens(IReadOnlyList<RolloutRecord> rows, int i, TokenMatrix mask)
    {
        double sum = 0;
        var row = mask.Row(i);
        for (int t = 0; t < Math.Min(rows[i].ResponseTokens.Length, row.Length); t++) sum += row[t];
        return sum;
    }

    /// <summary>
    /// The aggregation context of the mini-batch <paramref name="idx"/> for its micro-batches: token-mean divides by the
    /// mini-batch's Σ mask, the seq-mean modes by its count of non-empty responses, seq-mean-token-sum-norm by its padded
    /// width (unless a constant is configured).
    /// </summary>
    internal AggregationContext GlobalAggregation(IReadOnlyList<RolloutRecord> rows, int[] idx, TokenMatrix mask)
    {
        double tokens = idx.Sum(i => RowTokens(rows, i, mask));
        int sequences = idx.Count(i => RowTokens(rows, i, mask) > 0);
        int width = Math.Max(1, idx.Max(i => rows[i].ResponseTokens.Length));
        return Settings.Aggregation with
        {
            BatchNumTokens = tokens > 0 ? tokens : null,
            GlobalBatchSize = sequences > 0 ? sequences : null,
            LossScaleFactor = Settings.Aggregation.LossScaleFactor ?? width,
        };
    }

    /// <summary>k(log π_old, log π_ref) per token with the configured estimator (k1 when none is set).</summary>
    private TokenMatrix KlValues(TokenMatrix old, TokenMatrix reference)
    {
        using var scope = NewDisposeScope();
        var estimator = Settings.KlEstimator ?? KlEstimators.Get("kl");
        var o = tensor(old.Data, [old.Rows, old.Cols]);
        var r = tensor(reference.Data, [reference.Rows, reference.Cols]);
        var values = estimator.Compute(o, r).to(ScalarType.Float64).cpu().data<double>().ToArray();
        return new TokenMatrix(old.Rows, old.Cols, values);
    }

    /// <summary>Σ_v π_old(v)² per response token, scored without gradient before any update of this step (so π = π_old).</summary>
    private TokenMatrix SumPiSquared(IReadOnlyList<RolloutRecord> rows, int l)
    {
        using var scope = NewDisposeScope();
        using var scored = policy.Score(rows.Select(r => (IReadOnlyList<int>)r.PromptTokens).ToArray(),
            rows.Select(r => (IReadOnlyList<int>)r.ResponseTokens).ToArray(), new ScoreOptions(MiniBatchSize: 256, PadId: Settings.PadId, WithSumPiSquared: true));
        var values = scored.SumPiSquared!.to(ScalarType.Float64).cpu();
        var flat = values.data<double>().ToArray();
        int cols = (int)values.shape[1];
        var m = new TokenMatrix(rows.Count, l);
        for (int i = 0; i < rows.Count; i++)
            for (int t = 0; t < Math.Min(l, cols); t++) m[i, t] = flat[i * cols + t];
        return m;
    }

    private TokenMatrix ScoreReference(IReadOnlyList<RolloutRecord> rows, int l) => Score(Reference!, rows, l);

    /// <summary>log <paramref name="scorer"/> of the rows' response tokens [B, L], without gradient.</summary>
    private TokenMatrix Score(IPolicy scorer, IReadOnlyList<RolloutRecord> rows, int l)
    {
        using var scope = NewDisposeScope();
        using var scored = scorer.Score(rows.Select(r => (IReadOnlyList<int>)r.PromptTokens).ToArray(),
            rows.Select(r => (IReadOnlyList<int>)r.ResponseTokens).ToArray(), new ScoreOptions(MiniBatchSize: 256, PadId: Settings.PadId));
        var values = scored.LogProbs.to(ScalarType.Float64).cpu();
        var flat = values.data<double>().ToArray();
        int cols = (int)values.shape[1];
        var m = new TokenMatrix(rows.Count, l);
        for (int i = 0; i < rows.Count; i++)
            for (int t = 0; t < Math.Min(l, cols); t++) m[i, t] = flat[i * cols + t];
        return m;
    }
}
