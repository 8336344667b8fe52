// `rewire train stage=rm rm.model=genrm`: Writing-Zero's pairwise generative judge. The policy is warm-started on the
// task's demonstrations (as for every preference stage), then its network is trained as the judge: next-token
// cross-entropy on the verdict of every training pair (JudgeFormat: "1" for (chosen, rejected) and, with swap, "2" for
// (rejected, chosen)), by AdamW for rm.steps on batches of rm.batch_size examples at rm.learning_rate. Held out, every
// pair is judged in both orders and the two verdicts vote (SwapVoting); summary.json gets the pairwise accuracy (a
// tie, including a judge that contradicts itself across the orders, counts one half), the accuracy of the first order
// alone, the share of position-consistent pairs, the count of malformed verdicts and the label ceiling. The judge is
// saved in the run's judge/ folder for reward.judge=RUN. It lives in stage=rm because it is a reward model learned from
// the same preference pairs, warm start, optimiser keys (rm.*) and held-out figure as the Bradley–Terry model; only the
// head differs (a written verdict instead of a scalar).
using System.Text.Json.Nodes;
using Rewire.Core.Rewards.Judges;
using Rewire.Core.Runs;
using Rewire.Torch.Training;
using static TorchSharp.torch;

namespace Rewire.Torch.Preferences;

/// <summary>Runs stage=rm with the generative judge (see the file header).</summary>
public static class GenerativeJudgeTrainer
{
    /// <summary>Trains, evaluates and saves the judge of <paramref name="plan"/> in <paramref name="run"/>; returns the summary.</summary>
    public static JsonObject Run(PreferencePlan plan, RunDirectory run, ITrainingObserver observer, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(observer);
        var o = plan.Options;
        using var session = PolicySession.Create(plan.Session);
        observer.Stage("data", $"{plan.Train.Count} training and {plan.Heldout.Count} held-out pairs, {plan.Data.Source}");
        PreferenceStageParts.WarmStart(session, observer, cancel);
        bool swap = plan.Technique.Bool("swap");
        var tokenizer = session.Tokenizer;
        var examples = plan.Train.SelectMany(p => JudgeFormat.Examples(p, swap, tokenizer)).ToArray();
        observer.Stage("judge", $"{o.Rm.Steps} steps on the verdicts of {examples.Length} readings ({(swap ? "both orders of every pair" : "chosen first")}), batches of {o.Rm.BatchSize}");
        using var optimizer = new AdamW(session.Policy.Parameters(), beta2: 0.99);
        using var metrics = new JsonLinesWriter(run.MetricsFile);
        var losses = SftTrainer.Train(session.Policy, optimizer, examples, o.Rm.Steps, o.Rm.BatchSize, o.Rm.LearningRate, tokenizer.PadId,
            TrainingComponents.Derive(o.Run.Seed, PreferenceStageParts.BatchStream), (s, loss) =>
            {
                metrics.Write(new JsonObject { ["step"] = s + 1, ["loss"] = loss });
                if ((s + 1) % 50 == 0 || s + 1 == o.Rm.Steps) observer.Stage("judge", FormattableString.Invariant($"step {s + 1}/{o.Rm.Steps} loss {loss:0.0000}"));
            }, cancel);
        int steps = losses.Count;
        using var judge = new GenerativeJudge(session.Network, plan.Task.Name, plan.Task.Alphabet, ownsNetwork: false);
        var heldout = Evaluate(judge, plan.Heldout, tokenizer.EosId, tokenizer.BosId, swap, cancel);
        var train = Evaluate(judge, plan.Train.Take(500).ToArray(), tokenizer.EosId, tokenizer.BosId, swap, cancel);
        var summary = new JsonObject
        {
            ["stage"] = "rm",
            ["completed"] = steps == o.Rm.Steps,
            ["reward_model"] = plan.Technique.Name,
            ["task"] = plan.Task.Name,
            ["data"] = plan.Data.Source,
            ["steps"] = steps,
            ["pairs_train"] = plan.Train.Count,
            ["pairs_heldout"] = plan.Heldout.Count,
            ["pairwise_accuracy_heldout"] = Math.Round(heldout.Accuracy, 4),
            ["pairwise_accuracy_train"] = Math.Round(train.Accuracy, 4),
            ["first_order_accuracy_heldout"] = Math.Round(heldout.FirstOrderAccuracy, 4),
            ["position_consistency_heldout"] = Math.Round(heldout.Consistency, 4),
            ["malformed_verdicts_heldout"] = heldout.Malformed,
        };
        var known = plan.Heldout.Where(p => p.Record.ChosenUtility is not null && p.Record.RejectedUtility is not null).ToArray();
        if (known.Length > 0)
            summary["label_agreement_heldout"] = Math.Round(known.Average(p => p.Record.ChosenUtility > p.Record.RejectedUtility ? 1.0 : 0.0), 4);
        if (steps == o.Rm.Steps)
        {
            judge.Save(run.Path, new JsonObject { ["pairwise_accuracy_heldout"] = summary["pairwise_accuracy_heldout"]!.DeepClone(), ["swap"] = swap });
            summary["judge_folder"] = Path.Combine(run.Path, GenerativeJudge.Folder);
        }
        else summary["stop_reason"] = "interrupted";
        run.WriteSummary(summary);
        return summary;
    }

