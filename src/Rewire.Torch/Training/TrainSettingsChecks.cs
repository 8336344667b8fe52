using Rewire.Core.Rewards;
using Rewire.Tasks;
using Rewire.Torch.Tokenizers;

namespace Rewire.Torch.Training;

/// <summary>
/// Checks of a <see cref="TrainOptions"/> that need more than one key's range: reward values the arithmetic can hold,
/// reward components the task's verifier really gives, and a model that fits in the machine's memory. Run with the name
/// checks, before any work starts.
/// </summary>
public static class TrainSettingsChecks
{
    /// <summary>The largest magnitude of a reward weight or failure value: sums of weighted rewards then stay finite.</summary>
    public const double MaxRewardMagnitude = 1e6;

    /// <summary>One message per problem; empty when the options can run. <paramref name="availableBytes"/> defaults to the machine's.</summary>
    public static IReadOnlyList<string> Check(TrainOptions o, ITask task, double? availableBytes = null)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(task);
        var errors = new List<string>();
        if (!double.IsFinite(o.Reward.FailureValue) || Math.Abs(o.Reward.FailureValue) > MaxRewardMagnitude)
            errors.Add($"'reward.failure_value' = {o.Reward.FailureValue} is out of range; give a finite number from {-MaxRewardMagnitude} to {MaxRewardMagnitude} (for example 0 or -1)");
        foreach (var (component, weight) in o.Reward.Weights)
            if (!double.IsFinite(weight) || Math.Abs(weight) > MaxRewardMagnitude)
                errors.Add($"'reward.weights.{component}' = {weight} is out of range; give a finite number from {-MaxRewardMagnitude} to {MaxRewardMagnitude}");
        if (o.Reward.Weights.Count > 0)
        {
            // reward.weights names the verifier's components and the functions of reward.functions.
            var known = new HashSet<string>(VerifierComponents(task, o).Concat(o.Reward.Functions), StringComparer.Ordinal);
            var unknown = o.Reward.Weights.Keys.Where(k => !known.Contains(k)).OrderBy(k => k, StringComparer.Ordinal).ToArray();
            foreach (var k in unknown)
                errors.Add($"'reward.weights.{k}' names no component of the {task.Name} task's verifier; its components are: {string.Join(", ", known.Order(StringComparer.Ordinal))}");
        }

        // Sequence length: one generated prompt, doubled for the template and longer prompts, plus the completion budget.
        if (o.Model.IsHuggingFace) return errors;   // the small GPT's estimate; `rewire doctor --model DIR` sizes a Hugging Face model
        var example = task.Generate(Split.Train, o.Run.Seed, 0, Math.Min(o.Task.Difficulty, task.MaxDifficulty));
        int sequence = 2 * example.Text.Length + 16 + EpisodeSettings.ResponseBudget(o);
        var estimate = ModelMemoryEstimate.For(o, new CharTokenizer(task.Alphabet).VocabSize, sequence);
        if (estimate.Refusal(availableBytes ?? ModelMemoryEstimate.AvailableBytes()) is { } refusal) errors.Add(refusal);
        return errors;
    }

    /// <summary>The component names the verifier gives, read from its grading of one generated example (its reference answer).</summary>
    public static IReadOnlySet<string> VerifierComponents(ITask task, TrainOptions o)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(o);
        var prompt = task.Generate(Split.Train, o.Run.Seed, 0, Math.Min(o.Task.Difficulty, task.MaxDifficulty));
        var result = task.Verifier.Score(new Rollout(prompt, prompt.Answer ?? ""));
        return result.Components.Keys.ToHashSet(StringComparer.Ordinal);
    }
}
