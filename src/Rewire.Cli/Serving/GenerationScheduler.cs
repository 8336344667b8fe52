using System.Collections.Concurrent;
using Rewire.Torch.Generation;
using Rewire.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Cli.Serving;

/// <summary>One request's sequences to generate: its prompts (each already repeated n times), options and seed.</summary>
/// <param name="Seed">A request's seed: its sequences are generated in a batch of their own from a generator with this
/// seed, so the same request gives the same answer. Null: batched with other unseeded requests of the same options.</param>
/// <param name="TopLogprobs">How many most likely tokens (with log-probs) to return per generated position; 0 for none.</param>
internal sealed record GenerationJob(IReadOnlyList<IReadOnlyList<int>> Prompts, GenerationOptions Options, long? Seed, int TopLogprobs);

/// <summary>One generated sequence and, when asked for, the most likely tokens at each of its positions.</summary>
internal sealed record GeneratedChoice(GeneratedSequence Sequence, IReadOnlyList<(int Id, float LogProb)[]>? Top);

/// <summary>
/// The one thread that touches the model (it is not thread-safe, and TorchSharp's dispose scopes are per thread). HTTP
/// requests enqueue work; the loop takes the oldest, then every queued unseeded request with the same generation options
/// (up to <c>maxBatch</c> sequences in all), generates them as one left-padded batch and completes each request with its
/// own sequences. Weight updates are queued the same way, so they happen between batches, never during one.
/// </summary>
internal sealed class GenerationScheduler : IDisposable
{
    private abstract class Work;

