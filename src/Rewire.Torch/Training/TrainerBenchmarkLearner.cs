using Rewire.Core.Configuration;
using Rewire.Core.Rewards;
using Rewire.Core.Runs;
using Rewire.Core.Sampling;
using Rewire.Core.Sampling.Harness;
using Rewire.Torch.Checkpoints;
using TorchSharp;

namespace Rewire.Torch.Training;

/// <summary>
/// The real trainer behind the sampler comparison harness (issue 8): a policy warm-started on the task mix, rolled out
/// and updated exactly as `rewire train` does, with held-out accuracy measured on a fixed evaluation set after each step.
/// The warm start is computed once per seed and shared by every sampler of that seed, so all samplers start from the
/// same policy.
/// </summary>
public sealed class TrainerBenchmarkLearner : ISamplerBenchmarkLearner, IDisposable
{
    private static readonly Dictionary<(string, ulong), string> WarmStarts = CreateCache();
    private readonly RlvrTrainer _trainer;
    private readonly string _dir;
    private readonly torch.Generator _generator;
    private RolloutCollector _collector;

    /// <param name="options">The training configuration (task, model, warm start, RL settings); its seed is replaced by <paramref name="seed"/>.</param>
    /// <param name="seed">The seed of this learner's run (also selects the shared warm start).</param>
    public TrainerBenchmarkLearner(TrainOptions options, ulong seed)
    {
        options.Run.Seed = (int)(seed % int.MaxValue);
        _dir = Directory.CreateTempSubdirectory("rewire-bench-samplers").FullName;
        _trainer = new RlvrTrainer(options, RunDirectory.Create(_dir, "bench", DateTimeOffset.UnixEpoch));
        var key = (OptionsBinder.Hash(options), seed);
        lock (WarmStarts)
        {
            if (!WarmStarts.TryGetValue(key, out string? weights))
            {
                _trainer.WarmStart();
                weights = Path.Combine(Directory.CreateTempSubdirectory("rewire-bench-warm").FullName, PolicyCheckpoint.WeightsFile);
                PolicyCheckpoint.Save(_trainer.Policy, Path.GetDirectoryName(weights)!);
                WarmStarts[key] = weights;
            }
            PolicyCheckpoint.LoadWeights(_trainer.Policy.Model, weights);
        }
        _generator = new torch.Generator(TrainingComponents.Derive((int)(seed % int.MaxValue), TrainingComponents.Streams.Generation));
        _collector = _trainer.NewCollector();
    }

    /// <inheritdoc />
    public string Kind => "trainer";

    /// <summary>The warm-start weights live in temporary folders until the process ends.</summary>
    private static Dictionary<(string, ulong), string> CreateCache()
    {
        var cache = new Dictionary<(string, ulong), string>();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            lock (cache)
                foreach (var weights in cache.Values)
                    try { Directory.Delete(Path.GetDirectoryName(weights)!, recursive: true); }
                    catch (IOException) { /* best effort: a temporary folder */ }
        };
        return cache;
    }

    /// <inheritdoc />
    public IReadOnlyList<Prompt> TrainPool => _trainer.TrainPool;

    /// <inheritdoc />
    public IReadOnlyList<GroupOutcome> Rollout(IReadOnlyList<Prompt> prompts) => _collector.Collect(prompts, _generator);

    /// <inheritdoc />
    public void Train(CollectedBatch batch)
    {
        _trainer.TrainOn(batch, _collector);
        _collector = _trainer.NewCollector();
    }

    /// <inheritdoc />
    public double HeldOutAccuracy() => _trainer.EvaluateNow("bench").Accuracy;

    /// <inheritdoc />
    public void Dispose()
    {
        _generator.Dispose();
        _trainer.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
