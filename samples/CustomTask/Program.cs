// Sample 2: a task of your own with its own verifier, trained like a built-in one.
//
// The task: "add one to each digit" (9 wraps to 0), for example "inc 385=" -> "496". Its verifier gives named
// components (exact answer, right length) and says whether the answer is correct; its demonstrator writes reference
// completions (sometimes wrong, on purpose) for the supervised warm start. Registering it with a descriptor makes
// task.name=digits work everywhere the configuration names a task.
using Rewire.Core.Rewards;
using Rewire.Core.Techniques;
using Rewire.Tasks;
using Rewire.Torch.Training;

var descriptor = new TechniqueDescriptor
{
    Kind = TechniqueKinds.Task,
    Name = DigitsTask.TaskName,
    Summary = "Add one to each digit (9 wraps to 0).",
    Paper = "sample task (no paper)",
    Example = ["train", "task.name=digits"],
};

var trainer = new RewireTrainer()
    .AddTask(descriptor, () => new DigitsTask())
    .Configure(
        "task.name=digits", "task.train_size=400", "task.test_size=16",
        "sft.steps=60", "rl.steps=3", "rl.prompts_per_step=8", "rl.group_size=4", "rl.mini_batch_size=16",
        "eval.samples=2", "eval.pass_k=2", "seed=3");
trainer.StepCompleted += m => Console.WriteLine($"step {m.Step}: reward {m.RewardMean:0.000}  accuracy {m.Accuracy:0.000}");
trainer.Evaluated += (label, r) => Console.WriteLine($"eval {label}: accuracy {r.Accuracy:0.000}");

var result = trainer.Train(Path.Combine(Path.GetTempPath(), "rewire-samples"));
Console.WriteLine($"accuracy {result.Summary.AccuracyBeforeRl:0.000} -> {result.Summary.AccuracyAfterRl:0.000} ({result.RunFolder})");
return result.Summary.Completed ? 0 : 1;

/// <summary>Add one to each digit of a number.</summary>
sealed class DigitsTask : ITask
{
    public const string TaskName = "digits";

    public string Name => TaskName;
    public IReadOnlyList<string> Domains { get; } = [TaskName];
    public int MaxDifficulty => 4;
    public string Alphabet => " 0123456789=cin";
    public IRewardFunction Verifier { get; } = new DigitsVerifier();

    public Prompt Generate(Split split, int seed, int index, int difficulty = 1)
    {
        // Train and test never share a problem: the split is the parity of the number.
        var random = new Random(HashCode.Combine(seed, index, difficulty));
        string digits;
        do digits = string.Concat(Enumerable.Range(0, difficulty + 2).Select(_ => (char)('0' + random.Next(10))));
        while ((digits[^1] - '0') % 2 != (split == Split.Train ? 0 : 1));
        return new Prompt($"{split}-{difficulty}-{index}", TaskName, TaskName, "inc " + digits + "=", Increment(digits), difficulty);
    }

    public IReadOnlyList<Prompt> GenerateMany(Split split, int seed, int count, int difficulty = 1) =>
        Enumerable.Range(0, count).Select(i => Generate(split, seed, i, difficulty)).ToArray();

    public string Demonstrate(Prompt prompt, double errorRate, Random random)
    {
        string answer = prompt.Answer!;
        if (random.NextDouble() >= errorRate) return answer;
        int i = random.Next(answer.Length);
        return answer[..i] + (char)('0' + (answer[i] - '0' + 1) % 10) + answer[(i + 1)..];
    }

    internal static string Increment(string digits) => string.Concat(digits.Select(c => (char)('0' + (c - '0' + 1) % 10)));
}

/// <summary>Grades a completion: 1 for the exact answer; components say whether the answer and its length are right.</summary>
sealed class DigitsVerifier : IRewardFunction
{
    public string Name => "digits";

    public RewardResult Score(Rollout rollout)
    {
        string given = rollout.Completion.Trim(), expected = rollout.Prompt.Answer!;
        bool exact = given == expected, length = given.Length == expected.Length;
        return new RewardResult
        {
            Total = exact ? 1.0 : 0.0,
            Correct = exact,
            Components = new Dictionary<string, double> { ["exact"] = exact ? 1 : 0, ["length"] = length ? 1 : 0 },
            FailureReason = exact ? null : length ? "wrong digits" : "wrong length",
        };
    }
}