    private sealed class Generate : Work
    {
        public required GenerationJob Job { get; init; }
        public TaskCompletionSource<IReadOnlyList<GeneratedChoice>> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Act : Work
    {
        public required Action<ServedModel> Action { get; init; }
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly BlockingCollection<Work> _queue = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ServedModel _model;
    private readonly int _maxBatch;
    private readonly long _seed;
    private readonly Thread _thread;

    public GenerationScheduler(ServedModel model, int maxBatch, long seed)
    {
        _model = model;
        _maxBatch = maxBatch;
        _seed = seed;
        _thread = new Thread(Loop) { IsBackground = true, Name = "rewire-serve-model" };
        _thread.Start();
    }

    /// <summary>Batches run so far and the sequences they held (the server's statistics).</summary>
    public long Batches { get; private set; }
    public long Sequences { get; private set; }

    public Task<IReadOnlyList<GeneratedChoice>> Enqueue(GenerationJob job)
    {
        var work = new Generate { Job = job };
        if (!TryAdd(work)) work.Done.SetException(new OperationCanceledException("the server is stopping"));
        return work.Done.Task;
    }

    /// <summary>Runs <paramref name="action"/> on the model thread between batches (weight updates).</summary>
    public Task Run(Action<ServedModel> action)
    {
        var work = new Act { Action = action };
        if (!TryAdd(work)) work.Done.SetException(new OperationCanceledException("the server is stopping"));
        return work.Done.Task;
    }

    private bool TryAdd(Work work)
    {
        try { return _queue.TryAdd(work); }
        catch (InvalidOperationException) { return false; } // adding completed: stopping
    }

    private sealed record BatchKey(int MaxNewTokens, double Temperature, double TopP, int TopK, bool Greedy, string Stops);

    private static BatchKey KeyOf(GenerationOptions o) => new(o.MaxNewTokens, o.Temperature, o.TopP, o.TopK, o.Greedy, string.Join(',', o.StopTokens));

    private void Loop()
    {
        using var shared = new Generator((ulong)_seed);
        var pending = new LinkedList<Work>();
        while (true)
        {
            Work first;
            if (pending.Count > 0) { first = pending.First!.Value; pending.RemoveFirst(); }
            else
            {
                try { first = _queue.Take(_stop.Token); }
                catch (OperationCanceledException) { break; }
                catch (InvalidOperationException) { break; }
            }
            if (first is Act act)
            {
                try { act.Action(_model); act.Done.SetResult(); }
                catch (Exception e) { act.Done.SetException(e); }
                continue;
            }
            var head = (Generate)first;
            var batch = new List<Generate> { head };
            if (head.Job.Seed is null)
            {
                // Everything already waiting joins when compatible; the rest keeps its order for the next rounds.
                while (_queue.TryTake(out var more)) pending.AddLast(more);
                var key = KeyOf(head.Job.Options);
                int size = head.Job.Prompts.Count;
                for (var node = pending.First; node is not null;)
                {
                    var next = node.Next;
                    if (node.Value is Act) break; // a weight update waits for nothing queued after it
                    if (node.Value is Generate { Job.Seed: null } g && KeyOf(g.Job.Options) == key && size + g.Job.Prompts.Count <= _maxBatch)
                    {
                        batch.Add(g);
                        size += g.Job.Prompts.Count;
                        pending.Remove(node);
                    }
                    node = next;
                }
            }
            RunBatch(batch, shared);
        }
        foreach (var w in pending.Concat(_queue))
        {
            if (w is Generate g) g.Done.TrySetException(new OperationCanceledException("the server stopped"));
            else if (w is Act a) a.Done.TrySetException(new OperationCanceledException("the server stopped"));
        }
    }

    private void RunBatch(List<Generate> batch, Generator shared)
    {
        try
        {
            var prompts = batch.SelectMany(g => g.Job.Prompts).ToArray();
            var options = batch[0].Job.Options;
            using var own = batch[0].Job.Seed is { } s ? new Generator(unchecked((ulong)s)) : null;
            var generator = own ?? shared;
            var sequences = new List<GeneratedSequence>(prompts.Length);
            for (int start = 0; start < prompts.Length; start += _maxBatch)
                sequences.AddRange(_model.Policy.Generate(prompts[start..Math.Min(prompts.Length, start + _maxBatch)], options, generator));
            Batches++;
            Sequences += sequences.Count;
            int offset = 0;
            foreach (var g in batch)
            {
                var mine = sequences.GetRange(offset, g.Job.Prompts.Count);
                offset += g.Job.Prompts.Count;
                try
                {
                    g.Done.SetResult(mine.Select(seq => new GeneratedChoice(seq, g.Job.TopLogprobs > 0 ? TopLogprobs(_model.Policy, seq, g.Job.TopLogprobs) : null)).ToArray());
                }
                catch (Exception e) { g.Done.TrySetException(e); }
            }
        }
        catch (Exception e)
        {
            foreach (var g in batch) g.Done.TrySetException(e);
        }
    }

    /// <summary>The <paramref name="k"/> most likely tokens and their log-probs (raw distribution, temperature 1) at each
    /// generated position: one causal pass over prompt + completion.</summary>
    private static (int Id, float LogProb)[][] TopLogprobs(IPolicy policy, GeneratedSequence s, int k)
    {
        if (s.Tokens.Length == 0) return [];
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long[] ids = [.. s.PromptTokens.Select(t => (long)t), .. s.Tokens.Select(t => (long)t)];
        var device = policy.Parameters().FirstOrDefault()?.device ?? CPU;
        var logits = policy.Forward(tensor(ids, [1, ids.Length], device: device));
        int p = s.PromptTokens.Length;
        var lp = logits[0].narrow(0, p - 1, s.Tokens.Length).to(ScalarType.Float32).log_softmax(-1);
        var (values, indices) = lp.topk(Math.Min(k, (int)lp.shape[1]), dim: -1);
        var v = values.cpu().data<float>().ToArray();
        var i = indices.cpu().data<long>().ToArray();
        int kk = (int)values.shape[1];
        var result = new (int, float)[s.Tokens.Length][];
        for (int t = 0; t < s.Tokens.Length; t++)
        {
            result[t] = new (int, float)[kk];
            for (int j = 0; j < kk; j++) result[t][j] = ((int)i[t * kk + j], v[t * kk + j]);
        }
        return result;
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        _stop.Cancel();
        _thread.Join();
        _queue.Dispose();
        _stop.Dispose();
    }
}
