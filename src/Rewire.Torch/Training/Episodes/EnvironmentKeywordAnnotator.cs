// The offline annotator of ONI in `rewire train` (reward.annotator=rules): keyword rules on the text environments' event
// messages (the observation text of each step), standing in for the language model of "Online Intrinsic Rewards for
// Decision Making Agents from Large Language Model Feedback" (ONI), which is asked whether a game message is helpful
// progress toward the task. RECONSTRUCTED: the paper's annotator is Llama-3.1-8B-Instruct on NetHack messages; these
// rules are written for this project's environments, one rule set each, and label 1 a message that reports progress
// (a sub-goal reached, or information the task needs gained), 0 otherwise (an error, an invalid action, a bump, a wrong
// answer). reward.annotator=chat asks a real model (ChatAnnotator) instead.
//
//   maze    1: "goal"; a cell view "EXITS:DIR" where an open exit points toward the goal (an exit letter is one of DIR's)
//           0: a bump "#..." or an invalid move "!...", a cell with no exit toward the goal (a detour)
//   guess   1: "N correct", "N higher", "N lower" (a valid guess that narrows the secret down)
//           0: "invalid"
//   search  1: "correct", "results: ...", a document "dN: ...", "kept", the lookup tool's documents
//           0: "wrong", "no results", "dropped", "invalid: ...", "error: ...", anything ending in "out of turns"
//   calc    1: "correct", the calculator's value (a number)
//           0: "wrong", "error: ..."
//   repair  1: "pass", the python tool's output (what the program printed)
//           0: "fail K/T: ...", "error: ...", an empty output
using System.Globalization;
using Rewire.Classic.RewardDesign;

namespace Rewire.Torch.Training;

/// <summary>
/// ONI's offline annotator for the text environments of <c>rewire train</c>: per-environment keyword rules that say
/// whether an event message reports progress (1) or not (0); see the file header for the rules.
/// </summary>
public sealed class EnvironmentKeywordAnnotator : IAnnotator
{
    private readonly Func<string, double> _rule;
    private long _queries;

    private EnvironmentKeywordAnnotator(string environment, Func<string, double> rule)
    {
        Environment = environment;
        _rule = rule;
    }

    /// <summary>The environments that have keyword rules.</summary>
    public static IReadOnlyList<string> Environments { get; } = ["calc", "guess", "maze", "repair", "search"];

    /// <summary>The rules of <paramref name="environment"/>, or null when it has none (then only reward.annotator=chat labels its messages).</summary>
    public static EnvironmentKeywordAnnotator? For(string environment) => environment switch
    {
        "maze" => new(environment, Maze),
        "guess" => new(environment, Guess),
        "search" => new(environment, Search),
        "calc" => new(environment, Calc),
        "repair" => new(environment, Repair),
        _ => null,
    };

    /// <summary>The task description an annotator is given for <paramref name="environment"/> (the paper's task prompt).</summary>
    public static string TaskOf(string environment) => environment switch
    {
        "maze" => "Reach the goal of a maze. The agent sees only its cell's open exits and the goal's compass direction (\"nes:se\": exits n, e, s; goal to the south-east) and moves n, e, s or w.",
        "guess" => "Find a secret number with as few guesses as possible; each guess is answered \"higher\", \"lower\" or \"correct\".",
        "search" => "Answer a question about a knowledge base by searching it, reading documents, judging them and answering.",
        "calc" => "Answer a multiplication exactly, using a calculator tool.",
        "repair" => "Fix a one-line bug in a Python function so that its unit tests pass.",
        _ => $"Reach the goal of the text environment '{environment}'.",
    };

    /// <summary>The environment whose rules these are.</summary>
    public string Environment { get; }

    /// <summary>The offline annotator's name, <c>rules</c>.</summary>
    public string Name => "rules";

    /// <summary>Messages labelled so far.</summary>
    public long Queries => Interlocked.Read(ref _queries);

    /// <summary>Always 0: the rules never fail.</summary>
    public long Failures => 0;

    /// <summary>1 when <paramref name="message"/> reports progress under the environment's rules, 0 otherwise.</summary>
    public double? Label(string task, string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Interlocked.Increment(ref _queries);
        return _rule(message.Trim());
    }

    /// <summary>The single sub-goal "reach the goal" (the keyword rules answer ONI's question only).</summary>
    public IReadOnlyList<string> Subgoals(string task) => ["reach the goal"];

    /// <summary>0 (the goal) when the message is labelled helpful, otherwise null.</summary>
    public int? Achieved(string task, IReadOnlyList<string> subgoals, string message) => Label(task, message) > 0 ? 0 : null;

    private static double Maze(string m)
    {
        if (m == "goal") return 1;
        if (m.Length == 0 || m[0] is '#' or '!') return 0;
        int colon = m.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0) return 0;
        string exits = m[..colon], toward = m[(colon + 1)..];
        return exits.Any(toward.Contains) ? 1 : 0;
    }

    private static double Guess(string m) =>
        m.EndsWith(" correct", StringComparison.Ordinal) || m.EndsWith(" higher", StringComparison.Ordinal) || m.EndsWith(" lower", StringComparison.Ordinal) ? 1 : 0;

    private static double Search(string m)
    {
        if (m.EndsWith("out of turns", StringComparison.Ordinal)) return 0;
        if (m is "correct" or "kept") return 1;
        if (m.StartsWith("results:", StringComparison.Ordinal)) return 1;
        // A document, or the lookup tool's documents (one per line): "d7: zoka city pelu".
        return IsDocument(m) ? 1 : 0;
    }

    private static bool IsDocument(string m)
    {
        int colon = m.IndexOf(':', StringComparison.Ordinal);
        return colon > 1 && m[0] == 'd' && int.TryParse(m.AsSpan(1, colon - 1), NumberStyles.None, CultureInfo.InvariantCulture, out _);
    }

    private static double Calc(string m) =>
        m == "correct" || decimal.TryParse(m, NumberStyles.Number, CultureInfo.InvariantCulture, out _) ? 1 : 0;

    private static double Repair(string m)
    {
        if (m == "pass") return 1;
        if (m.Length == 0 || m.StartsWith("fail ", StringComparison.Ordinal) || m.StartsWith("error", StringComparison.Ordinal)) return 0;
        // The python tool's output: what the program printed (an observation of the code's behaviour).
        return 1;
    }
}
