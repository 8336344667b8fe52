using System.Globalization;
using System.Text.Json.Nodes;
using Rewire.Classic.Control;
using Rewire.Classic.Offline;
using Rewire.Classic.Offline.Morec;
using Rewire.Core.Configuration;
using Rewire.Core.Runs;
using Rewire.Core.Techniques;
using Rewire.Torch.Control;

namespace Rewire.Cli.Commands;

/// <summary>
/// `rewire offline --algo morec [--dataset FILE] [key=value ...]`: fits MOREC's models to the dataset (or, without
/// --dataset, to a mixed-quality cart-pole dataset it records), trains DQN on the (filtered) model rollouts only, and
/// evaluates the learned policy in the true environment. Keys: run.seed, morec.* (the technique's parameters), dqn.*
/// (as in `rewire control`). Every problem with the keys or the dataset is reported before any work.
/// </summary>
public static class MorecRun
{
    /// <summary>The summary (`--json`).</summary>
    public sealed record Result(
        bool Completed, string Algo, int Seed, string Dataset, string Env, int Transitions, int Episodes, double DatasetMeanReturn,
        bool Filter, int Discriminators, double ModelValidationError, long PolicySteps, long ModelSteps, long ModelEpisodes,
        long FilterTerminations, long ModelTerminations, double MeanDynamicsReward, double MeanPenalty,
        double EvalMeanReturn, IReadOnlyList<double> EvalReturns, string? Run = null);

    private const string RolloutsFile = "rollouts.json";

    /// <summary>A checked MOREC run, ready to start.</summary>
    public sealed record Plan(int Seed, string Dataset, DatasetHeader Header, List<Transition> Transitions, MorecOptions Options,
        ResolvedTechnique Dqn, long PolicySteps, int EvalEpisodes, ControlEnvironmentSpec Spec);

