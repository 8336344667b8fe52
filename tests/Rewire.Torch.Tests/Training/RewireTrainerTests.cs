using Rewire.Core.Configuration;
using Rewire.Core.Rewards;
using Rewire.Core.Techniques;
using Rewire.Core.Verifiers;
using Rewire.Tasks;
using Rewire.Torch.Training;

namespace Rewire.Torch.Tests.Training;

/// <summary>
/// The public entry point for training from code (RewireTrainer): a reward given as a delegate changes what the policy
/// learns, a throwing one is isolated and counted like a built-in reward, and injected tasks resolve like built-in ones.
/// </summary>
[Collection("torch")]
public sealed class RewireTrainerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rewire-api").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>The tiny configuration of the trainer tests: a briefly warm-started small GPT on list reversal.</summary>
    private static RewireTrainer Tiny(params string[] overrides) => new RewireTrainer().Configure(
    [
        "task.name=reverse", "task.train_size=500", "task.test_size=24", "sft.steps=100",
        "rl.steps=6", "rl.prompts_per_step=8", "rl.group_size=4", "rl.mini_batch_size=16", "rl.sampler=uniform",
        "eval.samples=2", "eval.pass_k=2", "run.checkpoint_every=100", .. overrides,
    ]);

    [Fact]
    public void ARewardThatPaysForShortCompletionsShortensThem()
    {
        // The same seed with and without a custom reward that pays for brevity (weighted to dominate the verifier):
        // the first step's rollouts are identical (generation does not depend on rewards); after the updates, the run
        // that pays for brevity writes shorter completions.
        var plainSteps = new List<StepMetrics>();
        var plain = Tiny();
        plain.StepCompleted += plainSteps.Add;
        plain.Train(_root);

        var shortSteps = new List<StepMetrics>();
        var shorter = Tiny("reward.weights.brevity=10")
            .AddReward("brevity", r => -r.Completion.Length);
        shorter.StepCompleted += shortSteps.Add;
        var result = shorter.Train(_root);

        Assert.True(result.Summary.Completed);
        Assert.Equal(6, shortSteps.Count);
        Assert.Equal(plainSteps[0].ResponseLengthMean, shortSteps[0].ResponseLengthMean);
        double plainLast = plainSteps.TakeLast(2).Average(m => m.ResponseLengthMean);
        double shortLast = shortSteps.TakeLast(2).Average(m => m.ResponseLengthMean);
        Assert.True(shortLast < plainLast, $"mean completion length over the last two steps: {shortLast:0.00} with the brevity reward, {plainLast:0.00} without");
        Assert.True(shortLast < shortSteps[0].ResponseLengthMean, $"length went from {shortSteps[0].ResponseLengthMean:0.00} to {shortLast:0.00}");
        Assert.True(File.Exists(Path.Combine(result.RunFolder, "summary.json")));
    }

    [Fact]
    public void AThrowingDelegateRewardIsIsolatedAndCountedLikeABuiltInOne()
    {
        var warnings = new List<string>();
        var evaluations = new List<string>();
        var trainer = Tiny("rl.steps=2", "reward.failure_value=-1")
            .AddReward("broken", (Func<Rollout, double>)(_ => throw new InvalidOperationException("the broken reward always throws")));
        trainer.Warning += warnings.Add;
        trainer.Evaluated += (label, _) => evaluations.Add(label);
        var result = trainer.Train(_root);

        Assert.True(result.Summary.Completed);
        Assert.True(result.Summary.RewardFailures >= 2 * 8 * 4, $"every rollout's reward failed, got {result.Summary.RewardFailures}");
        Assert.Contains(warnings, w => w.Contains("reward function 'broken' failed", StringComparison.Ordinal) && w.Contains("the broken reward always throws", StringComparison.Ordinal));
        Assert.Equal(["before RL", "after RL"], evaluations.Where(l => l is "before RL" or "after RL"));
    }

    [Fact]
    public void AnInjectedTaskResolvesAndAnUnknownOneIsRefusedWithTheValidNames()
    {
        var trainer = Tiny("task.name=echo").AddTask(EchoTask.Descriptor, () => new EchoTask());
        var config = trainer.Resolve();
        Assert.Equal("echo", config.Options.Task.Name);
        Assert.Same(trainer.Registries, config.Registries);

        var e = Assert.Throws<ConfigurationException>(() => Tiny("task.name=echo").Resolve());
        Assert.Contains("'task.name' = 'echo'", e.Message);
    }

    [Fact]
    public void AnInjectedEnvironmentResolvesAndIsTheOneEpisodesUse()
    {
        var trainer = Tiny("rl.environment=coin", "env.max_turns=2", "rl.max_new_tokens=2").AddEnvironment(CoinEnvironment.Descriptor, () => new CoinEnvironment());
        var config = trainer.Resolve();
        Assert.Equal("coin", config.Options.Rl.Environment);
        var task = TrainingComponents.CreateTask(config.Options, trainer.Registries);
        Assert.Equal("coin", task.Name);
        Assert.All(CoinEnvironment.Characters, c => Assert.Contains(c, task.Alphabet));

        var e = Assert.Throws<ConfigurationException>(() => Tiny("rl.environment=coin", "env.max_turns=2").Resolve());
        Assert.Contains("'rl.environment' = 'coin'", e.Message);
        Assert.Throws<ArgumentException>(() => TrainingRegistries.CreateDefault().AddEnvironment(CoinEnvironment.Descriptor with { Kind = TechniqueKinds.Task }, () => new CoinEnvironment()));
    }

    [Fact]
    public void RegistrationChecksTheKindAndRefusesATakenName()
    {
        var registries = TrainingRegistries.CreateDefault();
        Assert.Throws<ArgumentException>(() => registries.AddTask(EchoTask.Descriptor with { Kind = TechniqueKinds.Reward }, _ => new EchoTask()));
        registries.AddTask(EchoTask.Descriptor, _ => new EchoTask());
        Assert.Throws<InvalidOperationException>(() => registries.AddTask(EchoTask.Descriptor, _ => new EchoTask()));
        Assert.Throws<InvalidOperationException>(() => registries.AddTask(EchoTask.Descriptor with { Name = "reverse" }, _ => new EchoTask()));
        Assert.Throws<ArgumentException>(() => new RewireTrainer().AddReward("x", r => 1.0).AddReward("x", r => 0.0));
    }

    /// <summary>A one-turn environment: say "h" to win.</summary>
    private sealed class CoinEnvironment : Rewire.Tasks.Environments.ITextEnvironment
    {
        public const string Characters = " htcoin:";
        public static readonly TechniqueDescriptor Descriptor = new()
        {
            Kind = TechniqueKinds.Environment, Name = "coin", Summary = "Call the coin.", Paper = "test environment", Example = ["train", "rl.environment=coin"],
        };

        public string Name => "coin";
        public string Alphabet => Characters;
        public string Reset(int seed) => "coin:";
        public Rewire.Tasks.Environments.EnvironmentStep Step(string action) =>
            new("", 0, Done: true, Outcome: action.Trim() == "h" ? 1 : 0);
        public string Demonstrate(double errorRate, Random random) => random.NextDouble() < errorRate ? "t" : "h";
    }

    /// <summary>A one-domain task: repeat a three-letter word.</summary>
    private sealed class EchoTask : ITask
    {
        public static readonly TechniqueDescriptor Descriptor = new()
        {
            Kind = TechniqueKinds.Task, Name = "echo", Summary = "Repeat the word.", Paper = "test task", Example = ["train", "task.name=echo"],
        };

        public string Name => "echo";
        public IReadOnlyList<string> Domains => ["echo"];
        public int MaxDifficulty => 1;
        public string Alphabet => " =abcdefghijklmnopqrstuvwxyz";
        public IRewardFunction Verifier { get; } = new ExactMatchVerifier();

        public Prompt Generate(Split split, int seed, int index, int difficulty = 1)
        {
            var rng = new Random(HashCode.Combine(seed, index, split));
            string word = new(Enumerable.Range(0, 3).Select(_ => (char)('a' + rng.Next(26))).ToArray());
            return new Prompt($"{split}-{index}", Name, "echo", "echo " + word + "=", word, difficulty);
        }

        public IReadOnlyList<Prompt> GenerateMany(Split split, int seed, int count, int difficulty = 1) =>
            Enumerable.Range(0, count).Select(i => Generate(split, seed, i, difficulty)).ToArray();

        public string Demonstrate(Prompt prompt, double errorRate, Random random) => prompt.Answer!;
    }
}
