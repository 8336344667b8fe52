// Sample 3: a multi-turn text environment of your own.
//
// The environment: a vault with a three-digit code. Each turn the agent types a guess such as "427"; the vault answers
// with one mark per digit ("+" right digit in the right place, "-" otherwise). Each turn costs a little (the immediate
// reward); opening the vault is the episode's outcome. Rewire keeps the two apart so a trainer can combine them.
//
// This sample runs episodes through the ITextEnvironment contract with two scripted policies (a careless one and the
// environment's own expert), the same loop a trainer's rollout runs, and checks that the expert does better.
using Rewire.Tasks.Environments;

var vault = new VaultEnvironment();
var careless = Evaluate(vault, errorRate: 0.5, episodes: 200);
var expert = Evaluate(vault, errorRate: 0.0, episodes: 200);
Console.WriteLine($"careless policy: opened {careless.Opened:P0} of the vaults, mean return {careless.MeanReturn:0.000}, {careless.MeanTurns:0.0} turns");
Console.WriteLine($"expert policy:   opened {expert.Opened:P0} of the vaults, mean return {expert.MeanReturn:0.000}, {expert.MeanTurns:0.0} turns");

// Malformed text is an invalid action, never an exception.
vault.Reset(seed: 1);
Console.WriteLine($"'hello' -> {vault.Step("hello").Observation}");
return expert.MeanReturn > careless.MeanReturn && expert.Opened == 1.0 ? 0 : 1;

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
