// Supervised warm start: next-token cross-entropy on demonstrations, counted on response tokens only
// (the prompt is context, not target). One AdamW step per mini-batch; batches are drawn with a seeded shuffle.
using Rewire.Core.Sampling;
using Rewire.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Training;

/// <summary>One demonstration: prompt tokens and the response tokens (ending in eos) the policy should produce.</summary>
/// <param name="Prompt">The prompt token ids (context, never trained).</param>
/// <param name="Response">The response token ids the policy should produce, ending in eos.</param>
/// <param name="Mask">Per response token, 1 to train on it, 0 to keep it as context only (an episode's observations); null: all 1.</param>
public sealed record Demonstration(int[] Prompt, int[] Response, float[]? Mask = null);

/// <summary>The supervised warm start: next-token cross-entropy on the response tokens of demonstrations.</summary>
public static class SftTrainer
{
    /// <summary>Trains <paramref name="policy"/> for <paramref name="steps"/> updates; returns the loss of each step.</summary>
    public static List<double> Train(IPolicy policy, AdamW optimizer, IReadOnlyList<Demonstration> data, int steps, int batchSize,
        double learningRate, int padId, ulong seed, Action<int, double>? onStep = null, CancellationToken cancel = default)
    {
        if (data.Count == 0) throw new ArgumentException("the supervised warm start needs at least one demonstration", nameof(data));
        var rng = new Xoshiro256StarStar(seed);
        var order = Enumerable.Range(0, data.Count).ToArray();
        int cursor = order.Length;
        var losses = new List<double>(steps);
        for (int step = 0; step < steps && !cancel.IsCancellationRequested; step++)
        {
            var batch = new List<Demonstration>(batchSize);
            while (batch.Count < batchSize)
            {
                if (cursor == order.Length) { Shuffle(order, rng); cursor = 0; }
                batch.Add(data[order[cursor++]]);
            }
            using var scope = NewDisposeScope();
            var (input, target, mask) = Pack(batch, padId);
            optimizer.ZeroGrad();
            var logits = policy.Forward(input);
            var logp = nn.functional.log_softmax(logits, -1);
            var tokenLogp = logp.gather(-1, target.unsqueeze(-1)).squeeze(-1);
            var loss = -(tokenLogp * mask).sum() / mask.sum().clamp_min(1);
            loss.backward();
            optimizer.ClipGradNorm(1.0);
            double warm = Math.Min(1.0, (step + 1) / 20.0);
            optimizer.Step(learningRate * warm);
            double value = loss.item<float>();
            losses.Add(value);
            onStep?.Invoke(step, value);
        }
        return losses;
    }

    /// <summary>Right-padded inputs [B, T−1], next-token targets [B, T−1] and a mask that is 1 on response targets (times the demonstration's own mask).</summary>
    public static (Tensor Input, Tensor Target, Tensor Mask) Pack(IReadOnlyList<Demonstration> batch, int padId)
    {
        int t = batch.Max(d => d.Prompt.Length + d.Response.Length);
        var tokens = new long[batch.Count * t];
        var mask = new float[batch.Count * (t - 1)];
        for (int i = 0; i < batch.Count; i++)
        {
            var d = batch[i];
            int at = i * t;
            for (int j = 0; j < t; j++) tokens[at + j] = padId;
            for (int j = 0; j < d.Prompt.Length; j++) tokens[at + j] = d.Prompt[j];
            for (int j = 0; j < d.Response.Length; j++) tokens[at + d.Prompt.Length + j] = d.Response[j];
            // target position p predicts token p+1; response tokens start at index Prompt.Length
            for (int j = 0; j < d.Response.Length; j++) mask[i * (t - 1) + d.Prompt.Length - 1 + j] = d.Mask is { } m ? m[j] : 1f;
        }
        var all = tensor(tokens, [batch.Count, t]);
        return (all[.., ..(t - 1)], all[.., 1..], tensor(mask, [batch.Count, t - 1]));
    }

    private static void Shuffle(int[] a, Xoshiro256StarStar rng)
    {
        for (int i = a.Length - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (a[i], a[j]) = (a[j], a[i]);
        }
    }
}
