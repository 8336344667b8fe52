// Sample 4: a bandit environment of your own, learned by Rewire's built-in algorithms.
//
// The environment: five ad creatives with unknown click-through rates (shown here, hidden from the learner); showing one is a pull, a click is reward 1.
// UCB1 and Bernoulli Thompson sampling learn which creative to show; regret (clicks lost against always showing the
// best creative) grows ever more slowly, while a uniform random choice loses a fixed share each step.
using Rewire.Classic.Bandits;

const int Steps = 20_000;
double[] rates = [0.20, 0.35, 0.50, 0.45, 0.30];

foreach (var (name, algorithm) in new (string, IBanditAlgorithm)[]
{
    ("ucb1", new Ucb1(new BanditSetup(rates.Length, 0, Steps, Seed: 1))),
    ("thompson", new BernoulliThompsonSampling(new BanditSetup(rates.Length, 0, Steps, Seed: 1))),
})
{
    var result = BanditRunner.Run(algorithm, new CreativeBandit(rates, seed: 5), Steps);
    Console.WriteLine($"{name,-9} regret {result.FinalRegret,7:0.0}  clicks {result.TotalReward,5:0}  shows per creative {string.Join(" ", result.Pulls)}");
    double randomRegret = Steps * (rates.Max() - rates.Average());
    if (result.FinalRegret >= randomRegret / 2)
    {
        Console.Error.WriteLine($"{name} did not learn: regret {result.FinalRegret:0.0}, a random choice's expected regret is {randomRegret:0.0}");
        return 1;
    }
}
return 0;

/// <summary>Bernoulli clicks with a fixed rate per creative.</summary>
sealed class CreativeBandit(double[] rates, int seed) : IBanditEnvironment
{
    private readonly Random _random = new(seed);

    public string Name => "creatives";
    public int Arms => rates.Length;
    public int Dimension => 0;
    public BanditContext Context { get; } = new(rates.Length, 0);
    public double ExpectedReward(int arm) => rates[arm];
    public double OptimalReward() => rates.Max();

    public double Pull(int arm) => _random.NextDouble() < rates[arm] ? 1.0 : 0.0;
}
