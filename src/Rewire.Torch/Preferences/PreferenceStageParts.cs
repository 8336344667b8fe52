// What the two preference stages share: the supervised warm start of the policy on the task's (imperfect)
// demonstrations, exactly as the RL trainer warms up; seeded mini-batches of pairs; and the summed log-probabilities of
// both sides of a batch of pairs under a policy.
using Rewire.Core.Sampling;
using Rewire.Torch.Models;
using Rewire.Torch.Training;
using static TorchSharp.torch;

namespace Rewire.Torch.Preferences;

/// <summary>Shared parts of the preference stages (see the file header).</summary>
internal static class PreferenceStageParts
{
    /// <summary>Stream ids of the preference stages' random draws, beside the RL trainer's.</summary>
    public const ulong BatchStream = 101, EvalStream = 102, ProxyStream = 107;

    /// <summary>
    /// The RL trainer's supervised warm start, on <paramref name="session"/>'s training prompts. With a
    /// <paramref name="proxy"/> and a <paramref name="proxyShare"/> above 0, that share of the demonstrations carries the
    /// proxy (drawn from a stream of its own, so the demonstrations are otherwise the same), and the warm-started policy
    /// writes the proxy sometimes: a reward-hacking experiment then has a feature the policy can learn to write more.
    /// </summary>
    public static void WarmStart(PolicySession session, ITrainingObserver observer, CancellationToken cancel,
        Rewire.Tasks.Preferences.ProxyFeature? proxy = null, double proxyShare = 0)
    {
        var o = session.Options;
        if (o.Sft.Steps == 0) return;
        var rng = new Random((int)(TrainingComponents.Derive(o.Run.Seed, TrainingComponents.Streams.Demonstrations) & 0x7fffffff));
        var proxyRng = new Random((int)(TrainingComponents.Derive(o.Run.Seed, ProxyStream) & 0x7fffffff));
        var demos = session.TrainPool.Select(p =>
        {
            var text = session.Task.Demonstrate(p, o.Task.DemoErrorRate, rng);
            if (proxy is not null && proxyShare > 0 && proxyRng.NextDouble() < proxyShare) text = proxy.Apply(text);
            var (prompt, response) = session.Template.EncodeDemonstration(p, text, session.Tokenizer);
            return new Demonstration(prompt, response);
        }).ToArray();
        string withProxy = proxy is not null && proxyShare > 0 ? FormattableString.Invariant($", {proxyShare:0.##} of them with the {proxy.Name} proxy") : "";
        observer.Stage("sft", $"{o.Sft.Steps} steps on {demos.Length} demonstrations (error rate {o.Task.DemoErrorRate:0.##}{withProxy})");
        using var optimizer = new AdamW(session.Policy.Parameters(), beta2: 0.99);
        SftTrainer.Train(session.Policy, optimizer, demos, o.Sft.Steps, o.Sft.BatchSize, o.Sft.LearningRate, session.Tokenizer.PadId,
            TrainingComponents.Derive(o.Run.Seed, TrainingComponents.Streams.Sft), (s, loss) => observer.SftStep(s + 1, o.Sft.Steps, loss), cancel);
    }

    /// <summary>An endless seeded sequence of mini-batches (each pair once per pass, passes reshuffled).</summary>
    public static IEnumerable<TokenizedPair[]> Batches(IReadOnlyList<TokenizedPair> pairs, int batchSize, int seed)
    {
        var rng = new Xoshiro256StarStar(TrainingComponents.Derive(seed, BatchStream));
        var order = Enumerable.Range(0, pairs.Count).ToArray();
        int cursor = order.Length;
        while (true)
        {
            var batch = new TokenizedPair[Math.Min(batchSize, pairs.Count)];
            for (int i = 0; i < batch.Length; i++)
            {
                if (cursor == order.Length)
                {
                    for (int k = order.Length - 1; k > 0; k--)
                    {
                        int j = rng.NextInt(k + 1);
                        (order[k], order[j]) = (order[j], order[k]);
                    }
                    cursor = 0;
                }
                batch[i] = pairs[order[cursor++]];
            }
            yield return batch;
        }
    }

    /// <summary>Summed log π(y|x) [B] of the chosen and of the rejected sides (one scoring pass over 2B rows).</summary>
    public static (Tensor Chosen, Tensor Rejected) SequenceLogProbs(IPolicy policy, IReadOnlyList<TokenizedPair> batch, int padId, bool withGradient)
    {
        var prompts = batch.Select(p => (IReadOnlyList<int>)p.Prompt).Concat(batch.Select(p => (IReadOnlyList<int>)p.Prompt)).ToArray();
        var responses = batch.Select(p => (IReadOnlyList<int>)p.Chosen).Concat(batch.Select(p => (IReadOnlyList<int>)p.Rejected)).ToArray();
        using var grad = withGradient ? null : no_grad();
        var scored = policy.Score(prompts, responses, new Generation.ScoreOptions(WithGradient: withGradient, PadId: padId));
        var sums = (scored.LogProbs * scored.Mask).sum(1).to(ScalarType.Float64);
        int b = batch.Count;
        return (sums.narrow(0, 0, b), sums.narrow(0, b, b));
    }

    /// <summary>Linear warm-up of the learning rate over the first 20 steps.</summary>
    public static double WarmUp(double rate, int step) => rate * Math.Min(1.0, (step + 1) / 20.0);
}
