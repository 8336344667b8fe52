// Environment "guess": number guessing with higher/lower feedback — immediate per-turn rewards plus a separate long-term
// outcome, the setting of gated reward accumulation (G-RA) [R03], "Stabilizing Long-term Multi-turn Reinforcement Learning
// with Gated Rewards" (Sun et al., 2025).
// Episode: a secret in 1..N; first observation "1-N?"; action = a canonical integer; observation "g higher" / "g lower" /
// "g correct" / "invalid". Immediate reward r_low_t: ConsistentGuess if the guess is valid and inside the interval still
// possible given all feedback so far, WastedGuess if valid but already ruled out, InvalidAction otherwise.
// Outcome r_high (on the last step): Found if guessed, OutOfTurns if turns ran out after at least one valid guess,
// NoValidGuess otherwise. G-RA: R = r_high + Σ_t r_low_t · 1[r_high >= δ]; D-RA: R = r_high + Σ_t r_low_t.
// RECONSTRUCTED (R03 gives only the ordering of the levels): every reward level below is an option.
using System.Globalization;
using Rewire.Tasks.Common;

namespace Rewire.Tasks.Environments;

/// <summary>Options of <see cref="GuessingEnvironment"/>; the reward levels are RECONSTRUCTED design choices.</summary>
public sealed record GuessingOptions
{
    /// <summary>Secrets are drawn from 1..Range. <value>The default value is 64.</value></summary>
    public int Range { get; init; } = 64;

    /// <summary>Maximum guesses. <value>The default value is 8 (binary search needs at most 7 for 64).</value></summary>
    public int MaxTurns { get; init; } = 8;

    /// <summary>Immediate reward of a valid guess inside the interval still possible given the feedback so far. <value>The default value is 0.1.</value></summary>
    public double ConsistentGuess { get; init; } = 0.1;
    /// <summary>Immediate reward of a valid guess that earlier feedback already ruled out. <value>The default value is 0.</value></summary>
    public double WastedGuess { get; init; }
    /// <summary>Immediate reward of an action that is not a canonical integer in range. <value>The default value is −0.1.</value></summary>
    public double InvalidAction { get; init; } = -0.1;
    /// <summary>Outcome reward when the secret is guessed. <value>The default value is 1.</value></summary>
    public double Found { get; init; } = 1.0;
    /// <summary>Outcome reward when the turns run out after at least one valid guess. <value>The default value is −0.5.</value></summary>
    public double OutOfTurns { get; init; } = -0.5;
    /// <summary>Outcome reward when the turns run out without any valid guess. <value>The default value is −1.</value></summary>
    public double NoValidGuess { get; init; } = -1.0;

    /// <summary>Throws when Range or MaxTurns is out of bounds or the outcome levels are not ordered Found &gt; OutOfTurns ≥ NoValidGuess.</summary>
    public void Validate()
    {
        if (Range is < 2 or > 1_000_000) throw new ArgumentOutOfRangeException(nameof(Range), Range, "Range must be in 2..1000000");
        if (MaxTurns is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(MaxTurns), MaxTurns, "MaxTurns must be in 1..1000");
        if (!(Found > OutOfTurns && OutOfTurns >= NoValidGuess))
            throw new ArgumentException($"outcome levels must be ordered Found > OutOfTurns >= NoValidGuess; got {Found}, {OutOfTurns}, {NoValidGuess}");
    }
}

/// <summary>Number guessing (<c>guess</c>) with higher/lower feedback: immediate per-turn rewards plus a separate episode outcome, the setting of gated reward accumulation ("Stabilizing Long-term Multi-turn Reinforcement Learning with Gated Rewards", Sun et al. 2025). Actions are integers; observations are "g higher", "g lower", "g correct" or "invalid".</summary>
public sealed class GuessingEnvironment : IInstructedEnvironment, IExpertEnvironment
{
    private readonly GuessingOptions _o;
    private int _secret;
    private int _lo;
    private int _hi;
    private int _turn;
    private bool _anyValid;
    private bool _started;
    private bool _done;

