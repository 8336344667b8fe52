// Writing-Zero's pairwise generative reward model on the small GPT: a copy of the warm-started policy's network trained
// to read (prompt, response A, response B) and write its verdict (JudgeFormat). A verdict is the judge's greedy first
// written token, parsed by VerdictText: anything but "1" or "2" (eos, another character) is a malformed verdict, counted
// by whoever asked, never fatal. A trained judge is saved in a run's judge/ folder beside a marker (judge.json: kind
// "judge", name, task, alphabet) that `reward.judge=RUN` checks before loading anything. As a reward component it judges
// in batches of 64 readings under one lock (a TorchSharp module is used by one thread at a time), without gradient.
using System.Text.Json.Nodes;
using Rewire.Core.Configuration;
using Rewire.Core.Rewards;
using Rewire.Core.Rewards.Judges;
using Rewire.Core.Runs;
using Rewire.Tasks;
using Rewire.Torch.Checkpoints;
using Rewire.Torch.Models;
using Rewire.Torch.Tokenizers;
using static TorchSharp.torch;

namespace Rewire.Torch.Preferences;

/// <summary>A pairwise generative judge over the small GPT (see the file header).</summary>
public sealed class GenerativeJudge : IPairwiseJudge, IDisposable
{
    /// <summary>The folder of a run that holds the judge.</summary>
    public const string Folder = "judge";

    /// <summary>The marker file: what the folder holds.</summary>
    public const string MarkerFile = "judge.json";

    /// <summary>The judge's registry name.</summary>
    public const string RegistryName = "genrm";

    private readonly TransformerPolicy _network;
    private readonly CharTokenizer _tokenizer;
    private readonly PromptTemplate _template = new();
    private readonly Lock _gate = new();
    private readonly bool _owns;
    private bool _disposed;

    /// <summary>A judge on <paramref name="network"/> for the task <paramref name="task"/>.</summary>
    /// <param name="network">The judge's network.</param>
    /// <param name="task">The task whose prompts it judges.</param>
    /// <param name="alphabet">The task's character alphabet.</param>
    /// <param name="ownsNetwork">Dispose <paramref name="network"/> with the judge (false: its owner disposes it).</param>
    public GenerativeJudge(TransformerPolicy network, string task, string alphabet, bool ownsNetwork = true)
    {
        _network = network ?? throw new ArgumentNullException(nameof(network));
        _owns = ownsNetwork;
        Task = task;
        Alphabet = alphabet;
        _tokenizer = new CharTokenizer(alphabet, UnknownCharHandling.Throw);
    }

    /// <inheritdoc/>
    public string Name => RegistryName;

    /// <summary>The task whose prompts it was trained on.</summary>
    public string Task { get; }

    /// <summary>The character alphabet of its tokenizer.</summary>
    public string Alphabet { get; }

    /// <summary>The judge's network (trained in place by stage=rm).</summary>
    public TransformerPolicy Network => _network;

