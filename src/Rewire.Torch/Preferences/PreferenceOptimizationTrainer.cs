// `rewire train stage=dpo`: the policy is warm-started on the task's demonstrations and frozen as the reference π_ref
// (as DPO, IPO and POWER train against a fixed reference); the selected objective (dpo.objective) is minimised by AdamW
// over seeded mini-batches of the training pairs, with the summed log-probabilities of both sides under the policy
// (with gradient) and the reference. Then both policies sample the held-out prompts: the mean true utility of the
// reference's samples (true_utility_before) and of the trained policy's (true_utility_after), the policy's win rate
// against the reference on the same prompts, the proxy feature's rate before and after when the data has a proxy, and the
// held-out preference accuracy of the objective's implicit reward. The trained policy is saved in the run's policy/.
using System.Text.Json.Nodes;
using Rewire.Core.Runs;
using Rewire.Torch.Checkpoints;
using Rewire.Torch.Models;
using Rewire.Torch.Training;
using static TorchSharp.torch;

namespace Rewire.Torch.Preferences;

/// <summary>Runs stage=dpo (see the file header).</summary>
public static class PreferenceOptimizationTrainer
{
    /// <summary>The folder of a run that holds the trained policy.</summary>
    public const string PolicyFolder = "policy";

    /// <summary>Trains and evaluates the policy of <paramref name="plan"/> in <paramref name="run"/>; returns the summary.</summary>
    public static JsonObject Run(PreferencePlan plan, RunDirectory run, ITrainingObserver observer, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(observer);
        var o = plan.Options;
        using var session = PolicySession.Create(plan.Session);
        observer.Stage("data", $"{plan.Train.Count} training and {plan.Heldout.Count} held-out pairs, {plan.Data.Source}");
        PreferenceStageParts.WarmStart(session, observer, cancel, plan.Data.Proxy, o.Prefs.ProxyDemos);
        using var reference = session.Policy.CloneFrozen();
        var objective = PreferenceDescriptors.Create(plan.Technique, plan.Train, o.Prefs.Scale);
        int pad = session.Tokenizer.PadId;
        long seed = (long)(TrainingComponents.Derive(o.Run.Seed, PreferenceStageParts.EvalStream) >> 1);
        var before = PolicyFigures.Samples(reference, session, o.Dpo.EvalSamples, seed);
        var uBefore = PolicyFigures.Utilities(session, before, o.Dpo.EvalSamples);
        using var metrics = new JsonLinesWriter(run.MetricsFile);
        int step = 0, skipped = 0;
        bool completed;
        JsonArray? iterations = null;
        if (objective is DnoObjective dno)
        {
            var s = DnoSettings.Of(plan.Technique);
            observer.Stage("dno", $"{s.Iterations} iterations of {s.Samples} samples per prompt, {s.Epochs} epochs each on batches of {o.Dpo.BatchSize} pairs, the reference refreshed to the previous iterate");
            (iterations, step, skipped, completed) = DnoTrainer.Run(session, plan, dno,
                p => PolicyFigures.Utilities(session, PolicyFigures.Samples(p, session, o.Dpo.EvalSamples, seed), o.Dpo.EvalSamples), uBefore, metrics, observer, cancel);
        }
        else
        {
            observer.Stage("dpo", $"{o.Dpo.Steps} steps of {objective.Name} on batches of {o.Dpo.BatchSize} pairs against the frozen warm-started reference");
            using var optimizer = new AdamW(session.Policy.Parameters(), beta2: 0.99);
            using var batches = PreferenceStageParts.Batches(plan.Train, o.Dpo.BatchSize, o.Run.Seed).GetEnumerator();
            for (; step < o.Dpo.Steps && !cancel.IsCancellationRequested; step++)
            {
                batches.MoveNext();
                using var scope = NewDisposeScope();
                optimizer.ZeroGrad();
                var loss = Loss(objective, session.Policy, reference, batches.Current, pad, withGradient: true);
                double value = loss.Loss.item<double>();
                if (!double.IsFinite(value)) { skipped++; continue; }
                loss.Loss.backward();
                double norm = optimizer.ClipGradNorm(1.0);
                optimizer.Step(PreferenceStageParts.WarmUp(o.Dpo.LearningRate, step));
                var line = new JsonObject { ["step"] = step + 1, ["loss"] = value, ["grad_norm"] = norm };
                foreach (var (k, v) in loss.Metrics) line[$"{objective.Name}/{k}"] = v;
                metrics.Write(line);
                if ((step + 1) % 25 == 0 || step + 1 == o.Dpo.Steps)
                    observer.Stage("dpo", FormattableString.Invariant($"step {step + 1}/{o.Dpo.Steps} loss {value:0.0000} batch accuracy {loss.Metrics["accuracy"]:0.000}"));
            }
            completed = step == o.Dpo.Steps;
        }

        observer.Stage("eval", $"{o.Dpo.EvalSamples} samples of each of {session.TestSet.Count} held-out prompts from the reference and the trained policy");
        var after = PolicyFigures.Samples(session.Policy, session, o.Dpo.EvalSamples, seed);
        var uAfter = PolicyFigures.Utilities(session, after, o.Dpo.EvalSamples);
        var implicitMargins = new List<double>();
        for (int at = 0; at < plan.Heldout.Count; at += 64)
        {
            using var scope = NewDisposeScope();
            var batch = plan.Heldout.Skip(at).Take(64).ToArray();
            var (pc, pr) = PreferenceStageParts.SequenceLogProbs(session.Policy, batch, pad, false);
            var (rc, rr) = PreferenceStageParts.SequenceLogProbs(reference, batch, pad, false);
            var m = ImplicitMargin(objective, pc, pr, rc, rr, batch).cpu().data<double>().ToArray();
            implicitMargins.AddRange(m);
        }
        var summary = new JsonObject
        {
            ["stage"] = "dpo",
            ["completed"] = completed,
            ["objective"] = objective.Name,
            ["task"] = plan.Task.Name,
            ["data"] = plan.Data.Source,
            ["steps"] = step,
            ["skipped_non_finite"] = skipped,
            ["pairs_train"] = plan.Train.Count,
            ["pairs_heldout"] = plan.Heldout.Count,
            ["eval_prompts"] = session.TestSet.Count,
            ["eval_samples"] = o.Dpo.EvalSamples,
            ["true_utility_before"] = Math.Round(uBefore.Average(), 4),
            ["true_utility_after"] = Math.Round(uAfter.Average(), 4),
            ["exact_before"] = Math.Round(uBefore.Average(u => u == 1 ? 1.0 : 0.0), 4),
            ["exact_after"] = Math.Round(uAfter.Average(u => u == 1 ? 1.0 : 0.0), 4),
            ["win_rate_vs_reference"] = Math.Round(PolicyFigures.WinRate(uAfter, uBefore), 4),
            ["implicit_accuracy_heldout"] = Math.Round(PairwiseFigures.Of(implicitMargins).Accuracy, 4),
        };
        if (iterations is not null)
        {
            summary["iterations"] = iterations;
            summary["true_utility_per_iteration"] = new JsonArray([JsonValue.Create(Math.Round(uBefore.Average(), 4)),
                .. iterations.Select(i => JsonValue.Create(i!["true_utility"]!.GetValue<double>()))]);
        }
        if (plan.Data.Proxy is { } proxy)
        {
            summary["proxy"] = proxy.Name;
            summary["proxy_before"] = Math.Round(before.Average(proxy.Measure), 4);
            summary["proxy_after"] = Math.Round(after.Average(proxy.Measure), 4);
        }
        if (completed)
        {
            PolicyCheckpoint.Save(session.Network, Path.Combine(run.Path, PolicyFolder));
            summary["policy_folder"] = Path.Combine(run.Path, PolicyFolder);
        }
        else summary["stop_reason"] = "interrupted";
        run.WriteSummary(summary);
        return summary;
    }

