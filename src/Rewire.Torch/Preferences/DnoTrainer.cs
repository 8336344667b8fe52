// The iterations of Direct Nash Optimization's practical algorithm ("Direct Nash Optimization: Teaching Language Models
// to Self-Improve with General Preferences", Rosset et al. 2024, DNO-Prct), batched and on-policy. For t = 1..T:
//   1. the reference is refreshed to the current policy: π_t, a frozen copy (the previous iterate, not the SFT model);
//   2. each prompt of the iteration's own slice of the training prompts (the paper gives every iteration a disjoint part
//      of its prompt set) gets K samples from π_t at temperature 1, plus the teacher's output when enabled (here the
//      task's demonstrator, the same imperfect source the warm start learnt from);
//   3. a preference oracle annotates every pair of a prompt's candidates (SelfPlayPairs: a Bradley–Terry draw on the
//      true utility, or on a trained reward model's reward) and the (best, worst) pair by win rate is kept when its gap
//      passes the large-margin filter;
//   4. the policy is trained on these pairs by DnoObjective against π_t (`epochs` passes over them by AdamW at
//      dpo.learning_rate, a fresh optimiser each iteration; a fixed step count would overfit an iteration's few pairs);
//   5. the held-out prompts are sampled (the evaluation's seed) for the iteration's true utility and its win rate
//      against the previous iterate's samples.
using System.Text.Json.Nodes;
using Rewire.Core.Rewards;
using Rewire.Core.Runs;
using Rewire.Tasks.Preferences;
using Rewire.Torch.Models;
using Rewire.Torch.Training;
using static TorchSharp.torch;

namespace Rewire.Torch.Preferences;

/// <summary>DNO's settings, from the objective's parameters.</summary>
/// <param name="Iterations">T.</param>
/// <param name="Samples">K, samples per prompt and iteration.</param>
/// <param name="Teacher">Whether the task's demonstration joins the candidates.</param>
/// <param name="MinGap">The large-margin filter: the least win-rate gap of a kept pair.</param>
/// <param name="SoftTargets">Algorithm 1's soft targets σ(w_chosen − w_rejected) instead of the practical algorithm's 1.</param>
/// <param name="PromptsPerIteration">Prompts per iteration; 0: the training prompts split evenly over the iterations.</param>
/// <param name="RewardModel">A reward-model run that annotates instead of the true utility; empty: the true utility.</param>
/// <param name="Epochs">Passes over each iteration's pairs.</param>
internal sealed record DnoSettings(int Iterations, int Samples, bool Teacher, double MinGap, bool SoftTargets, int PromptsPerIteration, string RewardModel, double Epochs)
{
    public static DnoSettings Of(Rewire.Core.Techniques.ResolvedTechnique t) =>
        new(t.Int("iterations"), t.Int("samples"), t.Bool("teacher"), t.Double("min_gap"), t.Bool("soft_targets"), t.Int("prompts"), t.String("reward_model"), t.Double("epochs"));

    /// <summary>The optimiser steps of an iteration with <paramref name="pairs"/> pairs: ⌈epochs·pairs/batch⌉.</summary>
    public int Steps(int pairs, int batchSize) => pairs == 0 ? 0 : Math.Max(1, (int)Math.Ceiling(Epochs * pairs / batchSize));
}

/// <summary>Runs DNO's iterations on the session's policy (see the file header).</summary>
internal static class DnoTrainer
{
    /// <summary>Stream ids of DNO's sampling and annotation, beside the other preference streams.</summary>
    public const ulong SampleStream = 103, OracleStream = 104;

    /// <summary>What one iteration built: its pairs and figures of its on-policy samples.</summary>
    internal sealed record IterationPairs(IReadOnlyList<TokenizedPair> Pairs, double[] Targets, int Prompts, int Candidates, double SampleUtility);

    /// <summary>The iteration's prompts: slice <paramref name="t"/> (0-based) of the training prompts.</summary>
    public static IReadOnlyList<Rewire.Core.Rewards.Prompt> Slice(IReadOnlyList<Rewire.Core.Rewards.Prompt> pool, int t, int iterations, int perIteration)
    {
        int n = perIteration > 0 ? perIteration : Math.Max(1, pool.Count / iterations);
        return Enumerable.Range(t * n, n).Select(i => pool[i % pool.Count]).ToArray();
    }

