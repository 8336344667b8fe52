// `rewire train stage=rm`: the policy is warm-started on the task's demonstrations, a reward model (RewardModel) is built
// on its trunk, and the Bradley–Terry loss (BradleyTerryLoss, with the reward_model.margin) is minimised by AdamW over
// seeded mini-batches of the training pairs. Then the held-out pairwise accuracy, log loss and calibration are measured,
// the reward model is saved in the run's reward_model/ folder, and summary.json gets the figures.
using System.Text.Json.Nodes;
using Rewire.Core.Runs;
using Rewire.Torch.Training;
using static TorchSharp.torch;

namespace Rewire.Torch.Preferences;

/// <summary>Runs stage=rm (see the file header).</summary>
public static class RewardModelTrainer
{
    /// <summary>Trains, evaluates and saves the reward model of <paramref name="plan"/> in <paramref name="run"/>; returns the summary.</summary>
    public static JsonObject Run(PreferencePlan plan, RunDirectory run, ITrainingObserver observer, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(observer);
        // rm.model=genrm selects the pairwise generative judge, a reward model with a written verdict for a head.
        if (plan.Technique.Descriptor.Kind == Rewire.Core.Techniques.TechniqueKinds.Judge) return GenerativeJudgeTrainer.Run(plan, run, observer, cancel);
        using var metrics = new JsonLinesWriter(run.MetricsFile);
        var trained = Train(plan, metrics, observer, cancel);
        using var rm = trained.Model;
        int step = trained.Steps, skipped = trained.Skipped;
        var o = plan.Options;
        double margin = plan.Technique.Double("margin");
        int pad = trained.PadId;
        var heldout = PairwiseFigures.Of(Margins(rm, plan.Heldout, pad));
        var train = PairwiseFigures.Of(Margins(rm, plan.Train.Take(500).ToArray(), pad));
        var summary = new JsonObject
        {
            ["stage"] = "rm",
            ["completed"] = step == o.Rm.Steps,
            ["reward_model"] = plan.Technique.Name,
            ["task"] = plan.Task.Name,
            ["data"] = plan.Data.Source,
            ["steps"] = step,
            ["skipped_non_finite"] = skipped,
            ["pairs_train"] = plan.Train.Count,
            ["pairs_heldout"] = plan.Heldout.Count,
            ["pairwise_accuracy_heldout"] = Math.Round(heldout.Accuracy, 4),
            ["pairwise_accuracy_train"] = Math.Round(train.Accuracy, 4),
            ["log_loss_heldout"] = Math.Round(heldout.LogLoss, 4),
            ["calibration_ece_heldout"] = Math.Round(heldout.Ece, 4),
        };
        // The ceiling a reward model can reach on noisy labels: the share of held-out pairs labelled as the truth says.
        var known = plan.Heldout.Where(p => p.Record.ChosenUtility is not null && p.Record.RejectedUtility is not null).ToArray();
        if (known.Length > 0)
            summary["label_agreement_heldout"] = Math.Round(known.Average(p => p.Record.ChosenUtility > p.Record.RejectedUtility ? 1.0 : 0.0), 4);
        if (step == o.Rm.Steps)
        {
            rm.Save(run.Path, new JsonObject { ["pairwise_accuracy_heldout"] = summary["pairwise_accuracy_heldout"]!.DeepClone(), ["margin"] = margin });
            summary["reward_model_folder"] = Path.Combine(run.Path, RewardModel.Folder);
        }
        else summary["stop_reason"] = "interrupted";
        run.WriteSummary(summary);
        return summary;
    }

    /// <summary>A trained reward model with what its training did.</summary>
    internal sealed record Trained(RewardModel Model, int Steps, int Skipped, int PadId);

