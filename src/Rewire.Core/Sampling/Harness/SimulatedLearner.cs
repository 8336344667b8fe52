using System.Globalization;
using Rewire.Core.Rewards;

namespace Rewire.Core.Sampling.Harness;

/// <summary>
/// What the sampler comparison needs from a learner: roll out prompts, train on a collected batch, evaluate on held-out prompts.
/// <see cref="SimulatedLearner"/> implements it now; the RLVR trainer can implement it later and the harness runs unchanged.
/// </summary>
public interface ISamplerBenchmarkLearner
{
    /// <summary>"simulated" or the trainer's name; reported as <c>learner</c>.</summary>
    string Kind { get; }

    /// <summary>The training pool the samplers draw from.</summary>
    IReadOnlyList<Prompt> TrainPool { get; }

    /// <summary>G rollouts per prompt, scored, one group per prompt in order.</summary>
    IReadOnlyList<GroupOutcome> Rollout(IReadOnlyList<Prompt> prompts);

    /// <summary>One optimiser step on a collected batch.</summary>
    void Train(CollectedBatch batch);

    /// <summary>Held-out accuracy in [0, 1].</summary>
    double HeldOutAccuracy();
}

/// <summary>Options of the simulated learner's task mix and learning rule.</summary>
public sealed record SimulatedLearnerOptions
{
    /// <summary>Initial skill per domain (one domain per entry); a prompt's pass rate is σ(slope·(skill_d − hardness_x)). <value>The default value is [1.5, 0.5, -0.5, -1.5].</value></summary>
    public IReadOnlyList<double> InitialSkills { get; init; } = [1.5, 0.5, -0.5, -1.5];

    /// <summary>Training prompts per domain. <value>The default value is 256.</value></summary>
    public int TrainPromptsPerDomain { get; init; } = 256;

    /// <summary>Held-out prompts per domain. <value>The default value is 128.</value></summary>
    public int HeldOutPromptsPerDomain { get; init; } = 128;

    /// <summary>Hardness is uniform on [min_hardness, max_hardness] (a wide range: many prompts start solved or hopeless). <value>The default value is -3.</value></summary>
    public double MinHardness { get; init; } = -3.0;

    /// <summary><value>The default value is 5.</value></summary>
    public double MaxHardness { get; init; } = 5.0;

    /// <summary>Difficulty labels 1..levels, equal-width hardness buckets (for the curriculum). <value>The default value is 5.</value></summary>
    public int Levels { get; init; } = 5;

    /// <summary>Slope of the pass-rate logistic. <value>The default value is 1.5.</value></summary>
    public double Slope { get; init; } = 1.5;

    /// <summary>η: skill_d += η · Σ_{groups of d with reward variance} 4ŝ(1−ŝ) / (groups in the batch). <value>The default value is 0.02.</value></summary>
    public double LearningRate { get; init; } = 0.02;

    /// <summary>G: rollouts per prompt. <value>The default value is 8.</value></summary>
    public int GroupSize { get; init; } = 8;

    internal void Validate()
    {
        if (InitialSkills is null || InitialSkills.Count == 0) throw new ArgumentException("initial_skills needs one value per domain (at least one).");
        if (TrainPromptsPerDomain < 1 || HeldOutPromptsPerDomain < 1) throw new ArgumentException("train_prompts_per_domain and held_out_prompts_per_domain must be >= 1.");
        if (!(MaxHardness > MinHardness)) throw new ArgumentException($"max_hardness ({MaxHardness}) must exceed min_hardness ({MinHardness}).");
        if (Levels < 1) throw new ArgumentException($"levels is {Levels}; use at least 1.");
        if (!(Slope > 0) || !(LearningRate >= 0)) throw new ArgumentException("slope must be positive and learning_rate non-negative.");
        if (GroupSize < 1) throw new ArgumentException($"group_size is {GroupSize}; use at least 1 rollout per prompt.");
    }
}

