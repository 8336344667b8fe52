// Environment "search": search-and-answer over a generated knowledge base with search, read, judge and answer actions, the
// setting of ReSeek [R10], "ReSeek: A Self-Correcting Framework for Search Agents with Instructive Rewards" (Li et al., 2025).
// Knowledge base: fictional entities (contamination-free, as in FictionalHot), one document per (entity, relation):
// "d7: zoka city pelu". Question "zoka city?", answer the value ("pelu").
// Actions: "search <terms>" -> the ids of the best-matching documents (term overlap, top SearchResults);
//          "read <id>"      -> the document; it becomes the pending observation o_t;
//          "judge good|bad" -> judges o_t. R_judge = +Alpha if j_t = j*_t else -Alpha, j*_t = good iff relevance(o_t) >= Tau,
//                              relevance = share of the question's terms (entity, relation) found in the document.
//                              Context assembly: C_t = τ_{t-1} ⊕ 1[j_t = good]·o_t (a judged-bad document leaves the context);
//                              an observation never judged stays in the context.
//          "answer <text>"  -> ends the episode; R_EM = 1 if the text equals the answer (trimmed, lower case), else 0.
//          a tool call      -> <tool>{"name": "lookup", "arguments": {"query": "<terms>"}}</tool>: the matching documents'
//                              texts (the corpus lookup as a tool); a malformed or unknown call is an "error: ..." observation.
// Total R = R_EM + Σ_t R_judge; without judge actions R reduces to the outcome reward.
// RECONSTRUCTED: Alpha, Tau and the relevance score are options (R10 gives the mechanism, not the values).
using System.Globalization;
using System.Text;
using Rewire.Tasks.Common;

namespace Rewire.Tasks.Environments;

/// <summary>Options of <see cref="SearchEnvironment"/>; α, τ and the relevance score are RECONSTRUCTED design choices.</summary>
public sealed record SearchOptions
{
    /// <summary>Entities in the knowledge base. <value>The default value is 5.</value></summary>
    public int Entities { get; init; } = 5;

    /// <summary>Judge reward magnitude α. <value>The default value is 0.2.</value></summary>
    public double Alpha { get; init; } = 0.2;

    /// <summary>Relevance threshold τ for the ideal judgment. <value>The default value is 0.75 (both question terms present).</value></summary>
    public double Tau { get; init; } = 0.75;

    /// <summary>Document ids returned per search. <value>The default value is 3.</value></summary>
    public int SearchResults { get; init; } = 3;

    /// <summary>Actions per episode before it ends unanswered (outcome 0). <value>The default value is 8.</value></summary>
    public int MaxTurns { get; init; } = 8;

    /// <summary>Reward of an action that cannot be parsed or applied. <value>The default value is 0.</value></summary>
    public double InvalidAction { get; init; }

    /// <summary>Throws when a setting is out of its documented range.</summary>
    public void Validate()
    {
        if (Entities is < 2 or > 100) throw new ArgumentOutOfRangeException(nameof(Entities), Entities, "Entities must be in 2..100");
        if (!(Alpha >= 0)) throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "Alpha must be 0 or more");
        if (!(Tau > 0 && Tau <= 1)) throw new ArgumentOutOfRangeException(nameof(Tau), Tau, "Tau must be in (0, 1]");
        if (SearchResults < 1) throw new ArgumentOutOfRangeException(nameof(SearchResults), SearchResults, "SearchResults must be 1 or more");
        if (MaxTurns < 1) throw new ArgumentOutOfRangeException(nameof(MaxTurns), MaxTurns, "MaxTurns must be 1 or more");
    }
}