    /// <summary>Creates the environment.</summary>
    /// <param name="options">Range, turns and reward levels; null uses <see cref="GuessingOptions"/>' defaults. Validated here.</param>
    public GuessingEnvironment(GuessingOptions? options = null)
    {
        _o = options ?? new GuessingOptions();
        _o.Validate();
    }

    /// <inheritdoc />
    public string Name => "guess";
    /// <inheritdoc />
    public string Alphabet => " -0123456789?acdeghilnortvw";
    /// <summary>The validated options.</summary>
    public GuessingOptions Options => _o;

    /// <inheritdoc />
    public string Instructions => string.Create(CultureInfo.InvariantCulture,
        $"Guess the secret whole number from 1 to {_o.Range}. Reply with one number only. After each guess you are told whether the secret is higher or lower.");

    /// <summary>The secret of the current episode (for tests and evaluation, never shown to the agent).</summary>
    public int Secret => _secret;

    /// <inheritdoc />
    public string Reset(int seed)
    {
        _secret = new Random(TaskRandom.Mix(seed, 0x6E55)).Next(1, _o.Range + 1);
        _lo = 1;
        _hi = _o.Range;
        _turn = 0;
        _anyValid = false;
        _started = true;
        _done = false;
        return string.Create(CultureInfo.InvariantCulture, $"1-{_o.Range}?");
    }

    /// <inheritdoc />
    public EnvironmentStep Step(string action)
    {
        if (!_started) throw new InvalidOperationException("call Reset(seed) before Step");
        if (_done) throw new InvalidOperationException("the episode is over; call Reset(seed) to start another");
        _turn++;
        var text = CompletionText.Normalize(action, 7, out _);
        string obs;
        double r;
        var found = false;
        if (text is null || !CompletionText.IsCanonicalInteger(text, 7, allowNegative: false))
        {
            obs = "invalid";
            r = _o.InvalidAction;
        }
        else
        {
            var g = int.Parse(text, CultureInfo.InvariantCulture);
            _anyValid = true;
            r = g >= _lo && g <= _hi ? _o.ConsistentGuess : _o.WastedGuess;
            if (g == _secret)
            {
                found = true;
                obs = $"{text} correct";
            }
            else if (g < _secret)
            {
                obs = $"{text} higher";
                _lo = Math.Max(_lo, g + 1);
            }
            else
            {
                obs = $"{text} lower";
                _hi = Math.Min(_hi, g - 1);
            }
        }
        _done = found || _turn >= _o.MaxTurns;
        double? outcome = !_done ? null : found ? _o.Found : _anyValid ? _o.OutOfTurns : _o.NoValidGuess;
        return new EnvironmentStep(obs, r, _done, outcome, new Dictionary<string, double> { ["step"] = r }, _done ? found : null);
    }

    /// <summary>Binary search over the interval still possible; a mistake is a valid guess one off the midpoint (or a wasted one).</summary>
    public string Demonstrate(double errorRate, Random random)
    {
        if (!(errorRate >= 0 && errorRate <= 1)) throw new ArgumentOutOfRangeException(nameof(errorRate), errorRate, "errorRate must be in [0, 1]");
        var mid = _lo + (_hi - _lo) / 2;
        if (errorRate > 0 && random.Chance(errorRate))
        {
            var off = Math.Clamp(mid + (random.Chance(0.5) ? 1 : -1) * random.Next(1, 4), 1, _o.Range);
            return off.ToString(CultureInfo.InvariantCulture);
        }
        return mid.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The binary search's guess at the current state (<see cref="Demonstrate"/> without mistakes).</summary>
    public string ExpertAction() => Demonstrate(0, new Random(0));

    /// <summary>True for a canonical non-negative integer of at most 7 characters, as <see cref="Step"/> parses a guess.</summary>
    public bool IsWellFormed(string action) => Guess(action) is not null;

    /// <summary>True when both are the same guess.</summary>
    public bool SameAction(string action, string expertAction) => Guess(action) is { } a && a == Guess(expertAction);

    private static string? Guess(string? action) =>
        CompletionText.Normalize(action, 7, out _) is { } text && CompletionText.IsCanonicalInteger(text, 7, allowNegative: false) ? text : null;
}
