// Sample 1: a reward function of your own, written in C#, on a built-in task (like TRL's reward_funcs).
//
// The task is `reverse` (reverse a list of numbers); its verifier pays 1 for the exact reversed list. On top of it this
// sample adds a reward that pays for brevity: completions longer than the reference answer lose points. Rewire runs it
// failure-isolated next to the verifier (an exception or a timeout is counted, never fatal), logs it under its name,
// and weights it with reward.weights.brevity. The run folder gets metrics.jsonl, samples.jsonl and summary.json.
using Rewire.Core.Rewards;
using Rewire.Torch.Training;

var trainer = new RewireTrainer()
    .Configure(
        "task.name=reverse", "task.train_size=400", "task.test_size=16",
        "sft.steps=60",                                     // a short supervised warm start on demonstrations
        "rl.steps=3", "rl.prompts_per_step=8", "rl.group_size=4", "rl.mini_batch_size=16",
        "eval.samples=2", "eval.pass_k=2", "seed=7",
        "reward.weights.brevity=0.5")                       // the verifier's weight is 1
    .AddReward("brevity", Brevity);

trainer.StageStarted += (stage, detail) => Console.WriteLine($"{stage}: {detail}");
trainer.StepCompleted += m => Console.WriteLine($"step {m.Step}: reward {m.RewardMean:0.000}  accuracy {m.Accuracy:0.000}  length {m.ResponseLengthMean:0.0}");
trainer.Evaluated += (label, r) => Console.WriteLine($"eval {label}: accuracy {r.Accuracy:0.000}");

var result = trainer.Train(Path.Combine(Path.GetTempPath(), "rewire-samples"));
Console.WriteLine($"run folder: {result.RunFolder}");
Console.WriteLine($"accuracy {result.Summary.AccuracyBeforeRl:0.000} -> {result.Summary.AccuracyAfterRl:0.000}; reward failures {result.Summary.RewardFailures}");
return result.Summary.Completed ? 0 : 1;

// 0 for a completion no longer than the reference answer, down to -1 for one twice as long or more.
static double Brevity(Rollout r)
{
    int reference = Math.Max(1, r.Prompt.Answer?.Length ?? 1);
    double excess = Math.Max(0, r.Completion.Length - reference) / (double)reference;
    return -Math.Min(1.0, excess);
}
