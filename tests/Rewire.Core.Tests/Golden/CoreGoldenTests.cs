using System.Text;
using Rewire.Core.Advantages;
using Rewire.Core.Kl;
using Rewire.Core.Stats;
using Rewire.Golden;
using Xunit.Abstractions;

namespace Rewire.Core.Tests.Golden;

/// <summary>
/// Runs every golden case whose function <see cref="GoldenLayers.Owner"/> gives to the core layer against Rewire's
/// implementation, through the single map <see cref="CoreGoldenMap.Functions"/>. Cases a <see cref="GoldenRules"/> rule
/// covers are left to that rule's decision test.
/// </summary>
public sealed class CoreGoldenTests(ITestOutputHelper output)
{
    private static readonly Lazy<IReadOnlyList<GoldenCase>> Cases = new(GoldenFiles.LoadAll);

    [Fact]
    public void Every_core_case_matches_the_reference()
    {
        var run = CoreGoldenRunner.Run(Cases.Value);
        output.WriteLine($"Golden folder: {GoldenFiles.Directory()}{(GoldenFiles.Overridden ? $" (from {GoldenFiles.OverrideVariable})" : " (bundled)")}");
        output.WriteLine(run.Report());
        // The bundled folder covers every core function; another family may cover fewer (reported, not failed).
        run.AssertPassed(requireEveryFunction: !GoldenFiles.Overridden);
    }

    [Fact]
    public void The_golden_folder_holds_cases_and_every_function_has_an_owner_layer()
    {
        Assert.NotEmpty(Cases.Value);
        var unknown = Cases.Value.Select(c => c.Function).Distinct().Where(f => !GoldenLayers.Owner.ContainsKey(f)).ToList();
        Assert.True(unknown.Count == 0, "Functions missing from GoldenLayers.Owner: " + string.Join(", ", unknown));
    }

    [Fact]
    public void Functions_not_mapped_here_belong_to_the_torch_layer()
    {
        foreach (var function in Cases.Value.Select(c => c.Function).Distinct())
        {
            if (CoreGoldenMap.Functions.ContainsKey(function)) Assert.Equal(GoldenLayers.Core, GoldenLayers.Owner[function]);
            else Assert.Equal(GoldenLayers.Torch, GoldenLayers.Owner[function]);
        }
    }

    [Fact]
    public void The_bundled_cases_are_the_public_verl_family_with_its_source_noted()
    {
        var dir = GoldenFiles.BundledDirectory();
        var verl = GoldenFiles.LoadBundled().Where(c => c.File == "verl-core-algos.public.json").ToList();
        Assert.Equal(384, verl.Count);
        Assert.All(verl, c => Assert.StartsWith("A/", c.Id, StringComparison.Ordinal));
        var source = File.ReadAllText(Path.Combine(dir, "SOURCE.md"));
        Assert.Contains("b178a3cd56f58b2d502255daba591e92833930a7", source);
        Assert.Contains("Apache License, Version 2.0", source);
    }
}

/// <summary>The core-layer golden runner over any family of cases, and its report.</summary>
public static class CoreGoldenRunner
{
    public sealed record Result(
        IReadOnlyList<string> Failures,
        IReadOnlyDictionary<string, int> CheckedPerFunction,
        IReadOnlyDictionary<string, List<string>> LeftToRules,
        IReadOnlyList<GoldenCase> Cases)
    {
        public string Report()
        {
            var report = new StringBuilder();
            foreach (var (function, n) in CheckedPerFunction) report.AppendLine($"  {function}: {n} case(s) checked");
            var absent = CoreGoldenMap.Functions.Keys.Where(f => !CheckedPerFunction.ContainsKey(f)).ToList();
            if (absent.Count > 0) report.AppendLine($"  no case checked for: {string.Join(", ", absent)}");
            foreach (var line in GoldenRules.Coverage(Cases, GoldenLayers.Core)) report.AppendLine(line);
            return report.ToString();
        }

        public void AssertPassed(bool requireEveryFunction)
        {
            Assert.True(Failures.Count == 0, $"{Failures.Count} golden mismatch(es):\n" + string.Join("\n", Failures));
            // Another family (REWIRE_GOLDEN_DIR) may cover fewer functions; the bundled one must cover every one.
            if (requireEveryFunction)
                foreach (var function in CoreGoldenMap.Functions.Keys)
                    Assert.True(CheckedPerFunction.GetValueOrDefault(function) > 0, $"No golden case was checked for {function}.");
        }
    }

