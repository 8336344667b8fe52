using System.Text.Json.Nodes;
using Rewire.Core.Techniques;

namespace Rewire.Classic.RewardDesign;

/// <summary>One version of designer-written reward code (Python defining <c>sparse(obs)</c> and <c>dense(obs)</c>).</summary>
public sealed record RewardCode(int Version, string Code, string Rationale);

/// <summary>What the designer sees: the task, the observation fields the code may read, and the feedback so far.</summary>
public sealed record DesignerInput(string Task, IReadOnlyList<string> Fields, RewardCode? Previous, string? CriticFeedback, string? Analysis, int Attempt);

/// <summary>Auto MC-Reward's Reward Designer: writes (or revises) the reward code.</summary>
public interface IRewardDesigner
{
    /// <summary>
    /// Writes the first version of the reward code, or revises the last one using the critic's feedback and the
    /// trajectory analysis in <paramref name="input"/>.
    /// </summary>
    RewardCode Propose(DesignerInput input);
}

/// <summary>Runs reward code over a batch of observations, once per batch (never a process per step).</summary>
public interface IRewardCodeRunner
{
    /// <summary>(sparse, dense) per observation, or an error text saying what went wrong.</summary>
    RewardCodeResult Run(string code, IReadOnlyList<IReadOnlyDictionary<string, double>> observations);
}

/// <summary>The outcome of one run: values per observation, or the error.</summary>
public sealed record RewardCodeResult(IReadOnlyList<(double Sparse, double Dense)>? Values, string? Error)
{
    /// <summary>True when the run produced values (then <c>Error</c> is null).</summary>
    public bool Ok => Values is not null;
}

/// <summary>
/// Auto MC-Reward ("Auto MC-Reward: Automated Dense Reward Design with Large Language Models for Minecraft", Li et al.,
/// CVPR 2024): a Reward Designer writes Python reward code with <c>dense()</c> and <c>sparse()</c> parts; a Reward Critic
/// reviews it (static checks, then a test call) and sends it back until it passes (at most <see cref="CriticRetries"/>
/// attempts, a reconstruction); the agent trains on <c>r = sgn(sparse)·1 + sgn(dense)·0.1</c> (the paper's composite,
/// which keeps the dense part an order of magnitude below the task reward); after every <see cref="IterationEpisodes"/>
/// episodes a Trajectory Analyser summarises the failed episodes of the current version only, and the designer revises
/// the code with that summary, up to <see cref="MaxIterations"/> revisions.
/// <para>The code runs in <see cref="IRewardCodeRunner"/> (the Python sandbox) once per batch: <see cref="Prepare"/>
/// scores every transition of a batch not scored yet in one call, cached by (state, action, next state), which on a
/// tabular environment determines the observation. Code that fails the critic or a run is never used for training:
/// until a version passes, and for transitions a failed run could not score, the environment's reward stands in
/// (counted).</para>
/// Its state (versions, the active code and its scored transitions, the analyses, the counters, the designer's own)
/// is checkpointed; the episodes collected toward the next analysis are not, so that window restarts on resume.
/// </summary>
public sealed class AutoMcReward : IEpisodeRewardDesign, IStatefulTechnique
{
    private readonly IRewardDesigner _designer;
    private readonly RewardCodeCritic _critic;
    private readonly IRewardCodeRunner _runner;
    private readonly TrajectoryAnalyser _analyser;
    private readonly IReadOnlyList<DesignStep> _universe;
    private readonly Dictionary<(int, int, int), double> _table = [];
    private readonly List<DesignEpisode> _current = [];
    private readonly List<RewardCode> _history = [];
    private readonly Lock _gate = new();
    private long _runs, _runFailures, _unscored, _rejections;