/// <summary>Search-and-answer (<c>search</c>) over a generated knowledge base of fictional entities, the setting of ReSeek ("ReSeek: A Self-Correcting Framework for Search Agents with Instructive Rewards", Li et al. 2025). Actions: <c>search TERMS</c>, <c>read ID</c>, <c>judge good|bad</c> (rewarded ±α against the ideal judgment), <c>answer TEXT</c> (exact match ends the episode).</summary>
public sealed class SearchEnvironment : IInstructedEnvironment
{
    private static readonly string[] Relations = ["city", "color", "pet", "job"];
    private static readonly Dictionary<string, string[]> Values = new()
    {
        ["color"] = ["red", "blue", "green", "gold", "gray", "pink"],
        ["pet"] = ["cat", "dog", "owl", "fox", "yak", "eel"],
        ["job"] = ["cook", "poet", "smith", "baker", "miner", "pilot"],
    };
    private const string Syllables = "bdfgklmnprstvz";
    private const string Vowels = "aeiou";
    private const int MaxActionLength = 160;

    private readonly SearchOptions _o;
    private readonly List<(string Entity, string Relation, string Value)> _docs = [];
    private readonly List<(string Text, int Doc, bool Kept)> _context = [];
    private string _question = "";
    private string _entity = "";
    private string _relation = "";
    private string _answer = "";
    private int _pending = -1;
    private int _turn;
    private double _judgeTotal;
    private bool _started;
    private bool _done;
    private readonly HashSet<int> _readDocs = [];

    /// <summary>Creates the environment.</summary>
    /// <param name="options">Knowledge-base size, α, τ and limits; null uses <see cref="SearchOptions"/>' defaults. Validated here.</param>
    public SearchEnvironment(SearchOptions? options = null)
    {
        _o = options ?? new SearchOptions();
        _o.Validate();
        _tools = new Tools.ToolBox(new Tools.CorpusLookupTool(terms => Hits(terms).Select(Document).ToList()));
    }

    private readonly Tools.ToolBox _tools;

    /// <inheritdoc />
    public string Name => "search";

    /// <inheritdoc />
    public string Instructions =>
        "Answer the question from a knowledge base. Actions, one per reply: search TERMS (ids of matching documents), read ID (a document), judge good or judge bad (whether the document you just read is relevant), answer TEXT (ends the episode). You may also call <tool>{\"name\": \"lookup\", \"arguments\": {\"query\": \"TERMS\"}}</tool>.";
    /// <inheritdoc />
    public string Alphabet => Tools.ToolAlphabet.Characters;
    /// <summary>The validated options.</summary>
    public SearchOptions Options => _o;

    /// <summary>The reference answer of the current episode.</summary>
    public string Answer => _answer;

    /// <summary>The number of documents in the current knowledge base.</summary>
    public int DocumentCount => _docs.Count;

    /// <summary>The judge rewards given so far in this episode.</summary>
    public double JudgeTotal => _judgeTotal;

    /// <summary>The text of document <paramref name="id"/>, as "read" shows it.</summary>
    public string Document(int id) => $"d{id.ToString(CultureInfo.InvariantCulture)}: {_docs[id].Entity} {_docs[id].Relation} {_docs[id].Value}";

    /// <summary>The assembled context for the next turn: the question, then each action with its kept observation.</summary>
    public string Context
    {
        get
        {
            var sb = new StringBuilder(_question);
            foreach (var (text, _, kept) in _context)
                if (kept) sb.Append('\n').Append(text);
            return sb.ToString();
        }
    }

