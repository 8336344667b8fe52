// Which rollout-batch columns `rewire train` fills, and under which configuration. Validation (TrainConfiguration)
// refuses a technique that reads a column nothing provides, before any work, naming the technique, the column and what
// would provide it; `rewire list` shows only techniques whose columns some configuration of the trainer provides.
using Rewire.Core.Techniques;
using Rewire.Tasks;

namespace Rewire.Torch.Training;

/// <summary>The columns the trainer provides, and what provides each one.</summary>
public static class TrainingColumns
{
    /// <summary>Filled on every step by the rollout, reward and group stages.</summary>
    public static readonly IReadOnlySet<string> Always = new HashSet<string>(StringComparer.Ordinal)
    {
        BatchColumns.TokenIds, BatchColumns.ResponseMask, BatchColumns.GroupIds, BatchColumns.PromptIds, BatchColumns.OldLogProbs,
        BatchColumns.Entropies, BatchColumns.RewardComponents, BatchColumns.Correct, BatchColumns.PassRate, BatchColumns.Difficulty,
        BatchColumns.Lengths, BatchColumns.Truncated,
        // Scored by the frozen reference policy (the warm-start checkpoint) when a technique reads them:
        BatchColumns.RefLogProbs, BatchColumns.ReferenceRewards,
        // From the critic, which the trainer builds when a technique reads values (GAE):
        BatchColumns.Values,
        // ReMax's greedy response per prompt, and Σπ² of π_old per token, computed when a technique reads them:
        BatchColumns.BaselineRewards, BatchColumns.SumPiSquared,
    };

    /// <summary>Filled only under some configurations (see <see cref="Hint"/>).</summary>
    public static readonly IReadOnlySet<string> Conditional = new HashSet<string>(StringComparer.Ordinal)
    {
        BatchColumns.TestOutcomes, BatchColumns.DifficultyLevels,
        // Episodes of a multi-turn environment (rl.environment):
        BatchColumns.StepRewards, BatchColumns.TurnBoundaries, BatchColumns.StepComponents,
        // ONI's intrinsic rewards: the annotator's labels of the episodes' event messages (reward.shaping=oni with rl.environment):
        BatchColumns.IntrinsicRewards,
        // PRIME's implicit PRM (rl.estimator=prime, the small GPT, single-turn completions):
        BatchColumns.ProcessRewards,
        // IRCoCo's evaluator (rl.estimator=ircoco, the small GPT, single-turn completions of the programs task):
        BatchColumns.ImmediateRewards,
    };