    /// <param name="universe">Transitions to score whenever a version is accepted (all transitions of a small tabular
    /// environment, so a learner that needs each reward at once finds it scored); may be empty.</param>
    /// <param name="task">The task description the designer writes reward code for.</param>
    /// <param name="fields">The observation fields the code may read.</param>
    /// <param name="designer">Writes and revises the reward code.</param>
    /// <param name="runner">Runs the code over a batch of observations (the Python sandbox).</param>
    /// <param name="analyser">Summarises the failed episodes of a version for the designer.</param>
    /// <param name="criticSamples">Observations the critic's test call runs the code on.</param>
    /// <param name="iterationEpisodes">Episodes collected per version before the trajectory analysis and the
    /// revision.</param>
    /// <param name="maxIterations">Maximum number of revisions after the first version.</param>
    /// <param name="criticRetries">Attempts a version gets to pass the critic before the designer gives up on it.</param>
    public AutoMcReward(string task, IReadOnlyList<string> fields, IRewardDesigner designer, IRewardCodeRunner runner, TrajectoryAnalyser analyser,
        IReadOnlyList<IReadOnlyDictionary<string, double>> criticSamples, IReadOnlyList<DesignStep> universe,
        int iterationEpisodes = 20, int maxIterations = 3, int criticRetries = 3)
    {
        Task = task ?? throw new ArgumentNullException(nameof(task));
        Fields = fields ?? throw new ArgumentNullException(nameof(fields));
        _designer = designer ?? throw new ArgumentNullException(nameof(designer));
        _runner = runner ?? throw new ArgumentNullException(nameof(runner));
        _analyser = analyser ?? throw new ArgumentNullException(nameof(analyser));
        _universe = universe ?? throw new ArgumentNullException(nameof(universe));
        if (iterationEpisodes < 1 || maxIterations < 0 || criticRetries < 1)
            throw new ArgumentOutOfRangeException(nameof(iterationEpisodes), "Auto MC-Reward needs iteration_episodes ≥ 1, max_iterations ≥ 0 and critic_retries ≥ 1.");
        IterationEpisodes = iterationEpisodes;
        MaxIterations = maxIterations;
        CriticRetries = criticRetries;
        _critic = new RewardCodeCritic(fields, runner, criticSamples);
        Design(null);
    }

    /// <inheritdoc />
    public string Name => "auto-mc-reward";

    /// <summary>The task description given to the designer.</summary>
    public string Task { get; }

    /// <summary>The observation fields the reward code may read.</summary>
    public IReadOnlyList<string> Fields { get; }

    /// <summary>Episodes collected per reward version before the analysis and the revision.</summary>
    public int IterationEpisodes { get; }

    /// <summary>Maximum number of revisions after the first version.</summary>
    public int MaxIterations { get; }

    /// <summary>Attempts per version to pass the critic.</summary>
    public int CriticRetries { get; }

    /// <summary>The version the agent trains on, or null while none has passed the critic.</summary>
    public RewardCode? Active { get; private set; }

    /// <summary>Revisions made after analysis so far.</summary>
    public int Iterations { get; private set; }

    /// <summary>Every version proposed, accepted or not.</summary>
    public IReadOnlyList<RewardCode> History { get { lock (_gate) return _history.ToList(); } }

    /// <summary>The analyses given to the designer, in order.</summary>
    public List<string> Analyses { get; } = [];

    /// <summary>The composite reward of one (sparse, dense) pair: sgn(sparse)·1 + sgn(dense)·0.1.</summary>
    public static double Composite(double sparse, double dense) => Math.Sign(sparse) * 1.0 + Math.Sign(dense) * 0.1;

    /// <summary>Designer → critic until a version passes or the retries run out; a passing version becomes active.</summary>
    private void Design(string? analysis)
    {
        string? feedback = null;
        for (int attempt = 1; attempt <= CriticRetries; attempt++)
        {
            var code = _designer.Propose(new DesignerInput(Task, Fields, Active ?? _history.LastOrDefault(), feedback, analysis, attempt));
            lock (_gate) _history.Add(code);
            var verdict = _critic.Review(code.Code);
            if (verdict.Passed)
            {
                lock (_gate)
                {
                    Active = code;
                    _table.Clear();
                    _current.Clear();
                }
                if (_universe.Count > 0) Score(_universe);
                return;
            }
            Interlocked.Increment(ref _rejections);
            feedback = verdict.Feedback;
        }
    }

    /// <summary>Scores, in one run, every step whose transition is not in the table yet.</summary>
    private void Score(IEnumerable<DesignStep> steps)
    {
        RewardCode? active;
        List<DesignStep> missing;
        lock (_gate)
        {
            active = Active;
            if (active is null) return;
            var seen = new HashSet<(int, int, int)>();
            missing = steps.Where(s => !_table.ContainsKey(Key(s)) && seen.Add(Key(s))).ToList();
        }
        if (missing.Count == 0) return;
        Interlocked.Increment(ref _runs);
        var result = _runner.Run(active.Code, missing.Select(s => s.Observation).ToList());
        if (!result.Ok || result.Values!.Count != missing.Count)
        {
            Interlocked.Increment(ref _runFailures);
            return;
        }
        lock (_gate)
            for (int i = 0; i < missing.Count; i++)
                _table[Key(missing[i])] = Composite(result.Values[i].Sparse, result.Values[i].Dense);
    }