    /// <summary>Samples π_t (<paramref name="reference"/>) and builds the iteration's self-play pairs.</summary>
    public static IterationPairs BuildPairs(PolicySession session, IPolicy reference, IReadOnlyList<Rewire.Core.Rewards.Prompt> prompts, DnoSettings s,
        BradleyTerryOracle oracle, RewardModelReward? rewardModel, int seed, int t)
    {
        var tokenizer = session.Tokenizer;
        var encoded = prompts.Select(p => (IReadOnlyList<int>)session.Template.Encode(p, tokenizer)).ToArray();
        var queries = encoded.SelectMany(p => Enumerable.Repeat(p, s.Samples)).ToArray();
        var generated = new List<int[]>(queries.Length);
        using (var g = new TorchSharp.torch.Generator(TrainingComponents.Derive(seed, SampleStream + (ulong)(1000 * t))))
            for (int at = 0; at < queries.Length; at += 256)
                generated.AddRange(reference.Generate(queries.Skip(at).Take(256).ToArray(), session.Generation, g).Select(x => x.Tokens));
        var rng = new Random((int)(TrainingComponents.Derive(seed, OracleStream + (ulong)(1000 * t)) & 0x7fffffff));
        int context = session.Options.Model.Context;
        var candidates = new List<(int Prompt, string Text, int[] Tokens, bool Teacher)>();
        for (int i = 0; i < prompts.Count; i++)
        {
            for (int k = 0; k < s.Samples; k++)
            {
                var tokens = generated[i * s.Samples + k];
                candidates.Add((i, tokenizer.Decode(tokens.Where(x => x != tokenizer.EosId)), tokens, false));
            }
            if (s.Teacher)
            {
                string demo = session.Task.Demonstrate(prompts[i], session.Options.Task.DemoErrorRate, rng);
                var (_, response) = session.Template.EncodeDemonstration(prompts[i], demo, tokenizer);
                if (encoded[i].Count + response.Length <= context) candidates.Add((i, demo, response, true));
            }
        }
        double[] scores = rewardModel is null
            ? candidates.Select(c => TrueUtility.Of(prompts[c.Prompt].Answer ?? "", c.Text)).ToArray()
            : rewardModel.ScoreAsync(candidates.Select(c => new Rollout(prompts[c.Prompt], c.Text)).ToArray()).AsTask().GetAwaiter().GetResult().Select(r => r.Total).ToArray();
        double sampleUtility = candidates.Where(c => !c.Teacher).Select(c => TrueUtility.Of(prompts[c.Prompt].Answer ?? "", c.Text)).DefaultIfEmpty(0).Average();
        var pairs = new List<TokenizedPair>();
        var targets = new List<double>();
        int start = 0;
        for (int i = 0; i < prompts.Count; i++)
        {
            int end = start;
            while (end < candidates.Count && candidates[end].Prompt == i) end++;
            var texts = candidates.Skip(start).Take(end - start).Select(c => c.Text).ToArray();
            var wins = SelfPlayPairs.WinRates(scores[start..end], oracle, rng);
            if (SelfPlayPairs.Choose(texts, wins, s.MinGap) is { } pair)
            {
                var (c, r) = (candidates[start + pair.Chosen], candidates[start + pair.Rejected]);
                var record = new PreferenceRecord
                {
                    Line = 0, Form = PreferenceForm.Paired, Prompt = prompts[i].Text, Chosen = c.Text, Rejected = r.Text, PromptId = prompts[i].Id,
                    ChosenUtility = scores[start + pair.Chosen], RejectedUtility = scores[start + pair.Rejected],
                };
                pairs.Add(new TokenizedPair(pairs.Count, 0, [.. encoded[i]], c.Tokens, r.Tokens, record));
                targets.Add(s.SoftTargets ? PreferenceSetBuilder.Sigmoid(pair.ChosenWinRate - pair.RejectedWinRate) : 1.0);
            }
            start = end;
        }
        return new IterationPairs(pairs, [.. targets], prompts.Count, candidates.Count, sampleUtility);
    }