    public static Result Run(IEnumerable<GoldenCase> cases)
    {
        var all = cases.ToList();
        var failures = new List<string>();
        var checkedPerFunction = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var leftToRules = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var c in all)
        {
            if (!GoldenLayers.Owner.TryGetValue(c.Function, out var layer) || layer != GoldenLayers.Core) continue;
            if (GoldenRules.Find(c) is { } rule)
            {
                if (!leftToRules.TryGetValue(rule.Name, out var ids)) leftToRules[rule.Name] = ids = [];
                ids.Add(c.Id);
                continue;
            }
            if (!CoreGoldenMap.Functions.TryGetValue(c.Function, out var fn))
            {
                failures.Add($"{c.Id}: function {c.Function} belongs to the core layer but is not implemented (add it to CoreGoldenMap.Functions).");
                continue;
            }
            var problem = Check(c, fn);
            if (problem is not null) failures.Add($"{c.Id} ({c.Note}): {problem}");
            checkedPerFunction[c.Function] = checkedPerFunction.GetValueOrDefault(c.Function) + 1;
        }
        return new Result(failures, checkedPerFunction, leftToRules, all);
    }

    public static string? Check(GoldenCase c, CoreGoldenMap.Function fn)
    {
        IReadOnlyDictionary<string, double[]> got;
        try
        {
            got = fn.Run(c);
        }
        catch (Exception ex) when (c.ExpectsError)
        {
            return ex is ArgumentException or InvalidOperationException
                ? null
                : $"expected a clear refusal ({c.ErrorType}) but got {ex.GetType().Name}: {ex.Message}";
        }
        catch (Exception ex)
        {
            return $"threw {ex.GetType().Name}: {ex.Message}";
        }
        if (c.ExpectsError) return $"verl refuses these inputs ({c.ErrorType}: {c.Error.GetProperty("message").GetString()}) but Rewire accepted them.";

        foreach (var expectedOutput in c.Outputs.EnumerateObject())
        {
            if (!got.TryGetValue(expectedOutput.Name, out var actual)) return $"Rewire produced no output '{expectedOutput.Name}'.";
            var (expected, _) = GoldenJson.ToTensor(expectedOutput.Value);
            if (expected.Length != actual.Length) return $"output '{expectedOutput.Name}' has {actual.Length} values, expected {expected.Length}.";
            for (int k = 0; k < expected.Length; k++)
                if (!GoldenFiles.Close(actual[k], expected[k], fn.Tolerance))
                    return $"output '{expectedOutput.Name}'[{k}] = {actual[k]:R}, expected {expected[k]:R} (tolerance {fn.Tolerance:g} relative).";
        }
        return null;
    }
}

/// <summary>The one place that maps verl's function names to Rewire's core implementations (with their tolerance).</summary>
public static class CoreGoldenMap
{
    public sealed record Function(Func<GoldenCase, IReadOnlyDictionary<string, double[]>> Run, double Tolerance = 1e-9);

    /// <summary>
    /// Tolerances follow tests/golden/README.md: float32 leaks into verl's GRPO singleton divisor and GPG's alpha
    /// (1e-7) and into grpo_vectorized's group statistics (2e-5); everything else is 1e-9.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, Function> Functions = new Dictionary<string, Function>
    {
        ["compute_grpo_outcome_advantage"] = new(c => Advantage(c, "grpo"), 1e-7),
        ["compute_grpo_vectorized_outcome_advantage"] = new(c => Advantage(c, "grpo_vectorized"), 2e-5),
        ["compute_rloo_outcome_advantage"] = new(c => Advantage(c, "rloo")),
        ["compute_rloo_vectorized_outcome_advantage"] = new(c => Advantage(c, "rloo_vectorized")),
        ["compute_opo_outcome_advantage"] = new(c => Advantage(c, "opo")),
        ["compute_reinforce_plus_plus_baseline_outcome_advantage"] = new(c => Advantage(c, "reinforce_plus_plus_baseline")),
        ["compute_gpg_outcome_advantage"] = new(c => Advantage(c, "gpg"), 1e-7),
        ["compute_grpo_passk_outcome_advantage"] = new(c => Advantage(c, "grpo_passk")),
        ["compute_gae_advantage_return"] = new(c => Advantage(c, "gae")),
        ["compute_reinforce_plus_plus_outcome_advantage"] = new(c => Advantage(c, "reinforce_plus_plus")),
        ["compute_remax_outcome_advantage"] = new(c => Advantage(c, "remax")),
        ["compute_optimal_token_baseline_advantage"] = new(c => Advantage(c, "optimal_token_baseline")),
        ["compute_multi_turn_optimal_token_baseline_advantage"] = new(c => Advantage(c, "tir_optimal_token_baseline")),
        ["compute_rewards"] = new(c => One("rewards", KlInReward.Apply(M(c, "token_level_scores"), M(c, "old_log_prob"), M(c, "ref_log_prob"), c.KwDouble("kl_ratio", double.NaN)).Data)),
        ["AdaptiveKLController.update"] = new(AdaptiveKl),
        ["masked_sum"] = new(c => MaskedReduce(c, MaskedStats.Sum, MaskedStats.RowSums, MaskedStats.ColumnSums)),
        ["masked_mean"] = new(c => MaskedReduce(c, MaskedStats.Mean, MaskedStats.RowMeans, MaskedStats.ColumnMeans)),
        ["masked_var"] = new(c => One("result", [MaskedStats.Variance(M(c, "values").Data, M(c, "mask").Data, c.KwBool("unbiased", true))])),
        ["masked_whiten"] = new(c => One("result", MaskedStats.Whiten(M(c, "values"), M(c, "mask"), c.KwBool("shift_mean", true)).Data)),
    };