    private static (int, int, int) Key(DesignStep s) => (s.State, s.Action, s.NextState);

    /// <inheritdoc />
    public void Prepare(IReadOnlyList<DesignEpisode> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Score(batch.SelectMany(e => e.Steps));
    }

    /// <inheritdoc />
    public double Reward(IReadOnlyList<DesignStep> episodeSoFar)
    {
        ArgumentNullException.ThrowIfNull(episodeSoFar);
        var s = episodeSoFar[^1];
        lock (_gate)
        {
            if (_table.TryGetValue(Key(s), out double r)) return r;
            _unscored++;
            return s.Reward;
        }
    }

    /// <summary>Collects the episode under the current version; every <see cref="IterationEpisodes"/> analyses and revises.</summary>
    public void EndEpisode(DesignEpisode episode)
    {
        ArgumentNullException.ThrowIfNull(episode);
        List<DesignEpisode> ready;
        lock (_gate)
        {
            _current.Add(episode);
            if (_current.Count < IterationEpisodes || Iterations >= MaxIterations) return;
            ready = [.. _current];
            _current.Clear();
        }
        string analysis = _analyser.Analyse(ready);
        Analyses.Add(analysis);
        Iterations++;
        Design(analysis);
    }

    /// <inheritdoc />
    public JsonObject SaveState()
    {
        static JsonObject Code(RewardCode c) => new() { ["version"] = c.Version, ["code"] = c.Code, ["rationale"] = c.Rationale };
        lock (_gate)
            return new JsonObject
            {
                ["active"] = Active is { } a ? Code(a) : null,
                ["history"] = new JsonArray(_history.Select(c => (JsonNode)Code(c)).ToArray()),
                ["iterations"] = Iterations,
                ["analyses"] = new JsonArray(Analyses.Select(x => (JsonNode)JsonValue.Create(x)).ToArray()),
                ["table"] = new JsonArray(_table.Select(kv => (JsonNode)new JsonArray(kv.Key.Item1, kv.Key.Item2, kv.Key.Item3, kv.Value)).ToArray()),
                ["counters"] = new JsonArray(_runs, _runFailures, _unscored, _rejections),
                ["designer"] = _designer is IStatefulTechnique d ? d.SaveState() : null,
            };
    }

    /// <inheritdoc />
    public void RestoreState(JsonObject state)
    {
        ArgumentNullException.ThrowIfNull(state);
        static RewardCode Code(JsonNode n) => new(n["version"]!.GetValue<int>(), n["code"]!.GetValue<string>(), n["rationale"]!.GetValue<string>());
        var history = state["history"] as JsonArray ?? throw new ArgumentException("the saved auto-mc-reward state has no 'history'.");
        var table = state["table"] as JsonArray ?? throw new ArgumentException("the saved auto-mc-reward state has no 'table'.");
        var counters = state["counters"] as JsonArray ?? throw new ArgumentException("the saved auto-mc-reward state has no 'counters'.");
        lock (_gate)
        {
            Active = state["active"] is { } a ? Code(a) : null;
            _history.Clear();
            _history.AddRange(history.Select(h => Code(h!)));
            Iterations = state["iterations"]?.GetValue<int>() ?? 0;
            Analyses.Clear();
            Analyses.AddRange((state["analyses"] as JsonArray ?? []).Select(x => x!.GetValue<string>()));
            _table.Clear();
            foreach (var row in table)
                _table[(row![0]!.GetValue<int>(), row[1]!.GetValue<int>(), row[2]!.GetValue<int>())] = row[3]!.GetValue<double>();
            _current.Clear();
            (_runs, _runFailures, _unscored, _rejections) = (counters[0]!.GetValue<long>(), counters[1]!.GetValue<long>(), counters[2]!.GetValue<long>(), counters[3]!.GetValue<long>());
        }
        if (_designer is IStatefulTechnique d && state["designer"] is JsonObject ds) d.RestoreState(ds);
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> Metrics => new Dictionary<string, double>
    {
        ["reward_design/auto-mc-reward/version"] = Active?.Version ?? 0,
        ["reward_design/auto-mc-reward/iterations"] = Iterations,
        ["reward_design/auto-mc-reward/critic_rejections"] = _rejections,
        ["reward_design/auto-mc-reward/sandbox_runs"] = _runs,
        ["reward_design/auto-mc-reward/sandbox_failures"] = _runFailures,
        ["reward_design/auto-mc-reward/unscored_steps"] = _unscored,
    };
}
