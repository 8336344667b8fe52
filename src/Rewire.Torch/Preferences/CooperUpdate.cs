// Cooper in `rewire train` (reward.model=RUN reward.model_update=cooper): the reward model that scores the rollouts is
// not frozen. After each policy step it takes one AdamW step of CooperLoss on the pairs CooperPairs builds from that
// step's rollouts (verified-correct positives, verified-wrong rewrites as negatives), so a policy that drifts towards
// what the reward model over-scores meets a reward model that has just been shown near-miss wrong answers. The update
// holds the reward component's lock, so no rollout is scored while the weights change. Its weights and AdamW moments
// are saved in every checkpoint.
using Rewire.Core.Rewards;
using Rewire.Core.Runs;
using Rewire.Tasks;
using Rewire.Tasks.Preferences;
using Rewire.Torch.Checkpoints;
using Rewire.Torch.Training;
using static TorchSharp.torch;

namespace Rewire.Torch.Preferences;

/// <summary>The co-training step of Cooper's reward model (see the file header).</summary>
internal sealed class CooperUpdate : IDisposable
{
    /// <summary>File name of the co-trained reward model's weights in a checkpoint folder.</summary>
    public const string WeightsFile = "cooper_reward_model.safetensors";
    /// <summary>File name of its optimiser state in a checkpoint folder.</summary>
    public const string OptimizerFile = "cooper_reward_model_optimizer.safetensors";

    private readonly RewardModelReward _reward;
    private readonly ITask _task;
    private readonly AdamW _optimizer;
    private readonly double _learningRate;
    private readonly int _seed;
    private readonly double _warmUp;

    /// <summary>
    /// Makes the reward model of <paramref name="reward"/> trainable and co-trains it at <paramref name="learningRate"/>,
    /// warmed up linearly over the first 1% of the run's <paramref name="policySteps"/> RL steps (the recipe's RM optimiser).
    /// </summary>
    public CooperUpdate(RewardModelReward reward, ITask task, double learningRate, int seed, int policySteps)
    {
        _warmUp = Math.Max(1.0, Math.Ceiling(0.01 * policySteps));
        _reward = reward;
        _task = task;
        _learningRate = learningRate;
        _seed = seed;
        reward.Model.MakeTrainable();
        _optimizer = new AdamW(reward.Model.Parameters(), beta2: 0.99);
    }

    /// <summary>Optimiser steps taken.</summary>
    public long OptimizerSteps => _optimizer.Steps;

    /// <summary>True when the verifier judges <paramref name="completion"/> of <paramref name="prompt"/> correct.</summary>
    private bool Verify(Prompt prompt, string completion) =>
        _task.Verifier.Score(new Rollout(prompt, completion, completion.Length, FinishReason.Stop, prompt.Id)).Correct == true;

    /// <summary>
    /// One update on the pairs of <paramref name="rows"/> (step <paramref name="step"/> seeds the rewrites). Metrics:
    /// cooper/pairs, cooper/invalid_prompts, and when there are pairs cooper/rm_loss and cooper/rm_accuracy (the share of
    /// pairs the reward model ranked right before the update).
    /// </summary>
    public Dictionary<string, double> Step(IReadOnlyList<RolloutRecord> rows, int step)
    {
        var random = new Random(unchecked(_seed * 1_000_003 + step));
        var pairs = CooperPairs.Build(rows.Select(r => (r.Prompt, r.Completion, r.Correct)), PreferenceSetBuilder.Scripted, Verify, random, out int invalid);
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal) { ["cooper/pairs"] = pairs.Count, ["cooper/invalid_prompts"] = invalid };
        if (pairs.Count == 0) return metrics;
        lock (_reward.Gate)
        {
            using var scope = NewDisposeScope();
            _optimizer.ZeroGrad();
            var tokenizer = _reward.Tokenizer;
            var prompts = pairs.Select(p => (IReadOnlyList<int>)_reward.Template.Encode(p.Prompt, tokenizer)).ToArray();
            IReadOnlyList<int> Response(string text) => [.. tokenizer.Encode(text), tokenizer.EosId];
            var scores = _reward.Model.Score([.. prompts, .. prompts], [.. pairs.Select(p => Response(p.Positive)), .. pairs.Select(p => Response(p.Negative))],
                tokenizer.PadId, withGradient: true).to(ScalarType.Float64);
            int n = pairs.Count;
            var positive = scores.narrow(0, 0, n);
            var negative = scores.narrow(0, n, n);
            var loss = CooperLoss.Compute(positive, negative, ones(n, dtype: ScalarType.Float64, device: scores.device));
            double value = loss.item<double>();
            metrics["cooper/rm_accuracy"] = (positive > negative).to(ScalarType.Float64).mean().item<double>();
            if (!double.IsFinite(value)) { _optimizer.ZeroGrad(); metrics["cooper/non_finite_skipped"] = 1; return metrics; }
            metrics["cooper/rm_loss"] = value;
            loss.backward();
            double norm = _optimizer.ClipGradNorm(1.0);
            if (!double.IsFinite(norm)) { _optimizer.ZeroGrad(); metrics["cooper/non_finite_skipped"] = 1; return metrics; }
            _optimizer.Step(_learningRate * Math.Min(1.0, (_optimizer.Steps + 1) / _warmUp));
        }
        return metrics;
    }

    /// <summary>Writes the reward model's weights and optimiser moments into a checkpoint folder being built.</summary>
    public void Save(string dir) => LearnerCheckpoint.Save(dir, _reward.Model.Module, _optimizer, WeightsFile, OptimizerFile);

    /// <summary>Restores what <see cref="Save"/> wrote; a missing or mismatched file is named.</summary>
    public void Load(string dir, long optimizerSteps) =>
        LearnerCheckpoint.Load(dir, _reward.Model.Module, _optimizer, WeightsFile, OptimizerFile, optimizerSteps, "Cooper reward model");

    /// <inheritdoc />
    public void Dispose() => _optimizer.Dispose();
}
