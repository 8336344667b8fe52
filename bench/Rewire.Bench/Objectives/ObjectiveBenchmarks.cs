// Benchmarks of the token-level objectives (issue 4): each policy objective with its backward pass on 256 responses ×
// 1,024 tokens (float32), next to one forward + backward pass of a stand-in GPT-like policy (4 layers, 4 heads, width
// 128, vocabulary 64, causal nn.TransformerEncoderLayer stack) and of Rewire's default policy model
// (DefaultPolicyModelBenchmark) on the same number of tokens.
// Run: dotnet run -c Release --project bench/Rewire.Bench -- --filter '*Objectives*'
// The stand-in model is measured on ModelBatch × 1,024 tokens and scaled linearly to 256 × 1,024 (see docs/benchmarks.md).
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Rewire.Torch.Objectives.Policy;
using Rewire.Torch.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rewire.Bench.Objectives;

/// <summary>A short, in-process job: LibTorch is loaded once and the machine is shared, so figures are indicative.</summary>
public sealed class ObjectivesConfig : ManualConfig
{
    public ObjectivesConfig() =>
        AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithId("short-inproc"));
}

/// <summary>One objective's loss, diagnostics and backward pass on a 256 × 1,024 batch.</summary>
[Config(typeof(ObjectivesConfig))]
public class ObjectiveBenchmarks
{
    public const int Batch = 256;
    public const int Length = 1024;

    private IPolicyObjective _objective = null!;
    private Tensor _logProb = null!, _old = null!, _adv = null!, _mask = null!, _entropy = null!, _pass = null!;

    [ParamsSource(nameof(Names))]
    public string Objective { get; set; } = "vanilla";

    public static IEnumerable<string> Names => PolicyObjectives.Registry.Names.Where(n => n is not ("ppo" or "grpo" or "gmpo"));

    [GlobalSetup]
    public void Setup()
    {
        TorchRuntime.EnsureLoaded();
        torch.set_num_threads(2);
        var g = new Generator(1);
        _old = (-torch.rand([Batch, Length], generator: g) * 3 - 0.01f).DetachFromDisposeScope();
        _logProb = (_old + 0.1f * torch.randn([Batch, Length], generator: g)).detach().requires_grad_(true);
        var rowAdv = torch.randn([Batch, 1], generator: g);
        _adv = rowAdv.expand(Batch, Length).contiguous();
        var lengths = torch.randint(Length / 4, Length + 1, [Batch, 1], generator: g);
        _mask = (torch.arange(Length).unsqueeze(0) < lengths).to_type(ScalarType.Float32);
        _entropy = torch.rand([Batch, Length], generator: g) * 4;
        _pass = torch.rand([Batch], generator: g);
        var options = Objective switch
        {
            "clip_cov" => new PolicyObjectiveOptions { ClipCov = new ClipCovOptions { LowerBound = -5, UpperBound = 5 } },
            "dhpo" => new PolicyObjectiveOptions { Dhpo = new DhpoOptions { Mixing = DhpoMixing.EntropyGuided } },
            _ => new PolicyObjectiveOptions(),
        };
        _objective = PolicyObjectives.Create(Objective, options);
    }

    [Benchmark]
    public double LossAndBackward()
    {
        using var scope = NewDisposeScope();
        var input = new PolicyLossInput(_logProb, _old, _adv, _mask) { Entropy = _entropy, PassRate = _pass };
        var result = _objective.Compute(input);
        result.Loss.backward();
        return result.Metrics[PolicyMetricNames.ClipFraction];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        (_objective as IDisposable)?.Dispose();
        foreach (var t in new[] { _logProb, _old, _adv, _mask, _entropy, _pass }) t.Dispose();
    }
}

/// <summary>Forward + backward of the stand-in policy on ModelBatch × 1,024 tokens.</summary>
[Config(typeof(ObjectivesConfig))]
public class StandInPolicyModelBenchmark
{
    private const int Vocab = 64, Width = 128, Heads = 4, Layers = 4;
    private Embedding _embed = null!;
    private TransformerEncoder _encoder = null!;
    private Linear _head = null!;
    private Tensor _tokens = null!, _targets = null!, _causal = null!;

    /// <summary>Responses per measured pass; scale by 256 / ModelBatch for the 256 × 1,024 batch.</summary>
    [Params(4)]
    public int ModelBatch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        TorchRuntime.EnsureLoaded();
        torch.set_num_threads(2);
        torch.manual_seed(1);
        _embed = nn.Embedding(Vocab, Width);
        _encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(Width, Heads, 4 * Width, dropout: 0.0), Layers);
        _head = nn.Linear(Width, Vocab);
        var g = new Generator(2);
        _tokens = torch.randint(0, Vocab, [ObjectiveBenchmarks.Length, ModelBatch], generator: g);
        _targets = torch.randint(0, Vocab, [ObjectiveBenchmarks.Length, ModelBatch], generator: g);
        _causal = torch.triu(torch.full(ObjectiveBenchmarks.Length, ObjectiveBenchmarks.Length, float.NegativeInfinity), 1);
    }

    [Benchmark]
    public double ForwardBackward()
    {
        using var scope = NewDisposeScope();
        var h = _encoder.call(_embed.call(_tokens), _causal);
        var logp = nn.functional.log_softmax(_head.call(h), -1).gather(-1, _targets.unsqueeze(-1));
        var loss = -logp.mean();
        loss.backward();
        return loss.item<float>();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _embed.Dispose(); _encoder.Dispose(); _head.Dispose();
        _tokens.Dispose(); _targets.Dispose(); _causal.Dispose();
    }
}

/// <summary>
/// Forward + backward of Rewire's own policy model (<see cref="Rewire.Torch.Models.TransformerPolicy"/> with the default
/// <see cref="Rewire.Torch.Models.TransformerConfig"/>: 4 layers, width 128, 4 heads, RoPE, RMSNorm, SwiGLU, fused
/// attention), with its context raised to 1,024 so a response fits, on ModelBatch × 1,024 tokens.
/// </summary>
[Config(typeof(ObjectivesConfig))]
public class DefaultPolicyModelBenchmark
{
    private Rewire.Torch.Models.TransformerPolicy _policy = null!;
    private Tensor _tokens = null!, _targets = null!;

    /// <summary>Responses per measured pass; scale by 256 / ModelBatch for the 256 × 1,024 batch.</summary>
    [Params(4)]
    public int ModelBatch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        TorchRuntime.EnsureLoaded();
        torch.set_num_threads(2);
        var config = new Rewire.Torch.Models.TransformerConfig { ContextLength = ObjectiveBenchmarks.Length, Seed = 1 }.Validate();
        _policy = new Rewire.Torch.Models.TransformerPolicy(config);
        var g = new Generator(2);
        _tokens = torch.randint(0, config.VocabSize, [ModelBatch, ObjectiveBenchmarks.Length], generator: g);
        _targets = torch.randint(0, config.VocabSize, [ModelBatch, ObjectiveBenchmarks.Length], generator: g);
    }

    [Benchmark]
    public double ForwardBackward()
    {
        using var scope = NewDisposeScope();
        var logp = nn.functional.log_softmax(_policy.Forward(_tokens), -1).gather(-1, _targets.unsqueeze(-1));
        var loss = -logp.mean();
        loss.backward();
        return loss.item<float>();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _policy.Dispose();
        _tokens.Dispose();
        _targets.Dispose();
    }
}
