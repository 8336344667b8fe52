using Rewire.Torch.Models;
using Rewire.Torch.Runtime;

namespace Rewire.Torch.Tests.Generation;

/// <summary>Tiny model configurations shared by the policy tests.</summary>
internal static class TinyModels
{
    public static TransformerConfig Config(
        PositionEncoding positions = PositionEncoding.Rotary, NormKind norm = NormKind.RmsNorm, MlpKind mlp = MlpKind.SwiGlu,
        bool tied = true, bool bias = false, long seed = 1) => new()
    {
        VocabSize = 12, Layers = 2, Heads = 2, Width = 16, ContextLength = 32,
        Positions = positions, Norm = norm, Mlp = mlp, TiedEmbeddings = tied, Bias = bias, Seed = seed,
        // A larger initialisation than GPT-2's gives peaked, seed-dependent distributions, so sampling paths differ visibly.
        InitStd = 0.2,
    };

    public static TransformerPolicy Policy(TransformerConfig? config = null)
    {
        TorchRuntime.EnsureLoaded();
        return new TransformerPolicy(config ?? Config());
    }

    public static IReadOnlyList<IReadOnlyList<int>> MixedPrompts() =>
    [
        [1, 5, 6],
        [1, 4, 4, 7, 8, 9, 3],
        [1],
        [1, 10, 11, 2, 5],
    ];
}

/// <summary>
/// Runs a test class's tests with one LibTorch thread and restores the previous count afterwards: tiny tensors gain
/// nothing from threads, and on a busy shared machine OpenMP spin-waiting made them ten times slower.
/// </summary>
public abstract class SingleThreadedTorchTest : IDisposable
{
    private readonly int _threads;

    protected SingleThreadedTorchTest()
    {
        TorchRuntime.EnsureLoaded();
        _threads = TorchSharp.torch.get_num_threads();
        TorchSharp.torch.set_num_threads(1);
    }

    public void Dispose()
    {
        TorchSharp.torch.set_num_threads(_threads);
        GC.SuppressFinalize(this);
    }
}
