using System.ComponentModel;
using System.Globalization;
using Rewire.Classic.Offline;
using Rewire.Core.Configuration;
using Rewire.Core.Runs;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Rewire.Cli.Commands;

/// <summary>
/// `rewire offline --algo dcppo [key=value ...]`: generates behaviour data from a known dynamic-discrete-choice policy in
/// a seeded random MDP (run.seed), fits DCPPO, and reports the learned reward's error and the regret of its pessimistic
/// policy against the truth, beside the same fit without pessimism (beta = 0). Both write a run folder (config.json,
/// summary.json, and for morec checkpoints/) that `--resume RUN` continues. Bad input exits 2 before any work; Ctrl-C
/// checkpoints (morec) and exits 130.
/// </summary>
public sealed class OfflineCommand : Command<OfflineCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--algo <NAME>")]
        [Description("Algorithm: dcppo or morec.")]
        public string Algo { get; init; } = "dcppo";

        [CommandOption("--dataset <FILE>")]
        [Description("An offline dataset (`rewire collect` output) for morec; without it morec records a mixed-quality cart-pole dataset.")]
        public string? Dataset { get; init; }

        [CommandOption("--json")]
        [Description("Print the summary as one JSON document.")]
        public bool Json { get; init; }

        [CommandOption("--resume <RUN>")]
        [Description("Continue the run in this folder: morec from its latest checkpoint, dcppo (closed-form stages) from its config.")]
        public string? Resume { get; init; }

        [CommandArgument(0, "[KEYS]")]
        [Description("key=value settings, for example run.seed=7 dcppo.episodes=5000 dcppo.beta=0.5 run.output=runs run.checkpoint_every=100.")]
        public string[] Overrides { get; init; } = [];
    }

    /// <summary>The summary (`--json`).</summary>
    public sealed record Result(
        bool Completed, string Algo, int Seed, int States, int Actions, int Horizon, int Episodes, int Records, double StateActionCoverage,
        double RewardError, double BehaviourLogLikelihood, double OptimalValue, double PolicyValue, double Regret, double RegretWithoutPessimism, string? Run = null);

    /// <summary>A checked DCPPO run: the seed, the MDP's sizes and the estimator's settings.</summary>
    public sealed record DcppoPlan(string Algo, int Seed, int States, int Actions, int Horizon, int Episodes, DcppoOptions Options);

    /// <summary>Checks the keys (throws <see cref="ConfigurationException"/> with every problem) and runs DCPPO to the end.</summary>
    public static Result Run(string algo, IReadOnlyList<KeyValuePair<string, string>> overrides) =>
        Compute(Resolve(algo, overrides), CancellationToken.None)!;

    /// <summary>Checks the algorithm and its keys; throws <see cref="ConfigurationException"/> with every problem.</summary>
    public static DcppoPlan Resolve(string algo, IReadOnlyList<KeyValuePair<string, string>> overrides)
    {
        var errors = new List<string>();
        var d = OfflineAlgorithms.Descriptors.FirstOrDefault(x => x.Name == algo);
        if (d is null) throw new ConfigurationException([$"--algo '{algo}' is not an offline algorithm; valid: {string.Join(", ", OfflineAlgorithms.Descriptors.Select(x => x.Name))}"]);
        var values = d.Parameters.ToDictionary(p => p.Name, p => p.Default);
        int seed = 0;
        foreach (var (key, value) in overrides)
        {
            if (key == "run.seed")
            {
                if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out seed)) errors.Add($"run.seed={value} is not an integer");
                continue;
            }
            var p = key.StartsWith("dcppo.", StringComparison.Ordinal) ? d.Parameter(key["dcppo.".Length..]) : null;
            if (p is null) { errors.Add($"unknown key '{key}'; valid: run.seed, run.output, run.name, {string.Join(", ", d.Parameters.Select(x => "dcppo." + x.Name))}"); continue; }
            string? canonical = p.Check(value, out string problem);
            if (canonical is null) errors.Add($"{key}={value} {problem}");
            else values[p.Name] = canonical;
        }
        if (errors.Count > 0) throw new ConfigurationException(errors);
        int I(string n) => int.Parse(values[n], CultureInfo.InvariantCulture);
        double D(string n) => double.Parse(values[n], CultureInfo.InvariantCulture);
        var options = new DcppoOptions { Gamma = D("gamma"), Lambda = D("lambda"), MleL2 = D("mle_l2"), Beta = D("beta") };
        int states = I("states"), actions = I("actions"), horizon = I("horizon"), episodes = I("episodes");
        if ((long)episodes * horizon > 50_000_000) throw new ConfigurationException([$"dcppo.episodes x dcppo.horizon = {(long)episodes * horizon} records; give at most 50000000"]);
        return new DcppoPlan(algo, seed, states, actions, horizon, episodes, options);
    }

    /// <summary>
    /// Samples the choice data and fits DCPPO (and the same fit with beta = 0). Each stage is a deterministic function of
    /// the plan, so there is no state to checkpoint beyond the plan itself: <paramref name="cancel"/> is checked between
    /// the stages and null is returned when it fired.
    /// </summary>
    public static Result? Compute(DcppoPlan plan, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var (seed, states, actions, horizon, episodes, options) = (plan.Seed, plan.States, plan.Actions, plan.Horizon, plan.Episodes, plan.Options);
        var mdp = EpisodicMdp.Random(states, actions, horizon, unchecked((ulong)seed));
        var data = DynamicDiscreteChoice.Sample(mdp, episodes, unchecked((ulong)seed * 7919 + 1), options.Gamma);
        if (cancel.IsCancellationRequested) return null;
        var fit = Dcppo.Fit(data, states, actions, horizon, options);
        if (cancel.IsCancellationRequested) return null;
        var plain = Dcppo.Fit(data, states, actions, horizon, options with { Beta = 0 });
        var (_, optimal) = mdp.Optimal();
        double error = 0;
        int seen = 0;
        for (int h = 0; h < horizon; h++)
            for (int s = 0; s < states; s++)
                for (int a = 0; a < actions; a++)
                {
                    error += Math.Abs(fit.Reward[h, s, a] - mdp.Reward[h, s, a]);
                    if (fit.Counts[h, s, a] > 0) seen++;
                }
        double cells = (double)horizon * states * actions;
        double policyValue = mdp.Value(fit.Policy);
        return new Result(true, plan.Algo, seed, states, actions, horizon, episodes, data.Count, seen / cells, error / cells,
            DynamicDiscreteChoice.LogLikelihood(fit.BehaviourQ, data) / data.Count, optimal, policyValue, optimal - policyValue, optimal - mdp.Value(plain.Policy));
    }

    /// <summary>A prepared run: the run-folder keys and exactly one of the two plans.</summary>
    private sealed record Plan(OfflineRunFolder.Keys Keys, DcppoPlan? Dcppo, MorecRun.Plan? Morec);

    /// <summary>What a run ended with: MOREC's summary, or DCPPO's (null when it was interrupted).</summary>
    private sealed record Outcome(MorecRun.Result? Morec, Result? Dcppo, string Run);

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        bool resume = settings.Resume is not null;
        return RunCommandHost.Run(() => Prepare(settings), (plan, run, cancel) => Execute(plan, run, resume, cancel),
            outcome => Report(outcome, settings.Json), outcome => outcome.Morec?.Completed ?? outcome.Dcppo is not null,
            _ => false, cancellationToken);
    }

    /// <summary>Checks the algorithm, dataset and keys (or a resumed run's config.json), then creates or opens the run folder and takes its lock.</summary>
    private static (Plan Plan, RunDirectory Run, RunLock Lock) Prepare(Settings settings)
    {
        string algo;
        string? dataset;
        List<KeyValuePair<string, string>> overrides;
        RunDirectory? existing = null;
        if (settings.Resume is not null)
        {
            if (settings.Overrides.Length > 0 || settings.Dataset is not null)
                throw new ConfigurationException(["--resume continues a run with its own config.json; drop --dataset and the key=value settings (or start a new run)"]);
            try { existing = RunDirectory.Open(settings.Resume); }
            catch (IOException e) { throw new ConfigurationException([e.Message]); }
            (algo, dataset, overrides) = OfflineRunFolder.Read(existing);
        }
        else
        {
            (algo, dataset, overrides) = (settings.Algo, settings.Dataset, OptionsBinder.ParseOverrides(settings.Overrides));
            if (algo != "morec" && dataset is not null)
                throw new ConfigurationException(["--dataset is read by morec; dcppo generates its own choice data from run.seed. Drop --dataset or use --algo morec."]);
        }
        var errors = new List<string>();
        var keys = OfflineRunFolder.Split(overrides, errors);
        if (errors.Count > 0) throw new ConfigurationException(errors);
        var plan = algo == "morec"
            ? new Plan(keys, null, MorecRun.Prepare(dataset, keys.Algorithm))
            : new Plan(keys, Resolve(algo, keys.Algorithm), null);
        string holder = "rewire offline " + (settings.Resume is not null ? "--resume " + settings.Resume : "(new run)");
        var run = existing ?? RunDirectory.Create(keys.Output, $"{keys.Name}-{algo}-s{plan.Morec?.Seed ?? plan.Dcppo!.Seed}", DateTimeOffset.UtcNow, OfflineRunFolder.Config(algo, dataset, overrides));
        return (plan, run, run.Lock(holder));
    }

    private static Outcome Execute(Plan plan, RunDirectory run, bool resume, CancellationToken cancel)
    {
        if (plan.Morec is not null) return new Outcome(MorecRun.Execute(plan.Morec, run, plan.Keys.CheckpointEvery, resume, cancel), null, run.Path);
        var r = Compute(plan.Dcppo!, cancel);
        if (r is null) return new Outcome(null, null, run.Path);
        r = r with { Run = run.Path };
        run.WriteSummary(r);
        return new Outcome(null, r, run.Path);
    }

    private static void Report(Outcome outcome, bool json)
    {
        if (outcome.Morec is not null) ReportMorec(outcome.Morec, json);
        else if (outcome.Dcppo is not null) ReportDcppo(outcome.Dcppo, json);
        else Console.Error.WriteLine($"interrupted; resume with: rewire offline --resume {outcome.Run}");
    }

    private static void ReportDcppo(Result r, bool json)
    {
        if (json)
        {
            JsonOutput.Write(r);
            return;
        }
        var c = CultureInfo.InvariantCulture;
        var table = new Table().AddColumn("").AddColumn("");
        table.AddRow("run", Markup.Escape(r.Run ?? ""));
        table.AddRow("MDP", $"{r.States} states, {r.Actions} actions, horizon {r.Horizon} (seed {r.Seed})");
        table.AddRow("data", $"{r.Episodes.ToString(c)} episodes, {r.Records.ToString(c)} choices, {r.StateActionCoverage.ToString("P0", c)} of (h, s, a) seen");
        table.AddRow("mean |r̂ − r|", r.RewardError.ToString("F4", c));
        table.AddRow("choice log-likelihood per record", r.BehaviourLogLikelihood.ToString("F4", c));
        table.AddRow("optimal / policy value", $"{r.OptimalValue.ToString("F4", c)} / {r.PolicyValue.ToString("F4", c)}");
        table.AddRow("regret (pessimistic / beta = 0)", $"{r.Regret.ToString("F4", c)} / {r.RegretWithoutPessimism.ToString("F4", c)}");
        AnsiConsole.Write(table);
    }

    private static void ReportMorec(MorecRun.Result r, bool json)
    {
        if (json)
        {
            JsonOutput.Write(r);
            return;
        }
        var c = CultureInfo.InvariantCulture;
        var table = new Table().AddColumn("").AddColumn("");
        table.AddRow("run", Markup.Escape(r.Run ?? ""));
        table.AddRow("dataset", Markup.Escape($"{r.Dataset}: {r.Env}, {r.Episodes} episodes, {r.Transitions} transitions, mean return {r.DatasetMeanReturn.ToString("F1", c)}"));
        table.AddRow("filter", r.Filter ? $"on ({r.Discriminators} discriminators)" : "off (MOPO)");
        table.AddRow("model rollouts", $"{r.ModelSteps} steps, {r.FilterTerminations} ended by the filter, {r.ModelTerminations} by the model");
        table.AddRow("mean r^D / penalty", $"{r.MeanDynamicsReward.ToString("F3", c)} / {r.MeanPenalty.ToString("F3", c)}");
        if (r.Completed) table.AddRow("return in the true environment", $"{r.EvalMeanReturn.ToString("F1", c)} (mean of {r.EvalReturns.Count})");
        else table.AddRow("stopped", $"interrupted — resume with: rewire offline --resume {Markup.Escape(r.Run ?? "")}");
        AnsiConsole.Write(table);
    }
}