    private static IReadOnlyDictionary<string, double[]> Advantage(GoldenCase c, string registryName)
    {
        var config = new AdvantageConfig
        {
            Epsilon = c.KwDoubleOrNull("epsilon"),
            // verl's grpo_passk reads config.norm_adv_by_std_in_grpo and ignores the kwarg: config wins here.
            NormalizeByStd = c.TryConfig("norm_adv_by_std_in_grpo", out var n) ? n.GetBoolean() : c.TryKwarg("norm_adv_by_std_in_grpo", out var k) ? k.GetBoolean() : null,
            Gamma = c.TryConfig("gamma", out var g) ? GoldenJson.ToDouble(g) : c.KwDoubleOrNull("gamma"),
            Lambda = c.KwDoubleOrNull("lam"),
            FNorm = c.KwDoubleOrNull("f_norm"),
            HandleZeroTail = c.TryKwarg("handle_zero_tail", out var h) ? h.GetBoolean() : null,
        };
        var estimator = AdvantageEstimatorRegistry.Default.Create(registryName, config);
        var input = new AdvantageInput(M(c, "token_level_rewards"), M(c, "response_mask"))
        {
            Index = c.HasInput("index") ? GroupIndex.FromLabels(c.IndexInput()) : null,
            Values = c.HasInput("values") ? M(c, "values") : null,
            RewardBaselines = c.HasInput("reward_baselines") ? c.Input1D("reward_baselines") : null,
            OldLogProbs = c.HasInput("old_log_probs") ? M(c, "old_log_probs") : null,
            SumPiSquared = c.HasInput("sum_pi_squared") ? M(c, "sum_pi_squared") : null,
            RolloutIsWeights = c.HasInput("rollout_is_weights") ? M(c, "rollout_is_weights") : null,
        };
        var result = estimator.Compute(input);
        return new Dictionary<string, double[]> { ["advantages"] = result.Advantages.Data, ["returns"] = result.Returns.Data };
    }

    private static IReadOnlyDictionary<string, double[]> AdaptiveKl(GoldenCase c)
    {
        var controller = (AdaptiveKlController)KlControllerRegistry.Default.Create("adaptive", new KlControllerConfig
        {
            KlCoef = c.KwDouble("init_kl_coef", double.NaN),
            TargetKl = c.KwDouble("target_kl", double.NaN),
            Horizon = c.KwDouble("horizon", double.NaN),
        });
        var updates = c.Input("updates").EnumerateArray().Select(GoldenJson.To1D).ToArray();
        var values = new double[updates.Length];
        for (int i = 0; i < updates.Length; i++)
        {
            controller.Update(updates[i][0], checked((int)updates[i][1]));
            values[i] = controller.Value;
        }
        return One("values", values);
    }

    private delegate double Whole(ReadOnlySpan<double> values, ReadOnlySpan<double> mask);
    private delegate void Axis(TokenMatrix values, TokenMatrix mask, Span<double> destination);

    private static IReadOnlyDictionary<string, double[]> MaskedReduce(GoldenCase c, Whole whole, Axis rows, Axis columns)
    {
        var values = M(c, "values");
        var mask = M(c, "mask");
        if (!c.TryKwarg("axis", out var axisElement)) return One("result", [whole(values.Data, mask.Data)]);
        int axis = axisElement.GetInt32();
        if (axis is -1 or 1)
        {
            var r = new double[values.Rows];
            rows(values, mask, r);
            return One("result", r);
        }
        if (axis is 0)
        {
            var r = new double[values.Cols];
            columns(values, mask, r);
            return One("result", r);
        }
        throw new ArgumentException($"Unsupported axis {axis} in golden case {c.Id}.");
    }

    private static TokenMatrix M(GoldenCase c, string name) => TokenMatrix.From(c.Input2D(name));

    private static IReadOnlyDictionary<string, double[]> One(string name, double[] values) => new Dictionary<string, double[]> { [name] = values };
}