/// <summary>
/// A learner simulated without a model, for comparing samplers: prompts in several domains with a latent hardness; the pass
/// rate of prompt x is σ(slope·(skill_d − hardness_x)); rollouts are Bernoulli draws with a seeded RNG; a training step raises
/// skill_d only from groups whose rewards differ (the only groups that give a GRPO-style gradient), by
/// η·4ŝ(1−ŝ)/n per such group (ŝ its empirical pass rate, n the groups in the batch including zero-variance and padding, as a
/// batch-mean loss dilutes them). Held-out accuracy is the exact mean latent pass rate over held-out prompts.
/// </summary>
public sealed class SimulatedLearner : ISamplerBenchmarkLearner
{
    private readonly SimulatedLearnerOptions _options;
    private readonly Dictionary<string, (int Domain, double Hardness)> _latent = new(StringComparer.Ordinal);
    private readonly double[] _skills;
    private readonly Prompt[] _train, _heldOut;
    private readonly Xoshiro256StarStar _rollouts;

    /// <param name="options">Task mix and learning rule.</param>
    /// <param name="seed">Seeds the population (hardness draws) and, through a derived stream, the rollouts.</param>
    public SimulatedLearner(SimulatedLearnerOptions options, ulong seed)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _options.Validate();
        _skills = [.. _options.InitialSkills];
        var population = new Xoshiro256StarStar(Xoshiro256StarStar.Derive(seed, 100));
        _train = MakePrompts("train", _options.TrainPromptsPerDomain, population);
        _heldOut = MakePrompts("heldout", _options.HeldOutPromptsPerDomain, population);
        _rollouts = new Xoshiro256StarStar(Xoshiro256StarStar.Derive(seed, 200));
    }

    /// <inheritdoc />
    public string Kind => "simulated";
    /// <inheritdoc />
    public IReadOnlyList<Prompt> TrainPool => _train;

    /// <summary>The held-out prompts.</summary>
    public IReadOnlyList<Prompt> HeldOut => _heldOut;

    /// <summary>Current skill per domain.</summary>
    public IReadOnlyList<double> Skills => _skills;

    private Prompt[] MakePrompts(string split, int perDomain, Xoshiro256StarStar rng)
    {
        var list = new List<Prompt>();
        var span = _options.MaxHardness - _options.MinHardness;
        for (var d = 0; d < _skills.Length; d++)
        {
            for (var i = 0; i < perDomain; i++)
            {
                var h = _options.MinHardness + span * rng.NextDouble();
                var level = Math.Min(_options.Levels, 1 + (int)((h - _options.MinHardness) / span * _options.Levels));
                var id = string.Create(CultureInfo.InvariantCulture, $"{split}-d{d}-{i}");
                var domain = string.Create(CultureInfo.InvariantCulture, $"domain{d}");
                list.Add(new Prompt(id, "simulated", domain, id, null, level));
                _latent[id] = (d, h);
            }
        }
        return [.. list];
    }

    /// <summary>The latent pass rate of a simulated prompt under the current skills.</summary>
    public double PassRate(Prompt prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        if (!_latent.TryGetValue(prompt.Id, out var l))
            throw new ArgumentException($"prompt '{prompt.Id}' is not part of this simulated population; sample from TrainPool.", nameof(prompt));
        return 1.0 / (1.0 + Math.Exp(-_options.Slope * (_skills[l.Domain] - l.Hardness)));
    }

    /// <inheritdoc />
    public IReadOnlyList<GroupOutcome> Rollout(IReadOnlyList<Prompt> prompts)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        var result = new GroupOutcome[prompts.Count];
        for (var i = 0; i < prompts.Count; i++)
        {
            var p = PassRate(prompts[i]);
            var correct = new bool[_options.GroupSize];
            for (var j = 0; j < correct.Length; j++) correct[j] = _rollouts.NextBernoulli(p);
            result[i] = GroupOutcome.FromCorrectness(prompts[i], correct);
        }
        return result;
    }

    /// <inheritdoc />
    public void Train(CollectedBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var n = batch.Groups.Count + batch.Padding.Count;
        if (n == 0) return;
        foreach (var g in batch.Groups)
        {
            if (!g.HasVariance(FilterMetric.Reward)) continue;
            var s = g.PassRate;
            _skills[_latent[g.Prompt.Id].Domain] += _options.LearningRate * 4 * s * (1 - s) / n;
        }
    }

    /// <inheritdoc />
    public double HeldOutAccuracy()
    {
        var sum = 0.0;
        foreach (var p in _heldOut) sum += PassRate(p);
        return sum / _heldOut.Length;
    }
}