    /// <inheritdoc />
    public string Reset(int seed)
    {
        var random = new Random(TaskRandom.Mix(seed, 0x5EA5C4));
        _docs.Clear();
        _context.Clear();
        _readDocs.Clear();
        var names = new HashSet<string>();
        while (names.Count < _o.Entities) names.Add(Word(random, 2));
        var cities = new HashSet<string>();
        while (cities.Count < 6) cities.Add(Word(random, 2));
        var cityList = cities.ToArray();
        foreach (var e in names)
            foreach (var rel in Relations)
                _docs.Add((e, rel, rel == "city" ? random.Pick(cityList) : random.Pick(Values[rel])));
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_docs));
        var target = _docs[random.Next(_docs.Count)];
        (_entity, _relation, _answer) = target;
        _question = $"{_entity} {_relation}?";
        _pending = -1;
        _turn = 0;
        _judgeTotal = 0;
        _started = true;
        _done = false;
        return _question;
    }

    private static string Word(Random r, int syllables)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < syllables; i++) sb.Append(Syllables[r.Next(Syllables.Length)]).Append(Vowels[r.Next(Vowels.Length)]);
        return sb.ToString();
    }

    /// <summary>Share of the question's terms (entity, relation) present in document <paramref name="id"/>: 0, 0.5 or 1.</summary>
    public double Relevance(int id) => ((_docs[id].Entity == _entity ? 1 : 0) + (_docs[id].Relation == _relation ? 1 : 0)) / 2.0;

    /// <inheritdoc />
    public EnvironmentStep Step(string action)
    {
        if (!_started) throw new InvalidOperationException("call Reset(seed) before Step");
        if (_done) throw new InvalidOperationException("the episode is over; call Reset(seed) to start another");
        _turn++;
        var text = CompletionText.Normalize(action, MaxActionLength, out _);
        var result = text is null ? Invalid("invalid: use search, read, judge or answer") : Apply(text);
        if (!result.Done && _turn >= _o.MaxTurns)
        {
            _done = true;
            return result with { Observation = result.Observation + "\nout of turns", Done = true, Outcome = 0, Success = false };
        }
        return result;
    }

    private EnvironmentStep Apply(string text)
    {
        // The corpus lookup as a tool: a tool call (Tools/ToolCall.cs) answers with the matching documents, or an error.
        if (Tools.ToolCallParser.IsToolCall(text))
        {
            var result = _tools.Call(text);
            var reward = result.Valid ? 0 : _o.InvalidAction;
            _context.Add(($"{text}\n{result.Output}", -1, true));
            return new EnvironmentStep(result.Output, reward, false, null,
                new Dictionary<string, double> { ["judge"] = 0, ["tool_call"] = 1, ["tool_call_valid"] = result.Valid ? 1 : 0 });
        }
        var space = text.IndexOf(' ');
        var verb = space < 0 ? text : text[..space];
        var arg = space < 0 ? "" : text[(space + 1)..].Trim();
        switch (verb)
        {
            case "search":
                {
                    if (arg.Length == 0) return Invalid("invalid: search needs terms");
                    var terms = arg.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    var hits = Hits(terms).Select(id => "d" + id.ToString(CultureInfo.InvariantCulture)).ToList();
                    var obs = hits.Count == 0 ? "no results" : "results: " + string.Join(' ', hits);
                    _context.Add(($"{text}\n{obs}", -1, true));
                    return new EnvironmentStep(obs, 0, false, null, Components(0));
                }
            case "read":
                {
                    if (arg.Length < 2 || arg[0] != 'd' || !CompletionText.IsCanonicalInteger(arg.AsSpan(1), 4, false))
                        return Invalid("invalid: read needs a document id like d3");
                    var id = int.Parse(arg.AsSpan(1), CultureInfo.InvariantCulture);
                    if (id >= _docs.Count) return Invalid($"invalid: no document d{id}");
                    _pending = id;
                    _readDocs.Add(id);
                    var obs = Document(id);
                    _context.Add(($"{text}\n{obs}", id, true));
                    return new EnvironmentStep(obs, 0, false, null, Components(0));
                }
            case "judge":
                {
                    if (arg is not ("good" or "bad")) return Invalid("invalid: judge good or judge bad");
                    if (_pending < 0) return Invalid("invalid: nothing read to judge");
                    var ideal = Relevance(_pending) >= _o.Tau;
                    var r = (arg == "good") == ideal ? _o.Alpha : -_o.Alpha;
                    _judgeTotal += r;
                    if (arg == "bad")
                    {
                        var i = _context.FindLastIndex(c => c.Doc == _pending);
                        _context[i] = ($"read d{_pending.ToString(CultureInfo.InvariantCulture)}", _pending, true);
                    }
                    _context.Add((text, -1, true));
                    var judged = new Dictionary<string, double>
                    {
                        ["judge"] = r,
                        // What ReSeek's reward (reward.shaping=reseek) recomputes R_judge from: the judgment and the relevance score.
                        ["judgment"] = arg == "good" ? 1 : -1,
                        ["relevance"] = Relevance(_pending),
                    };
                    _pending = -1;
                    return new EnvironmentStep(arg == "good" ? "kept" : "dropped", r, false, null, judged);
                }
            case "answer":
                {
                    if (arg.Length == 0) return Invalid("invalid: answer needs text");
                    var correct = string.Equals(arg.ToLowerInvariant(), _answer, StringComparison.Ordinal);
                    _done = true;
                    var outcome = correct ? 1.0 : 0.0;
                    return new EnvironmentStep(correct ? "correct" : "wrong", 0, true, outcome,
                        new Dictionary<string, double> { ["judge"] = 0, ["correct"] = outcome, ["judge_total"] = _judgeTotal }, correct);
                }
            default:
                return Invalid("invalid: use search, read, judge or answer");
        }
    }

    /// <summary>The ids of the documents that best match <paramref name="terms"/> (term overlap), best first, at most SearchResults.</summary>
    private List<int> Hits(string[] terms) => Enumerable.Range(0, _docs.Count)
        .Select(i => (Id: i, Score: terms.Count(t => t == _docs[i].Entity || t == _docs[i].Relation || t == _docs[i].Value)))
        .Where(h => h.Score > 0)
        .OrderByDescending(h => h.Score).ThenBy(h => h.Id)
        .Take(_o.SearchResults)
        .Select(h => h.Id)
        .ToList();

    private EnvironmentStep Invalid(string message) =>
        new(message, _o.InvalidAction, false, null, Components(_o.InvalidAction));

    private static Dictionary<string, double> Components(double judge) => new() { ["judge"] = judge };

    /// <summary>
    /// A scripted expert: search the question's terms, read the best unread hit, judge it by its relevance, answer once a
    /// relevant document is kept. A mistake is a wrong judgment or a wrong answer (another value of the same relation).
    /// </summary>
    public string Demonstrate(double errorRate, Random random)
    {
        if (!(errorRate >= 0 && errorRate <= 1)) throw new ArgumentOutOfRangeException(nameof(errorRate), errorRate, "errorRate must be in [0, 1]");
        var mistake = errorRate > 0 && random.Chance(errorRate);
        if (_pending >= 0)
        {
            var good = Relevance(_pending) >= _o.Tau;
            return "judge " + ((good ^ mistake) ? "good" : "bad");
        }
        var known = _context.FirstOrDefault(c => c.Kept && c.Doc >= 0 && Relevance(c.Doc) >= _o.Tau && c.Text.Contains(':'));
        if (known.Text is not null)
        {
            if (!mistake) return "answer " + _docs[known.Doc].Value;
            var others = _docs.Where(d => d.Relation == _relation && d.Value != _answer).Select(d => d.Value).Distinct().ToList();
            return "answer " + (others.Count > 0 ? random.Pick(others) : _answer + "x");
        }
        var lastSearch = _context.LastOrDefault(c => c.Doc < 0 && c.Text.StartsWith("search ", StringComparison.Ordinal));
        if (lastSearch.Text is not null)
        {
            var ids = lastSearch.Text.Split('\n')[1].Replace("results: ", "", StringComparison.Ordinal).Split(' ');
            foreach (var id in ids)
                if (id.StartsWith('d') && int.TryParse(id.AsSpan(1), CultureInfo.InvariantCulture, out var n) && !_readDocs.Contains(n))
                    return "read " + id;
        }
        return $"search {_entity} {_relation}";
    }
}
