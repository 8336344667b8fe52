using System.Text.Json;
using Rewire.Golden;
using Rewire.Torch.Objectives.Aggregation;
using Rewire.Torch.Objectives.Entropy;
using Rewire.Torch.Objectives.Kl;
using Rewire.Torch.Objectives.Policy;
using Rewire.Torch.Objectives.Value;
using Rewire.Torch.Runtime;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Rewire.Torch.Tests.Golden;

/// <summary>
/// Runs every golden case that GoldenLayers gives to the torch layer through TorchSharp in float64 and compares it with
/// the reference's output, gradients included. Fails on any mismatch, unknown function, or accepted input that the
/// reference refuses. Cases a <see cref="GoldenRules"/> rule covers are left to that rule's decision test.
/// </summary>
[Collection("torch")]
public class TorchGoldenTests(ITestOutputHelper output)
{
    /// <summary>The README's general tolerance holds for every torch-layer case (no float32 leaks in this layer).</summary>
    private const double Tolerance = 1e-9;

    [Fact]
    public void EveryTorchLayerCaseMatchesTheReference()
    {
        output.WriteLine($"Golden folder: {GoldenFiles.Directory()}{(GoldenFiles.Overridden ? $" (from {GoldenFiles.OverrideVariable})" : " (bundled)")}");
        // The bundled folder covers every torch function; another family may cover fewer (reported, not failed).
        RunAndAssert(GoldenFiles.LoadAll(), requireEveryFunction: !GoldenFiles.Overridden);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4242)]
    public void EveryTorchLayerCaseOfARelabelledFamilyMatches(int seed)
    {
        var bundled = GoldenFiles.LoadBundled();
        var relabelled = GoldenFamilies.Relabel(bundled, seed);
        Assert.Equal(bundled.Count, relabelled.Count);
        Assert.NotEqual(bundled.Select(c => c.Function), relabelled.Select(c => c.Function)); // shuffled
        RunAndAssert(relabelled, requireEveryFunction: true);
    }

    private void RunAndAssert(IReadOnlyList<GoldenCase> all, bool requireEveryFunction)
    {
        TorchRuntime.EnsureLoaded();
        var cases = all.Where(c => GoldenLayers.Owner.TryGetValue(c.Function, out var l) && l == GoldenLayers.Torch).ToList();
        var failures = new List<string>();
        var passed = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var c in cases)
        {
            if (GoldenRules.Find(c) is not null) continue;
            using var scope = NewDisposeScope();
            var problems = Run(c);
            if (problems.Count == 0) passed[c.Function] = passed.GetValueOrDefault(c.Function) + 1;
            else failures.AddRange(problems.Select(p => $"{c.Id} ({c.Note}): {p}"));
        }
        foreach (var (f, n) in passed) output.WriteLine($"  {f}: {n} passed");
        foreach (var line in GoldenRules.Coverage(cases, GoldenLayers.Torch)) output.WriteLine(line);
        var torchFunctions = GoldenLayers.Owner.Where(kv => kv.Value == GoldenLayers.Torch).Select(kv => kv.Key).ToList();
        var absent = torchFunctions.Where(f => passed.GetValueOrDefault(f) == 0).ToList();
        if (absent.Count > 0) output.WriteLine($"  no case checked for: {string.Join(", ", absent)}");
        Assert.True(failures.Count == 0, $"{failures.Count} golden mismatches:\n" + string.Join("\n", failures.Take(60)));
        if (requireEveryFunction) Assert.True(absent.Count == 0, $"no golden case of {string.Join(", ", absent)} ran");
    }

    private static List<string> Run(GoldenCase c)
    {
        var problems = new List<string>();
        try
        {
            Action<List<string>> check = c.Function switch
            {
                "agg_loss" => AggLoss(c),
                "compute_policy_loss_vanilla" => Policy(c, "vanilla", aggFromKwargs: true),
                "compute_policy_loss" => DeprecatedPpo(c),
                "compute_policy_loss_gspo" => Policy(c, "gspo_token", aggFromKwargs: false),
                "compute_policy_loss_sapo" => Policy(c, "sapo", aggFromKwargs: false),
                "compute_policy_loss_gpg" => Policy(c, "gpg", aggFromKwargs: true),
                "compute_policy_loss_clip_cov" => Policy(c, "clip_cov", aggFromKwargs: true),
                "compute_policy_loss_kl_cov" => Policy(c, "kl_cov", aggFromKwargs: true),
                "compute_policy_loss_geo_mean" => Policy(c, "geo_mean", aggFromKwargs: false),
                "compute_policy_loss_cispo" => Policy(c, "cispo", aggFromKwargs: true),
                "compute_policy_loss_reinforce" => Policy(c, "reinforce", aggFromKwargs: true),
                "compute_value_loss" => ValueLoss(c),
                "kl_penalty" => KlPenalty(c),
                "compute_entropy_loss" => EntropyLossCase(c),
                "entropy_from_logits" => p => CompareTensor(p, "entropy", EntropyFromLogits.Compute(T(c.Input("logits"))), c.Output("entropy")),
                "calculate_sum_pi_squared_from_logits" => p => CompareTensor(p, "sum_pi_squared", EntropyFromLogits.SumPiSquared(T(c.Input("logits"))), c.Output("sum_pi_squared")),
                _ => throw new NotSupportedException($"no torch-layer implementation is mapped to {c.Function}"),
            };
            check(problems);
            if (c.ExpectsError) problems.Add($"verl raises {c.ErrorType} ({c.Error.GetProperty("message").GetString()}) but Rewire accepted the input");
        }
        catch (NotSupportedException e)
        {
            problems.Add(e.Message);
        }
        catch (Exception e) when (c.ExpectsError && e is ArgumentException or InvalidOperationException or KeyNotFoundException)
        {
            // Refused, as the reference does (an unknown technique name is NamedRegistry's KeyNotFoundException).
        }
        catch (Exception e)
        {
            problems.Add($"threw {e.GetType().Name}: {e.Message}");
        }
        return problems;
    }

    private static Tensor T(JsonElement e)
    {
        var (values, shape) = GoldenJson.ToTensor(e);
        return torch.tensor(values, dtype: ScalarType.Float64).reshape(shape.Select(x => (long)x).ToArray());
    }

    private static AggregationContext Context(JsonElement? info, bool verlNaN = false)
    {
        var ctx = new AggregationContext { PropagateMaskedNaN = verlNaN };
        if (info is not { ValueKind: JsonValueKind.Object } o) return ctx;
        double? D(string n) => o.TryGetProperty(n, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
        return ctx with
        {
            DpSize = (int)(D("dp_size") ?? 1),
            BatchNumTokens = D("batch_num_tokens"),
            GlobalBatchSize = D("global_batch_size"),
            LossScaleFactor = D("loss_scale_factor"),
        };
    }

    private static Action<List<string>> AggLoss(GoldenCase c)
    {
        var ctx = Context(c.Kwargs, verlNaN: true);
        var agg = LossAggregators.Get(c.KwString("loss_agg_mode")!);
        var loss = agg.Aggregate(T(c.Input("loss_mat")), T(c.Input("loss_mask")), ctx);
        return p => CompareScalar(p, "loss", loss.item<double>(), c.Output("loss"));
    }

    private static PolicyObjectiveOptions OptionsFromConfig(GoldenCase c, string? aggMode)
    {
        double? Cfg(string n) => c.TryConfig(n, out var v) ? GoldenJson.ToDouble(v) : null;
        double? Sub(string n) => c.TryConfig("policy_loss", out var pl) && pl.TryGetProperty(n, out var v) && v.ValueKind != JsonValueKind.Null ? GoldenJson.ToDouble(v) : null;
        return new PolicyObjectiveOptions
        {
            ClipRatio = Cfg("clip_ratio") ?? 0.2,
            ClipRatioLow = Cfg("clip_ratio_low"),
            ClipRatioHigh = Cfg("clip_ratio_high"),
            ClipRatioC = Cfg("clip_ratio_c") ?? 3.0,
            LossAggMode = aggMode,
            Sapo = new SapoOptions { TauPos = Cfg("tau_pos") ?? 1.0, TauNeg = Cfg("tau_neg") ?? 1.05 },
            ClipCov = new ClipCovOptions { Ratio = Sub("clip_cov_ratio") ?? 0.0002, LowerBound = Sub("clip_cov_lb") ?? 1.0, UpperBound = Sub("clip_cov_ub") ?? 5.0 },
            KlCov = new KlCovOptions { Ratio = Sub("kl_cov_ratio") ?? 0.0002, KlCoefficient = Sub("ppo_kl_coef") ?? 1.0 },
        };
    }

    private static Action<List<string>> Policy(GoldenCase c, string name, bool aggFromKwargs)
    {
        var options = OptionsFromConfig(c, aggFromKwargs ? c.KwString("loss_agg_mode") ?? "token-mean" : null);
        var objective = PolicyObjectives.Create(name, options);
        var logProb = T(c.Input("log_prob")).requires_grad_(true);
        var input = new PolicyLossInput(logProb, T(c.Input("old_log_prob")), T(c.Input("advantages")), T(c.Input("response_mask")))
        {
            RolloutIsWeights = c.HasInput("rollout_is_weights") ? T(c.Input("rollout_is_weights")) : null,
            Aggregation = Context(c.TryConfig("global_batch_info", out var gbi) ? gbi : null),
        };
        var result = objective.Compute(input);
        result.Loss.backward();
        var grad = logProb.grad!;
        return p =>
        {
            CompareScalar(p, "pg_loss", result.Loss.item<double>(), c.Output("pg_loss"));
            CompareTensor(p, "grad_log_prob", grad, c.Output("grad_log_prob"));
            foreach (var metric in c.Output("metrics").EnumerateObject())
            {
                var key = metric.Name.StartsWith("actor/", StringComparison.Ordinal) ? metric.Name["actor/".Length..] : metric.Name;
                if (!result.Metrics.TryGetValue(key, out var got)) p.Add($"metric {metric.Name} is missing");
                else CompareScalar(p, metric.Name, got, metric.Value);
            }
        };
    }

    private static Action<List<string>> DeprecatedPpo(GoldenCase c)
    {
        var options = new PolicyObjectiveOptions
        {
            ClipRatio = c.KwDouble("cliprange", 0.2),
            ClipRatioLow = c.KwDoubleOrNull("cliprange_low"),
            ClipRatioHigh = c.KwDoubleOrNull("cliprange_high"),
            ClipRatioC = c.KwDouble("clip_ratio_c", 3.0),
            LossAggMode = c.KwString("loss_agg_mode") ?? "token-mean",
        };
        var logProb = T(c.Input("log_prob")).requires_grad_(true);
        var result = PolicyObjectives.Create("vanilla", options).Compute(
            new PolicyLossInput(logProb, T(c.Input("old_log_prob")), T(c.Input("advantages")), T(c.Input("response_mask"))));
        result.Loss.backward();
        var grad = logProb.grad!;
        return p =>
        {
            CompareScalar(p, "pg_loss", result.Loss.item<double>(), c.Output("pg_loss"));
            CompareScalar(p, "pg_clipfrac", result.Metrics[PolicyMetricNames.ClipFraction], c.Output("pg_clipfrac"));
            CompareScalar(p, "ppo_kl", result.Metrics[PolicyMetricNames.ApproxKl], c.Output("ppo_kl"));
            CompareScalar(p, "pg_clipfrac_lower", result.Metrics[PolicyMetricNames.ClipFractionLowerVerl], c.Output("pg_clipfrac_lower"));
            CompareTensor(p, "grad_log_prob", grad, c.Output("grad_log_prob"));
        };
    }

    private static Action<List<string>> ValueLoss(GoldenCase c)
    {
        var vpreds = T(c.Input("vpreds")).requires_grad_(true);
        var loss = new ClippedValueLoss(c.KwDouble("cliprange_value", 0.5), c.KwString("loss_agg_mode") ?? "token-mean");
        var (vf, frac) = loss.Compute(vpreds, T(c.Input("returns")), T(c.Input("values")), T(c.Input("response_mask")));
        vf.backward();
        var grad = vpreds.grad!;
        return p =>
        {
            CompareScalar(p, "vf_loss", vf.item<double>(), c.Output("vf_loss"));
            CompareScalar(p, "vf_clipfrac", frac, c.Output("vf_clipfrac"));
            CompareTensor(p, "grad_vpreds", grad, c.Output("grad_vpreds"));
        };
    }

    private static Action<List<string>> KlPenalty(GoldenCase c)
    {
        var kl = KlEstimators.Get(c.KwString("kl_penalty")!).Compute(T(c.Input("logprob")), T(c.Input("ref_logprob")));
        return p => CompareTensor(p, "kl", kl, c.Output("kl"));
    }

    private static Action<List<string>> EntropyLossCase(GoldenCase c)
    {
        var loss = EntropyLoss.Compute(T(c.Input("logits")), T(c.Input("response_mask")), c.KwString("loss_agg_mode") ?? "token-mean");
        return p => CompareScalar(p, "entropy_loss", loss.item<double>(), c.Output("entropy_loss"));
    }

    private static void CompareScalar(List<string> problems, string name, double got, JsonElement expected)
    {
        double exp = GoldenJson.ToDouble(expected);
        if (!GoldenFiles.Close(got, exp, Tolerance)) problems.Add($"{name}: got {got:R}, expected {exp:R}");
    }

    private static void CompareTensor(List<string> problems, string name, Tensor got, JsonElement expected)
    {
        var (values, shape) = GoldenJson.ToTensor(expected);
        if (!got.shape.SequenceEqual(shape.Select(x => (long)x)))
        {
            problems.Add($"{name}: shape [{string.Join(", ", got.shape)}], expected [{string.Join(", ", shape)}]");
            return;
        }
        var actual = got.detach().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
        for (int i = 0; i < values.Length; i++)
            if (!GoldenFiles.Close(actual[i], values[i], Tolerance))
            {
                problems.Add($"{name}[{i}]: got {actual[i]:R}, expected {values[i]:R}");
                return;
            }
    }
}