    /// <summary>Checks the keys and the dataset (or records the built-in one); throws <see cref="ConfigurationException"/> with every problem.</summary>
    public static Plan Prepare(string? dataset, IReadOnlyList<KeyValuePair<string, string>> overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var errors = new List<string>();
        var d = OfflineAlgorithms.Descriptors.First(x => x.Name == "morec");
        var morecKeys = new Dictionary<string, string>(StringComparer.Ordinal);
        var dqnKeys = new Dictionary<string, string>(StringComparer.Ordinal);
        int seed = 0;
        foreach (var (key, value) in overrides)
        {
            if (key == "run.seed")
            {
                if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out seed)) errors.Add($"run.seed={value} is not an integer");
            }
            else if (key.StartsWith("morec.", StringComparison.Ordinal)) morecKeys[key["morec.".Length..]] = value;
            else if (key.StartsWith("dqn.", StringComparison.Ordinal)) dqnKeys[key["dqn.".Length..]] = value;
            else errors.Add($"unknown key '{key}'; keys of `rewire offline --algo morec` are run.seed, morec.* ({string.Join(", ", d.Parameters.Select(p => p.Name))}) and dqn.* (as in `rewire control --algo dqn`)");
        }
        var morec = TechniqueCatalog.Resolve(d, morecKeys, "morec.", errors);
        var dqn = TechniqueCatalog.Resolve(ControlAlgorithms.Find("dqn"), dqnKeys, "dqn.", errors);
        if (errors.Count > 0) throw new ConfigurationException(errors);
        var options = OfflineAlgorithms.Morec(morec);
        errors.AddRange(options.Validate());
        if (errors.Count > 0) throw new ConfigurationException(errors);

        DatasetHeader header;
        List<Transition> transitions;
        if (dataset is null)
        {
            (header, transitions) = MixedQualityDataset.CartPole(morec.Int("episodes_per_level"), [0, 0.25, 0.5, 1.0], seed);
        }
        else
        {
            if (!File.Exists(dataset)) throw new ConfigurationException([$"--dataset {dataset} does not exist; give a file written by `rewire collect`"]);
            try { (header, transitions) = TransitionDataset.Read(dataset); }
            catch (DatasetFormatException e) { throw new ConfigurationException([$"--dataset {dataset}: {e.Message}"]); }
            catch (IOException e) { throw new ConfigurationException([$"--dataset {dataset} cannot be read: {e.Message}"]); }
            if (transitions.Count < 10) throw new ConfigurationException([$"--dataset {dataset} holds {transitions.Count} transitions; MOREC needs at least 10"]);
        }
        if (!ControlEnvironments.Registry.Contains(header.Env))
            throw new ConfigurationException([$"the dataset's environment '{header.Env}' is not a control environment, so the learned policy cannot be evaluated; valid: {string.Join(", ", ControlEnvironments.Registry.Names)}"]);
        var spec = ControlEnvironments.Spec(header.Env);
        var probe = spec.Create();
        if (probe.ObservationSpace.Dimension != header.ObservationSize)
            throw new ConfigurationException([$"the dataset says observation_size {header.ObservationSize}, but '{header.Env}' observes {probe.ObservationSpace.Dimension} values"]);
        if (probe.ActionSpace is not DiscreteSpace ds || header.ActionKind != "discrete" || ds.N != header.ActionSize)
            throw new ConfigurationException([$"MOREC's policy learner here is DQN, which needs the discrete actions of the environment; the dataset has {header.ActionKind} actions of size {header.ActionSize} on '{header.Env}'"]);
        return new Plan(seed, dataset ?? "(built-in mixed-quality cart-pole)", header, transitions, options, dqn, morec.Int("policy_steps"), morec.Int("eval_episodes"), spec);
    }

    /// <summary>Runs a prepared plan to the end (or until <paramref name="cancel"/>, then Completed is false), without a run folder.</summary>
    public static Result Execute(Plan plan, CancellationToken cancel) => Execute(plan, null, OfflineRunFolder.DefaultCheckpointEvery, false, cancel);

    /// <summary>
    /// Runs a prepared plan in <paramref name="run"/>: the models are fitted (a deterministic function of the dataset,
    /// the options and the seed, so a resumed run fits the same ones again), then the policy learner continues from the
    /// run's latest checkpoint when <paramref name="resume"/> is set. A checkpoint (the learner with its model
    /// environments and the rollout statistics) is committed atomically every <paramref name="checkpointEvery"/> learner
    /// updates and when <paramref name="cancel"/> fires (then Completed is false). summary.json is written at the end.
    /// <paramref name="afterUpdate"/>, when given, sees the learner's update count after each update (tests interrupt with it).
    /// </summary>
    public static Result Execute(Plan plan, RunDirectory? run, int checkpointEvery, bool resume, CancellationToken cancel, Action<long>? afterUpdate = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentOutOfRangeException.ThrowIfLessThan(checkpointEvery, 1);
        var data = new OfflineData(plan.Header, plan.Transitions);
        var models = MorecFit.Fit(data, plan.Options, plan.Seed);
        var stats = new ModelRolloutStatistics();
        var spec = plan.Spec;
        var probe = spec.Create();
        var actions = (DiscreteSpace)probe.ActionSpace;
        var environments = new ControlEnvironmentSet(
            _ => ControlEnvironmentSet.WithStatistics(new ModelEnvironment<int>(spec.Name + "-model", probe.ObservationSpace, actions, data,
                models.Ensemble, models.Reward, plan.Options, a => [a], stats)),
            () => ControlEnvironments.WithTimeLimit(spec.Create(), spec.MaxEpisodeSteps));
        Rewire.Torch.Runtime.TorchRuntime.EnsureLoaded();
        TorchSharp.torch.set_num_threads(1);   // the fastest for these small networks, as `rewire control` defaults
        using var learner = ControlAlgorithms.Create(plan.Dqn, environments, plan.PolicySteps, plan.Seed);
        if (resume && run?.ResumeCheckpoint() is { } checkpoint)
        {
            learner.Load(checkpoint);
            var saved = JsonNode.Parse(File.ReadAllText(Path.Combine(checkpoint, RolloutsFile)))!.AsObject();
            stats.Steps = saved["steps"]!.GetValue<long>();
            stats.FilterTerminations = saved["filter_terminations"]!.GetValue<long>();
            stats.ModelTerminations = saved["model_terminations"]!.GetValue<long>();
            stats.DynamicsRewardSum = saved["dynamics_reward_sum"]!.GetValue<double>();
            stats.PenaltySum = saved["penalty_sum"]!.GetValue<double>();
        }
        void Checkpoint() => run?.Checkpoints.Commit(OfflineRunFolder.CheckpointName, dir =>
        {
            learner.Save(dir);
            AtomicFile.WriteAllText(Path.Combine(dir, RolloutsFile), new JsonObject
            {
                ["updates"] = learner.Updates,
                ["steps"] = stats.Steps,
                ["filter_terminations"] = stats.FilterTerminations,
                ["model_terminations"] = stats.ModelTerminations,
                ["dynamics_reward_sum"] = stats.DynamicsRewardSum,
                ["penalty_sum"] = stats.PenaltySum,
            }.ToJsonString());
        });
        bool completed = true;
        while (!learner.Done)
        {
            if (cancel.IsCancellationRequested)
            {
                completed = false;
                Checkpoint();
                break;
            }
            learner.Update();
            if (!learner.Done && learner.Updates % checkpointEvery == 0) Checkpoint();
            afterUpdate?.Invoke(learner.Updates);
        }
        var returns = completed ? learner.Evaluate(plan.EvalEpisodes, 100_000 + plan.Seed) : [];
        var episodes = plan.Transitions.Count(t => t.EpisodeEnd);
        var elites = models.Ensemble.Elites.Select(k => models.Ensemble.ValidationError[k]).ToList();
        var result = new Result(completed, "morec", plan.Seed, plan.Dataset, spec.Name, plan.Transitions.Count, episodes,
            plan.Transitions.Sum(t => t.Reward) / Math.Max(1, episodes), plan.Options.Filter, models.Reward?.Discriminators ?? 0,
            elites.Average(), plan.PolicySteps, stats.Steps, learner.Episodes, stats.FilterTerminations, stats.ModelTerminations,
            plan.Options.Filter && stats.Steps > 0 ? stats.DynamicsRewardSum / stats.Steps : 0, stats.Steps > 0 ? stats.PenaltySum / stats.Steps : 0,
            returns.Count > 0 ? returns.Average() : 0, returns, run?.Path);
        if (run is not null) run.WriteSummary(result);
        return result;
    }
}