    /// <summary>The verdicts of readings made by <see cref="JudgeFormat.Reading"/>, greedy, without gradient.</summary>
    public PairwiseVerdict[] Verdicts(IReadOnlyList<int[]> readings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(readings);
        var result = new PairwiseVerdict[readings.Count];
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            for (int at = 0; at < readings.Count; at += 64)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int n = Math.Min(64, readings.Count - at);
                using var scope = NewDisposeScope();
                var batch = readings.Skip(at).Take(n).Select(r => (IReadOnlyList<int>)r).ToArray();
                var next = _network.NextTokenLogits(batch, _tokenizer.PadId).argmax(-1).cpu().data<long>().ToArray();
                for (int i = 0; i < n; i++) result[at + i] = VerdictText.Parse(_tokenizer.Decode([(int)next[i]]));
            }
        }
        return result;
    }

    /// <inheritdoc/>
    public IReadOnlyList<PairwiseVerdict> Judge(IReadOnlyList<PairwiseQuery> queries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queries);
        var readings = new int[queries.Count][];
        for (int i = 0; i < queries.Count; i++)
        {
            var q = queries[i];
            readings[i] = JudgeFormat.Reading(_template.Encode(q.Prompt, _tokenizer), _tokenizer.Encode(q.First), _tokenizer.Encode(q.Second), _tokenizer.EosId, _tokenizer.BosId);
        }
        return Verdicts(readings, cancellationToken);
    }

    /// <summary>Writes <c>judge/</c> into <paramref name="runDirectory"/>: the network's checkpoint and the marker, each atomically.</summary>
    public void Save(string runDirectory, JsonObject facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        string dir = Path.Combine(runDirectory, Folder);
        PolicyCheckpoint.Save(_network, dir);
        var marker = new JsonObject { ["kind"] = "judge", ["name"] = Name, ["task"] = Task, ["alphabet"] = Alphabet };
        foreach (var (k, v) in facts) marker[k] = v?.DeepClone();
        AtomicFile.WriteAllText(Path.Combine(dir, MarkerFile), marker.ToJsonString());
    }

    /// <summary>
    /// A problem of <paramref name="run"/> as the judge of <paramref name="task"/> (no native code: the marker and the
    /// files' presence only), naming the file; null when it is one.
    /// </summary>
    public static string? Problem(string run, ITask task)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(task);
        string dir = DirectoryOf(run);
        string marker = Path.Combine(dir, MarkerFile);
        string Not(string file, string why) => $"'reward.judge' = '{run}' is not a judge: {file} {why}; give the folder of a `rewire train stage=rm rm.model=genrm` run (or reward.judge=oracle)";
        if (!File.Exists(marker)) return Not(marker, "does not exist");
        JsonNode? facts;
        try { facts = JsonNode.Parse(BoundedFile.ReadAllText(marker, "a judge's marker")); }
        catch (System.Text.Json.JsonException) { return Not(marker, "is not JSON"); }
        if (facts is not JsonObject o || o["kind"]?.ToString() != "judge") return Not(marker, "does not say kind \"judge\"");
        foreach (string file in new[] { PolicyCheckpoint.WeightsFile, PolicyCheckpoint.ConfigFile })
            if (!File.Exists(Path.Combine(dir, file))) return Not(Path.Combine(dir, file), "does not exist");
        if (o["alphabet"]?.ToString() != task.Alphabet)
            return $"'reward.judge' = '{run}': {marker} is a judge of the {o["task"]} task, whose characters differ from the {task.Name} task's; train a judge on {task.Name}";
        return null;
    }

    /// <summary>Loads the judge of <paramref name="run"/> for <paramref name="task"/>; a folder that is not one is a <see cref="ConfigurationException"/> naming the file.</summary>
    public static GenerativeJudge Load(string run, ITask task)
    {
        if (Problem(run, task) is { } problem) throw new ConfigurationException([problem]);
        string dir = DirectoryOf(run);
        TransformerPolicy network;
        try { network = PolicyCheckpoint.Load(dir); }
        catch (CheckpointException e) { throw new ConfigurationException([$"'reward.judge' = '{run}' is not a usable judge: {e.Message}"]); }
        foreach (var p in network.Parameters()) p.requires_grad = false;
        network.Model.eval();
        return new GenerativeJudge(network, task.Name, task.Alphabet);
    }

    private static string DirectoryOf(string run) =>
        Path.GetFileName(Path.TrimEndingDirectorySeparator(run)) == Folder ? run : Path.Combine(run, Folder);

    /// <inheritdoc/>
    public void Dispose()
    {
        // Under the gate: a call the reward pipeline stopped waiting for (its timeout) may still be running on its
        // thread; the network is freed only after that call has finished, and later calls fail (counted) instead of
        // reading freed native memory.
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            if (_owns) _network.Dispose();
        }
    }
}