    /// <summary>
    /// Runs the iterations on <paramref name="session"/>'s policy; <paramref name="evaluate"/> returns the held-out
    /// utilities of a policy's samples. Returns the per-iteration figures, the steps taken and the non-finite steps skipped.
    /// </summary>
    public static (JsonArray Iterations, int Steps, int Skipped, bool Completed) Run(PolicySession session, PreferencePlan plan, DnoObjective objective,
        Func<IPolicy, double[]> evaluate, double[] before, JsonLinesWriter metrics, ITrainingObserver observer, CancellationToken cancel)
    {
        var o = plan.Options;
        var s = DnoSettings.Of(plan.Technique);
        var oracle = s.RewardModel.Length > 0 ? new BradleyTerryOracle(1, 0) : new BradleyTerryOracle(o.Prefs.Scale, o.Prefs.Noise);
        using var rewardModel = s.RewardModel.Length > 0 ? RewardModelReward.Load(s.RewardModel, plan.Task) : null;
        var iterations = new JsonArray();
        var previous = before;
        int steps = 0, skipped = 0;
        for (int t = 0; t < s.Iterations; t++)
        {
            if (cancel.IsCancellationRequested) return (iterations, steps, skipped, false);
            using var reference = session.Policy.CloneFrozen();
            var prompts = Slice(session.TrainPool, t, s.Iterations, s.PromptsPerIteration);
            var built = BuildPairs(session, reference, prompts, s, oracle, rewardModel, o.Run.Seed, t);
            objective.SetTargets(built.Targets);
            observer.Stage("dno", FormattableString.Invariant(
                $"iteration {t + 1}/{s.Iterations}: {built.Pairs.Count} pairs from {built.Candidates} candidates of {built.Prompts} prompts (sample utility {built.SampleUtility:0.000}); {s.Steps(built.Pairs.Count, o.Dpo.BatchSize)} steps against the refreshed reference"));
            double firstLoss = double.NaN;
            if (built.Pairs.Count > 0)
            {
                using var optimizer = new AdamW(session.Policy.Parameters(), beta2: 0.99);
                using var batches = PreferenceStageParts.Batches(built.Pairs, o.Dpo.BatchSize, unchecked(o.Run.Seed * 31 + t)).GetEnumerator();
                int iterationSteps = s.Steps(built.Pairs.Count, o.Dpo.BatchSize);
                for (int step = 0; step < iterationSteps; step++)
                {
                    if (cancel.IsCancellationRequested) return (iterations, steps, skipped, false);
                    batches.MoveNext();
                    using var scope = NewDisposeScope();
                    optimizer.ZeroGrad();
                    var loss = PreferenceOptimizationTrainer.Loss(objective, session.Policy, reference, batches.Current, session.Tokenizer.PadId, withGradient: true);
                    double value = loss.Loss.item<double>();
                    if (step == 0) firstLoss = value;
                    steps++;
                    if (!double.IsFinite(value)) { skipped++; continue; }
                    loss.Loss.backward();
                    double norm = optimizer.ClipGradNorm(1.0);
                    optimizer.Step(PreferenceStageParts.WarmUp(o.Dpo.LearningRate, step));
                    var line = new JsonObject { ["iteration"] = t + 1, ["step"] = steps, ["loss"] = value, ["grad_norm"] = norm };
                    foreach (var (k, v) in loss.Metrics) line[$"{objective.Name}/{k}"] = v;
                    metrics.Write(line);
                }
            }
            var utilities = evaluate(session.Policy);
            iterations.Add(new JsonObject
            {
                ["iteration"] = t + 1,
                ["prompts"] = built.Prompts,
                ["candidates"] = built.Candidates,
                ["pairs"] = built.Pairs.Count,
                ["steps"] = s.Steps(built.Pairs.Count, o.Dpo.BatchSize),
                ["sample_utility"] = Math.Round(built.SampleUtility, 4),
                ["first_loss"] = double.IsFinite(firstLoss) ? Math.Round(firstLoss, 6) : null,
                ["true_utility"] = Math.Round(utilities.Average(), 4),
                ["win_rate_vs_previous"] = Math.Round(PolicyFigures.WinRate(utilities, previous), 4),
            });
            observer.Stage("dno", FormattableString.Invariant($"iteration {t + 1}: held-out true utility {utilities.Average():0.000}, win rate against the previous iterate {PolicyFigures.WinRate(utilities, previous):0.000}"));
            previous = utilities;
        }
        return (iterations, steps, skipped, true);
    }
}