    /// <summary>
    /// Warm-starts the policy of <paramref name="plan"/>, builds the reward model on its trunk and minimises the
    /// Bradley–Terry loss for rm.steps (fewer when <paramref name="cancel"/> fires); each step's figures go to
    /// <paramref name="metrics"/>. stage=rm and reward.model=inline both train through this.
    /// </summary>
    internal static Trained Train(PreferencePlan plan, JsonLinesWriter metrics, ITrainingObserver observer, CancellationToken cancel)
    {
        var o = plan.Options;
        using var session = PolicySession.Create(plan.Session);
        observer.Stage("data", $"{plan.Train.Count} training and {plan.Heldout.Count} held-out pairs, {plan.Data.Source}");
        PreferenceStageParts.WarmStart(session, observer, cancel);
        var rm = new RewardModel(session.Network, plan.Technique.Name, plan.Task.Name, plan.Task.Alphabet);
        try
        {
            double margin = plan.Technique.Double("margin");
            int pad = session.Tokenizer.PadId;
            observer.Stage("rm", $"{o.Rm.Steps} steps of the Bradley–Terry loss (margin {margin}) on batches of {o.Rm.BatchSize} pairs");
            using var optimizer = new AdamW(rm.Parameters(), beta2: 0.99);
            int step = 0, skipped = 0;
            using var batches = PreferenceStageParts.Batches(plan.Train, o.Rm.BatchSize, o.Run.Seed).GetEnumerator();
            for (; step < o.Rm.Steps && !cancel.IsCancellationRequested; step++)
            {
                batches.MoveNext();
                var batch = batches.Current;
                using var scope = NewDisposeScope();
                optimizer.ZeroGrad();
                var r = Score(rm, batch, pad, withGradient: true);
                int b = batch.Length;
                var chosen = r.narrow(0, 0, b);
                var rejected = r.narrow(0, b, b);
                var loss = BradleyTerryLoss.Compute(chosen, rejected, margin);
                double value = loss.item<double>();
                if (!double.IsFinite(value)) { skipped++; continue; }
                loss.backward();
                double norm = optimizer.ClipGradNorm(1.0);
                optimizer.Step(PreferenceStageParts.WarmUp(o.Rm.LearningRate, step));
                double acc = (chosen > rejected).to(ScalarType.Float64).mean().item<double>();
                metrics.Write(new JsonObject { ["step"] = step + 1, ["loss"] = value, ["accuracy"] = acc, ["grad_norm"] = norm });
                if ((step + 1) % 50 == 0 || step + 1 == o.Rm.Steps) observer.Stage("rm", FormattableString.Invariant($"step {step + 1}/{o.Rm.Steps} loss {value:0.0000} batch accuracy {acc:0.000}"));
            }
            return new Trained(rm, step, skipped, pad);
        }
        catch
        {
            rm.Dispose();
            throw;
        }
    }

    /// <summary>Rewards [2B]: the chosen sides, then the rejected sides.</summary>
    private static Tensor Score(RewardModel rm, IReadOnlyList<TokenizedPair> batch, int pad, bool withGradient)
    {
        var prompts = batch.Select(p => (IReadOnlyList<int>)p.Prompt).Concat(batch.Select(p => (IReadOnlyList<int>)p.Prompt)).ToArray();
        var responses = batch.Select(p => (IReadOnlyList<int>)p.Chosen).Concat(batch.Select(p => (IReadOnlyList<int>)p.Rejected)).ToArray();
        return rm.Score(prompts, responses, pad, withGradient).to(ScalarType.Float64);
    }

    /// <summary>r(y_w) − r(y_l) of every pair, without gradient.</summary>
    internal static double[] Margins(RewardModel rm, IReadOnlyList<TokenizedPair> pairs, int pad)
    {
        var result = new List<double>(pairs.Count);
        for (int at = 0; at < pairs.Count; at += 64)
        {
            using var scope = NewDisposeScope();
            var batch = pairs.Skip(at).Take(64).ToArray();
            var r = Score(rm, batch, pad, withGradient: false).cpu().data<double>().ToArray();
            for (int i = 0; i < batch.Length; i++) result.Add(r[i] - r[batch.Length + i]);
        }
        return [.. result];
    }
}
