using Rewire.Core.Rewards;
using Rewire.Torch.Models;
using Rewire.Torch.Models.HuggingFace;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Benchmarks;

/// <summary>
/// One workload of <see cref="StepBenchmark"/>: a model and the batch shapes of its figures. The two published workloads
/// (<see cref="PeerTiny"/>, <see cref="SmolLm2"/>) are written the same way in bench/python/bench_step.py, so Rewire and
/// plain PyTorch do the same work on the same machine.
/// </summary>
public sealed record StepWorkload
{
    /// <summary>The name given to <c>rewire bench step --workload</c>.</summary>
    public required string Name { get; init; }

    /// <summary>A fresh random model of the workload's shape, initialised from the seed.</summary>
    public required Func<long, IPolicy> CreatePolicy { get; init; }

    /// <summary>Rows and tokens per row of the training figure (forward, backward, AdamW step on random tokens).</summary>
    public required int TrainBatch { get; init; }
    /// <summary>Tokens per row of the training figure.</summary>
    public required int TrainTokens { get; init; }

    /// <summary>Sequences, prompt tokens and new tokens of the uncached and cached generation figures (no stop token).</summary>
    public required int GenerateBatch { get; init; }
    /// <summary>Prompt tokens per sequence of the generation figures.</summary>
    public required int GeneratePromptTokens { get; init; }
    /// <summary>New tokens sampled per sequence in the generation figures.</summary>
    public required int GenerateNewTokens { get; init; }

    /// <summary>Prompts, group size and maximum new tokens of the GRPO step.</summary>
    public required int GrpoPrompts { get; init; }
    /// <summary>Samples per prompt (group size G) of the GRPO step.</summary>
    public required int GrpoGroupSize { get; init; }
    /// <summary>Maximum new tokens per sample of the GRPO step.</summary>
    public required int GrpoMaxNewTokens { get; init; }

    /// <summary>Tokens of a random GRPO prompt; 0: addition prompts <c>BOS a a + b b =</c> of two-digit a, b.</summary>
    public int GrpoRandomPromptTokens { get; init; }

    /// <summary>The GRPO step's reward: 1 when the completion (the text before EOS) is the prompt's answer, else 0.</summary>
    public Func<Rollout, double> Reward { get; init; } = ExactAnswer;

    /// <summary>The vocabulary the benchmark's tokenizer and random prompts use.</summary>
    public required int VocabSize { get; init; }

    /// <summary>AdamW's learning rate in the training figure and the GRPO step. <value>The default value is 1e-4.</value></summary>
    public double LearningRate { get; init; } = 1e-4;

    /// <summary>PPO-clip ε of the GRPO loss. <value>The default value is 0.2.</value></summary>
    public double ClipEpsilon { get; init; } = 0.2;

    /// <summary>Side of the square float32 matmul of <c>matmul_gflops</c>, and its timed repetitions. <value>2048 and 10.</value></summary>
    public int MatmulSize { get; init; } = 2048;
    /// <summary>Timed repetitions of the matmul figure.</summary>
    public int MatmulRepeats { get; init; } = 10;

    /// <summary>
    /// peer-tiny: a GPT-2-style model (learned positions, pre-LayerNorm, GELU MLP of 4x width, biases, untied head) of
    /// vocabulary 32, width 128, 4 layers, 4 heads, context 64: 809,728 parameters, every weight N(0, 0.02), biases zero.
    /// Training on 64 x 64 random tokens; generation of 64 x 48 new tokens from 16-token prompts; a GRPO step of 64 addition
    /// prompts x group 8 with up to 8 new tokens.
    /// </summary>
    public static StepWorkload PeerTiny { get; } = new()
    {
        Name = "peer-tiny",
        VocabSize = 32,
        CreatePolicy = seed => PeerTinyPolicy(seed),
        TrainBatch = 64,
        TrainTokens = 64,
        GenerateBatch = 64,
        GeneratePromptTokens = 16,
        GenerateNewTokens = 48,
        GrpoPrompts = 64,
        GrpoGroupSize = 8,
        GrpoMaxNewTokens = 8,
    };

    /// <summary>
    /// smollm2-135m: a random model of SmolLM2-135M's exact shape (Llama; width 576, 30 layers, 9 heads, 3 key-value
    /// heads, MLP 1536, vocabulary 49152, tied, RoPE θ 1e5). Training on 4 x 128 random tokens; generation of 8 x 32 new
    /// tokens from 32-token prompts; a GRPO step of 4 random 32-token prompts x group 4 with up to 32 new tokens, reward 0.
    /// </summary>
    public static StepWorkload SmolLm2 { get; } = new()
    {
        Name = "smollm2-135m",
        VocabSize = 49152,
        CreatePolicy = seed => new HfPolicy(HfModelBenchmark.RandomPreset("smollm2-135m", seed)),
        TrainBatch = 4,
        TrainTokens = 128,
        GenerateBatch = 8,
        GeneratePromptTokens = 32,
        GenerateNewTokens = 32,
        GrpoPrompts = 4,
        GrpoGroupSize = 4,
        GrpoMaxNewTokens = 32,
        GrpoRandomPromptTokens = 32,
        Reward = _ => 0.0,
    };

    /// <summary>The workloads by name.</summary>
    public static IReadOnlyDictionary<string, StepWorkload> All { get; } = new Dictionary<string, StepWorkload>(StringComparer.Ordinal)
    {
        [PeerTiny.Name] = PeerTiny,
        [SmolLm2.Name] = SmolLm2,
    };

    /// <summary>peer-tiny's model configuration.</summary>
    public static TransformerConfig PeerTinyConfig(long seed) => new()
    {
        VocabSize = 32,
        Width = 128,
        Layers = 4,
        Heads = 4,
        ContextLength = 64,
        Positions = PositionEncoding.Learned,
        Norm = NormKind.LayerNorm,
        Mlp = MlpKind.Gelu,
        Bias = true,
        TiedEmbeddings = false,
        Seed = seed,
    };

    /// <summary>
    /// peer-tiny's policy: <see cref="TransformerModel"/> re-initialised to the workload's rule, every weight (embeddings,
    /// positions, projections, head) N(0, 0.02) without GPT-2's scaled residual projections, biases zero, norm gains one.
    /// </summary>
    public static TransformerPolicy PeerTinyPolicy(long seed)
    {
        var policy = new TransformerPolicy(PeerTinyConfig(seed));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var g = new Generator((ulong)seed);
        foreach (var (name, p) in policy.Model.named_parameters())
        {
            bool norm = name.Contains("norm", StringComparison.Ordinal);
            if (name.EndsWith(".bias", StringComparison.Ordinal)) p.zero_();
            else if (norm) p.fill_(1.0);
            else p.copy_(randn(p.shape, generator: g) * 0.02);
        }
        return policy;
    }

    /// <summary>1 when the completion equals the prompt's answer, else 0.</summary>
    public static double ExactAnswer(Rollout rollout) =>
        rollout.Prompt.Answer is { } answer && string.Equals(rollout.Completion, answer, StringComparison.Ordinal) ? 1.0 : 0.0;
}
