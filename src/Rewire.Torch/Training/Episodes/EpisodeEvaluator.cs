using Rewire.Core.Rewards;
using Rewire.Tasks.Environments;
using Rewire.Torch.Generation;
using Rewire.Torch.Models;
using Rewire.Torch.Tokenizers;
using TorchSharp;

namespace Rewire.Torch.Training;

/// <summary>
/// Held-out evaluation of an agent: episodes from each held-out start state. "Accuracy" is the success rate over
/// <c>eval.samples</c> episodes per start state at the rollout temperature, the greedy figure one greedy episode each,
/// pass@k the unbiased chance that one of k episodes succeeds, and the mean length the mean number of turns.
/// </summary>
public static class EpisodeEvaluator
{
    /// <summary>Evaluates <paramref name="policy"/> on <paramref name="starts"/>; <paramref name="format"/> is how the context grows
    /// (null: the character layout of <paramref name="template"/>; <see cref="ChatEpisodeFormat"/> for a chat model).</summary>
    public static EvalResult Evaluate(IPolicy policy, ITokenizer tokenizer, PromptTemplate template, EnvironmentTask task, EnvOptions env,
        IReadOnlyList<Prompt> starts, GenerationOptions sampling, int samples, int k, long seed, IEpisodeFormat? format = null)
    {
        if (k > samples) throw new ArgumentException($"pass@{k} needs at least {k} samples per prompt, got {samples}");
        var runner = new EpisodeRunner(policy, tokenizer, template, task, sampling, env, env.Guard(), format);
        IReadOnlyList<Episode> sampled, greedy;
        using (var g = new torch.Generator((ulong)seed)) sampled = runner.Run(starts, samples, g);
        using (var g = new torch.Generator((ulong)seed)) greedy = runner.Run(starts, 1, g, greedy: true);
        var successes = new int[starts.Count];
        for (int i = 0; i < sampled.Count; i++) if (sampled[i].Success) successes[i / samples]++;
        return new EvalResult(starts.Count, samples, k,
            successes.Sum() / (double)(starts.Count * samples),
            greedy.Count(e => e.Success) / (double)starts.Count,
            successes.Average(c => Evaluator.PassAtK(samples, c, k)),
            sampled.Average(e => (double)e.Turns.Count));
    }
}
