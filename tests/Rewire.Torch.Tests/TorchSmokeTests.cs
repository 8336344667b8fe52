using Rewire.Torch.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Tests;

/// <summary>LibTorch loads on this machine and trains: the end-to-end check of the native-library patch.</summary>
[Collection("torch")]
public class TorchSmokeTests
{
    [Fact]
    public void LibTorchLoadsAndReportsCpu()
    {
        var status = TorchRuntime.Probe();
        Assert.True(status.LibTorchLoaded, status.LoadError);
        Assert.Equal("0.107.0", status.TorchSharpVersion);
        Assert.True(status.Threads >= 1);
    }

    [Fact]
    public void TinyNetworkLearnsXor()
    {
        TorchRuntime.EnsureLoaded();
        using var scope = NewDisposeScope();
        torch.manual_seed(7);
        var x = tensor(new float[] { 0, 0, 0, 1, 1, 0, 1, 1 }).reshape(4, 2);
        var y = tensor(new float[] { 0, 1, 1, 0 }).reshape(4, 1);
        var net = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1));
        using var opt = optim.Adam(net.parameters(), lr: 0.05);
        float first = 0, last = 0;
        for (int step = 0; step < 300; step++)
        {
            using var stepScope = NewDisposeScope();
            opt.zero_grad();
            var loss = nn.functional.binary_cross_entropy_with_logits(net.forward(x), y);
            loss.backward();
            opt.step();
            if (step == 0) first = loss.item<float>();
            last = loss.item<float>();
        }
        Assert.True(last < 0.05f * first, $"loss went from {first} to {last}");
        var predictions = (net.forward(x) > 0).to(ScalarType.Float32);
        Assert.True(torch.allclose(predictions, y), "the network classifies all four XOR inputs");
    }
}