    internal static PreferenceLoss Loss(IPreferenceObjective objective, IPolicy policy, IPolicy reference, IReadOnlyList<TokenizedPair> batch, int pad, bool withGradient)
    {
        var (pc, pr) = PreferenceStageParts.SequenceLogProbs(policy, batch, pad, withGradient);
        var (rc, rr) = PreferenceStageParts.SequenceLogProbs(reference, batch, pad, false);
        var lc = tensor(batch.Select(p => (double)p.Chosen.Length).ToArray(), device: pc.device);
        var lr = tensor(batch.Select(p => (double)p.Rejected.Length).ToArray(), device: pc.device);
        return objective.Compute(new PreferenceBatch(pc, pr, rc, rr, lc, lr, batch.Select(p => p.Id).ToArray()));
    }

    /// <summary>The objective's implicit reward margin of each pair: the log-ratio margin, or POWER's length-normalised one.</summary>
    private static Tensor ImplicitMargin(IPreferenceObjective objective, Tensor pc, Tensor pr, Tensor rc, Tensor rr, IReadOnlyList<TokenizedPair> batch)
    {
        if (objective is PowerObjective)
        {
            var lc = tensor(batch.Select(p => (double)p.Chosen.Length).ToArray(), device: pc.device);
            var lr = tensor(batch.Select(p => (double)p.Rejected.Length).ToArray(), device: pc.device);
            return pc / lc - pr / lr;
        }
        return (pc - rc) - (pr - rr);
    }
}