    /// <summary>The judge's held-out figures over <paramref name="pairs"/>.</summary>
    internal static JudgeFigures Evaluate(GenerativeJudge judge, IReadOnlyList<TokenizedPair> pairs, int eos, int bos, bool swap, CancellationToken cancel)
    {
        var readings = new List<int[]>(pairs.Count * 2);
        foreach (var p in pairs)
        {
            readings.Add(JudgeFormat.Reading(p.Prompt, p.Chosen[..^1], p.Rejected[..^1], eos, bos));
            readings.Add(JudgeFormat.Reading(p.Prompt, p.Rejected[..^1], p.Chosen[..^1], eos, bos));
        }
        var verdicts = judge.Verdicts(readings, cancel);
        var outcomes = new PairOutcome[pairs.Count];
        var first = new PairwiseVerdict[pairs.Count];
        for (int i = 0; i < pairs.Count; i++)
        {
            first[i] = verdicts[2 * i];
            outcomes[i] = SwapVoting.Vote(verdicts[2 * i], swap ? verdicts[2 * i + 1] : null);
        }
        // Malformed verdicts are counted over every reading judged (both orders), whatever the voting used.
        int malformed = verdicts.Count(v => v == PairwiseVerdict.Malformed);
        return JudgeFigures.Of(outcomes, first, malformed);
    }
}

/// <summary>Held-out figures of a pairwise judge.</summary>
/// <param name="Accuracy">Share of pairs whose vote names the chosen side (a tie counts one half).</param>
/// <param name="FirstOrderAccuracy">Share of pairs judged right with the chosen side read first, from that verdict alone.</param>
/// <param name="Consistency">Share of pairs whose two orders named the same response.</param>
/// <param name="Malformed">Malformed verdicts among all readings.</param>
public sealed record JudgeFigures(double Accuracy, double FirstOrderAccuracy, double Consistency, int Malformed)
{
    /// <summary>The figures of votes <paramref name="outcomes"/> (+1: chosen wins) and first-order verdicts <paramref name="first"/>.</summary>
    public static JudgeFigures Of(IReadOnlyList<PairOutcome> outcomes, IReadOnlyList<PairwiseVerdict> first, int malformed)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentNullException.ThrowIfNull(first);
        if (outcomes.Count == 0) return new JudgeFigures(0, 0, 0, malformed);
        double acc = outcomes.Average(o => o.Outcome > 0 ? 1 : o.Outcome == 0 ? 0.5 : 0);
        double firstAcc = first.Average(v => v == PairwiseVerdict.First ? 1.0 : 0.0);
        double consistency = outcomes.Average(o => o.Consistent ? 1.0 : 0.0);
        return new JudgeFigures(acc, firstAcc, consistency, malformed);
    }
}
