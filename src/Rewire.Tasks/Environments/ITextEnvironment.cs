namespace Rewire.Tasks.Environments;

/// <summary>The result of one action in a text environment.</summary>
/// <param name="Observation">What the agent sees next.</param>
/// <param name="Reward">The immediate (per-turn, low-level) reward of this action.</param>
/// <param name="Done">True when the episode is over; further steps are an error until the next reset.</param>
/// <param name="Outcome">The long-term (episode-level, high-level) outcome reward; set on the final step, null before.</param>
/// <param name="Components">Named parts of this step's reward, for logging.</param>
/// <param name="Success">On the final step: whether the episode reached its goal (an agent's success rate counts these);
/// null: success is <c>Outcome &gt; 0</c>.</param>
public sealed record EnvironmentStep(
    string Observation,
    double Reward,
    bool Done,
    double? Outcome = null,
    IReadOnlyDictionary<string, double>? Components = null,
    bool? Success = null);

/// <summary>
/// A multi-turn text environment: <see cref="Reset"/> starts a seeded episode, <see cref="Step"/> takes the agent's action text
/// (untrusted: malformed text is an invalid action, never an exception). Immediate rewards and the episode outcome are kept
/// apart so a trainer can combine them (for example with gated reward accumulation [R03]).
/// </summary>
public interface ITextEnvironment
{
    /// <summary>The registry name.</summary>
    string Name { get; }

    /// <summary>Every character observations and demonstrated actions can contain.</summary>
    string Alphabet { get; }

    /// <summary>Starts a new episode; the same seed gives the same episode. Returns the first observation.</summary>
    string Reset(int seed);

    /// <summary>Applies one action. Throws <see cref="InvalidOperationException"/> only when called before reset or after the episode ended.</summary>
    EnvironmentStep Step(string action);

    /// <summary>The action a scripted expert takes now; with probability <paramref name="errorRate"/> a plausible mistake instead.</summary>
    string Demonstrate(double errorRate, Random random);
}
