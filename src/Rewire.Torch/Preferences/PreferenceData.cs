// The pairs of a preference stage, tokenised and checked before any work: read from a file (every tenth record held
// out) or built inline from the task (training pairs on its training prompts, held-out pairs on its test prompts). Every
// problem names the file and the line: an unpaired file, a character the task's tokenizer does not know, a prompt and
// completion that do not fit the model's context.
using Rewire.Core.Configuration;
using Rewire.Core.Rewards;
using Rewire.Tasks;
using Rewire.Tasks.Preferences;
using Rewire.Torch.Tokenizers;

namespace Rewire.Torch.Preferences;

/// <summary>One pair as token ids (each side ends with eos), with the figures the file gave.</summary>
public sealed record TokenizedPair(int Id, int Line, int[] Prompt, int[] Chosen, int[] Rejected, PreferenceRecord Record);

/// <summary>A stage's training and held-out pairs (see the file header).</summary>
public sealed class PreferenceData
{
    private PreferenceData(string source, IReadOnlyList<PreferenceRecord> train, IReadOnlyList<PreferenceRecord> heldout)
    {
        Source = source;
        Train = train;
        Heldout = heldout;
    }

    /// <summary>The file, or "inline from TASK".</summary>
    public string Source { get; }

    /// <summary>The training records.</summary>
    public IReadOnlyList<PreferenceRecord> Train { get; }

    /// <summary>The held-out records.</summary>
    public IReadOnlyList<PreferenceRecord> Heldout { get; }

    /// <summary>The proxy of an inline set, or null.</summary>
    public ProxyFeature? Proxy { get; private init; }

    /// <summary>Reads or builds the pairs of <paramref name="o"/>; a bad file or setting is a <see cref="ConfigurationException"/>.</summary>
    public static PreferenceData Load(PreferenceTrainOptions o, ITask task)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(task);
        var proxy = ProxyFeature.Parse(o.Prefs.Proxy);
        if (o.Prefs.Path.Length > 0)
        {
            var train = new List<PreferenceRecord>();
            var heldout = new List<PreferenceRecord>();
            try
            {
                int i = 0;
                foreach (var r in PreferenceJsonlReader.Read(o.Prefs.Path))
                {
                    if (!r.IsPaired)
                        throw new ConfigurationException([$"'prefs.path' = '{o.Prefs.Path}': line {r.Line} is an unpaired record (completion/label); stage={o.Stage} trains on chosen/rejected pairs"]);
                    (i++ % 10 == 9 ? heldout : train).Add(r);
                }
            }
            catch (PreferenceFormatException e) { throw new ConfigurationException([$"'prefs.path': {e.Message}"]); }
            if (heldout.Count == 0)
                throw new ConfigurationException([$"'prefs.path' = '{o.Prefs.Path}' holds {train.Count} pairs; every tenth is held out, so give at least 10"]);
            return new PreferenceData(o.Prefs.Path, train, heldout) { Proxy = proxy };
        }
        var options = new PreferenceSetOptions(o.Prefs.Pairs, o.Run.Seed, o.Prefs.Noise, proxy, o.Prefs.ProxyStrength, o.Prefs.Scale, o.Task.Difficulty,
            Source: PreferenceSetBuilder.ParseSource(o.Prefs.Source) ?? PreferenceSource.Scripted, Quality: o.Prefs.Quality);
        if (PreferenceSetBuilder.Unfit(task, options) is { } unfit) throw new ConfigurationException([$"'task.name' = '{task.Name}': {unfit}"]);
        var trainSet = PreferenceSetBuilder.Build(task, options).ToArray();
        var heldoutSet = PreferenceSetBuilder.Build(task, options with { Pairs = o.Prefs.HeldoutPairs, Split = Split.Test }).ToArray();
        return new PreferenceData($"inline from the {task.Name} task ({o.Prefs.Source} completions)", trainSet, heldoutSet) { Proxy = proxy };
    }

    /// <summary>The longest prompt plus its longer side (with eos), in tokens; a character the tokenizer lacks is refused with the line.</summary>
    public int LongestPair(ITokenizer tokenizer, PromptTemplate template, string task) =>
        Train.Concat(Heldout).Max(r => Encode(r, 0, tokenizer, template, task) is var p ? p.Prompt.Length + Math.Max(p.Chosen.Length, p.Rejected.Length) : 0);

    /// <summary>The records as token ids; a pair longer than <paramref name="context"/> is refused with its line.</summary>
    public IReadOnlyList<TokenizedPair> Tokenize(IReadOnlyList<PreferenceRecord> records, ITokenizer tokenizer, PromptTemplate template, string task, int context)
    {
        ArgumentNullException.ThrowIfNull(records);
        var result = new TokenizedPair[records.Count];
        for (int i = 0; i < records.Count; i++)
        {
            var p = Encode(records[i], i, tokenizer, template, task);
            int need = p.Prompt.Length + Math.Max(p.Chosen.Length, p.Rejected.Length);
            if (need > context)
                throw new ConfigurationException([$"{Source}: line {records[i].Line}: the prompt and its longer completion take {need} tokens, more than 'model.context' = {context}; raise model.context (0 fits the data) or drop the record"]);
            result[i] = p;
        }
        return result;
    }

    private TokenizedPair Encode(PreferenceRecord r, int id, ITokenizer tokenizer, PromptTemplate template, string task)
    {
        try
        {
            var prompt = template.Encode(new Prompt($"line-{r.Line}", task, task, r.Prompt, null), tokenizer);
            return new TokenizedPair(id, r.Line, prompt, [.. tokenizer.Encode(r.Chosen!), tokenizer.EosId], [.. tokenizer.Encode(r.Rejected!), tokenizer.EosId], r);
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException([$"{Source}: line {r.Line}: the {task} task's tokenizer cannot encode the record ({e.Message}); the data must use the task's characters"]);
        }
    }
}