    /// <summary>Columns that only the named techniques' own machinery provides (a technique not named here that reads them is not runnable).</summary>
    private static readonly IReadOnlyDictionary<string, string[]> ProvidedOnlyFor = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        // The implicit PRM trained by PRIME's cross-entropy on outcome labels. OPRL's learned step reward (trajectory DPO
        // against π_old) reaches `oprl` through the step-reward layout of the episodes, not through this column.
        [BatchColumns.ProcessRewards] = ["prime"],
        // The label table of ONI's annotation stage (OniAnnotation), built for the oni shaper.
        [BatchColumns.IntrinsicRewards] = ["oni"],
        // IRCoCo's evaluator, trained online to predict the completion metric of each prefix.
        [BatchColumns.ImmediateRewards] = ["ircoco"],
    };

    /// <summary>Columns of single-turn completions that episodes do not fill (a greedy episode per start state, reference episodes).</summary>
    private static readonly IReadOnlySet<string> SingleTurnOnly = new HashSet<string>(StringComparer.Ordinal)
    {
        BatchColumns.BaselineRewards, BatchColumns.ReferenceRewards,
    };

    /// <summary>Every column some configuration provides (what `rewire list` lists techniques by).</summary>
    public static bool Providable(string column) => Always.Contains(column) || Conditional.Contains(column);

    /// <summary>True when some configuration provides <paramref name="column"/> to the technique <paramref name="technique"/>.</summary>
    public static bool Providable(string column, string technique) =>
        Providable(column) && (!ProvidedOnlyFor.TryGetValue(column, out var only) || only.Contains(technique, StringComparer.Ordinal));

    /// <summary>The columns this configuration provides.</summary>
    public static IReadOnlySet<string> Provided(ITask task, TrainOptions o)
    {
        var set = new HashSet<string>(Always, StringComparer.Ordinal);
        if (EpisodeSettings.Multiturn(o))
        {
            set.ExceptWith(SingleTurnOnly);
            set.Add(BatchColumns.StepRewards);
            set.Add(BatchColumns.TurnBoundaries);
            set.Add(BatchColumns.StepComponents);
            set.Add(BatchColumns.IntrinsicRewards);
            return set;
        }
        if (TestComponents(task, o).Count > 0) set.Add(BatchColumns.TestOutcomes);
        if (o.Rl.Estimator == "prime" && !o.Model.IsHuggingFace) set.Add(BatchColumns.ProcessRewards);
        if (o.Rl.Estimator == "ircoco" && !o.Model.IsHuggingFace && o.Rl.Environment.Length == 0) set.Add(BatchColumns.ImmediateRewards);
        if (o.Task.MinDifficulty > 0 && o.Task.MinDifficulty < o.Task.Difficulty) set.Add(BatchColumns.DifficultyLevels);
        return set;
    }

    /// <summary>What would provide <paramref name="column"/>, for the refusal message.</summary>
    public static string Hint(string column) => column switch
    {
        BatchColumns.TestOutcomes => "per-test outcomes come from a task whose verifier runs unit tests: set task.name=programs",
        BatchColumns.DifficultyLevels => "the pool has one difficulty level: set task.min_difficulty below task.difficulty (e.g. task.difficulty=3 task.min_difficulty=1)",
        BatchColumns.StepRewards or BatchColumns.TurnBoundaries or BatchColumns.StepComponents => "step rewards and turn boundaries come from the episodes of a multi-turn environment: set rl.environment=NAME (guess, search, maze)",
        BatchColumns.BaselineRewards or BatchColumns.ReferenceRewards => "it is computed for single-turn completions only, not for the episodes of rl.environment: drop rl.environment or choose another technique",
        BatchColumns.Potentials => "no environment of rewire train gives state potentials Φ(s) yet",
        BatchColumns.IntrinsicRewards => "intrinsic rewards are an annotator's labels of the event messages of a multi-turn environment's episodes: set rl.environment=NAME (maze, guess, search, calc, repair) without env.open_loop",
        BatchColumns.ProcessRewards => "process rewards come from PRIME's implicit PRM, which rewire train trains only under rl.estimator=prime, on single-turn completions of the small GPT (OPRL's learned step rewards come with rl.estimator=oprl and rl.environment)",
        BatchColumns.ImmediateRewards => "immediate rewards come from IRCoCo's evaluator, which rewire train trains only under rl.estimator=ircoco, on single-turn code completions (no rl.environment) of the small GPT (no model.path)",
        BatchColumns.PreferenceMargins => "MM-RLHF's dynamic β scales a preference pair by its reward margin, and RL rollouts are not pairs: use the MM-DPO objective, rewire train stage=dpo dpo.objective=mm_dpo",
        _ => "no stage of rewire train provides it",
    };

    /// <summary>Test-outcome component names ("test_0", "test_1", ...) of a task's verifier, in test order.</summary>
    public static IReadOnlyList<string> TestComponents(ITask task, TrainOptions o) =>
        TrainSettingsChecks.VerifierComponents(task, o).Where(IsTest)
            .OrderBy(k => int.Parse(k.AsSpan(5), System.Globalization.CultureInfo.InvariantCulture)).ToList();

    private static bool IsTest(string key) => key.StartsWith("test_", StringComparison.Ordinal) && key.Length > 5 && key[5..].All(char.IsAsciiDigit);
}
