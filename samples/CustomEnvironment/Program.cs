// Sample 3: a multi-turn text environment of your own.
//
// The environment: a vault with a three-digit code. Each turn the agent types a guess such as "427"; the vault answers
// with one mark per digit ("+" right digit in the right place, "-" otherwise). Each turn costs a little (the immediate
// reward); opening the vault is the episode's outcome. Rewire keeps the two apart so a trainer can combine them.
//
// This sample first runs episodes through the ITextEnvironment contract with two scripted policies (a careless one and
// the environment's own expert), the same loop a trainer's rollout runs, and checks that the expert does better. Then it
// registers the environment with a descriptor and trains the small GPT on its episodes (rl.environment=vault): a warm
// start on the expert's scripted episodes, then RL on the policy's own episodes, where the vault's answers are context
// the policy reads but is never trained to write. The budget here is a smoke-sized one (a minute on 2 cores): the small
// GPT learns to write valid guesses, not yet to open the vault; raise sft.steps and rl.steps for a real run.
using Rewire.Core.Techniques;
using Rewire.Tasks.Environments;
using Rewire.Torch.Training;

var vault = new VaultEnvironment();
var careless = Evaluate(vault, errorRate: 0.5, episodes: 200);
var expert = Evaluate(vault, errorRate: 0.0, episodes: 200);
Console.WriteLine($"careless policy: opened {careless.Opened:P0} of the vaults, mean return {careless.MeanReturn:0.000}, {careless.MeanTurns:0.0} turns");
Console.WriteLine($"expert policy:   opened {expert.Opened:P0} of the vaults, mean return {expert.MeanReturn:0.000}, {expert.MeanTurns:0.0} turns");

// Malformed text is an invalid action, never an exception.
vault.Reset(seed: 1);
Console.WriteLine($"'hello' -> {vault.Step("hello").Observation}");
if (!(expert.MeanReturn > careless.MeanReturn && expert.Opened == 1.0)) return 1;

// Train on it: a new environment per episode, selected by name like a built-in one.
var descriptor = new TechniqueDescriptor
{
    Kind = TechniqueKinds.Environment,
    Name = "vault",
    Summary = "Guess a three-digit code from per-digit feedback within ten turns.",
    Paper = "sample environment (no paper)",
    Example = ["train", "rl.environment=vault"],
};
var trainer = new RewireTrainer()
    .AddEnvironment(descriptor, () => new VaultEnvironment())
    .Configure(
        "rl.environment=vault", "env.max_turns=10", "rl.max_new_tokens=4", "env.max_observation_tokens=8",
        "task.train_size=200", "task.test_size=8", "sft.steps=60",
        "rl.steps=2", "rl.prompts_per_step=4", "rl.group_size=4", "rl.sampler=uniform",
        "eval.samples=1", "eval.pass_k=1", "seed=5");
trainer.StepCompleted += m => Console.WriteLine($"step {m.Step}: mean episode return {m.RewardMean:0.000}");
trainer.Evaluated += (label, r) => Console.WriteLine($"eval {label}: success rate {r.Accuracy:0.000}");
var result = trainer.Train(Path.Combine(Path.GetTempPath(), "rewire-samples"));
Console.WriteLine($"trained on vault episodes: {result.RunFolder}");
return result.Summary.Completed ? 0 : 1;

static (double Opened, double MeanReturn, double MeanTurns) Evaluate(ITextEnvironment env, double errorRate, int episodes)
{
    var random = new Random(11);
    int opened = 0, turns = 0;
    double total = 0;
    for (int episode = 0; episode < episodes; episode++)
    {
        env.Reset(seed: episode);
        EnvironmentStep step;
        do
        {
            step = env.Step(env.Demonstrate(errorRate, random));   // a policy would write this action
            total += step.Reward;
            turns++;
        }
        while (!step.Done);
        total += step.Outcome ?? 0;
        if (step.Outcome > 0) opened++;
    }
    return (opened / (double)episodes, total / episodes, turns / (double)episodes);
}

/// <summary>Guess a three-digit code from per-digit feedback within ten turns.</summary>
sealed class VaultEnvironment : ITextEnvironment
{
    private const int Digits = 3, MaxTurns = 10;
    private string _code = "";
    private readonly bool[] _known = new bool[Digits];
    private readonly int[] _next = new int[Digits];
    private int _turn;
    private bool _done = true;

    public string Name => "vault";
    public string Alphabet => " +-0123456789?abcdeilnoprstvw";

    public string Reset(int seed)
    {
        var random = new Random(seed);
        _code = string.Concat(Enumerable.Range(0, Digits).Select(_ => (char)('0' + random.Next(10))));
        Array.Clear(_known);
        Array.Clear(_next);
        _turn = 0;
        _done = false;
        return "code?";
    }

    public EnvironmentStep Step(string action)
    {
        if (_done) throw new InvalidOperationException("the episode is over; call Reset(seed) to start another");
        _turn++;
        string guess = action.Trim();
        if (guess.Length != Digits || !guess.All(char.IsAsciiDigit))
            return Finish("invalid", reward: -0.1);
        var marks = new char[Digits];
        for (int i = 0; i < Digits; i++)
        {
            bool right = guess[i] == _code[i];
            marks[i] = right ? '+' : '-';
            if (right) _known[i] = true;
            else _next[i] = Math.Max(_next[i], guess[i] - '0' + 1);   // the expert tries digits in order
        }
        if (guess == _code)
        {
            _done = true;
            return new EnvironmentStep("open", Reward: -0.01, Done: true, Outcome: 1.0,
                Components: new Dictionary<string, double> { ["turn_cost"] = -0.01, ["opened"] = 1 });
        }
        return Finish(new string(marks), reward: -0.01);
    }

    /// <summary>The expert guesses each unknown digit in increasing order; a careless expert types a random code.</summary>
    public string Demonstrate(double errorRate, Random random)
    {
        if (random.NextDouble() < errorRate) return string.Concat(Enumerable.Range(0, Digits).Select(_ => (char)('0' + random.Next(10))));
        return string.Concat(Enumerable.Range(0, Digits).Select(i => _known[i] ? _code[i] : (char)('0' + Math.Min(9, _next[i]))));
    }

    private EnvironmentStep Finish(string observation, double reward)
    {
        if (_turn < MaxTurns) return new EnvironmentStep(observation, reward, Done: false);
        _done = true;
        return new EnvironmentStep(observation, reward, Done: true, Outcome: 0.0);
    }
}
