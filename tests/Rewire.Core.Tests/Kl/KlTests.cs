using FsCheck.Xunit;
using Rewire.Core.Kl;
using Rewire.Core.Stats;

namespace Rewire.Core.Tests.Kl;

public sealed class KlTests
{
    [Fact]
    public void Adaptive_controller_hand_computed_and_clipped()
    {
        var c = new AdaptiveKlController(0.2, 6.0, 100);
        c.Update(7.2, 10);           // error = 0.2 (exactly at the clip): beta *= 1 + 0.2*10/100
        Assert.Equal(0.2 * 1.02, c.Value, 15);
        c.Update(600, 10);           // error clipped to +0.2
        Assert.Equal(0.2 * 1.02 * 1.02, c.Value, 15);
        c.Update(0, 50);             // error clipped to -0.2
        Assert.Equal(0.2 * 1.02 * 1.02 * 0.9, c.Value, 15);
    }

    [Property(MaxTest = 100)]
    public bool Adaptive_beta_moves_toward_the_target(FsCheck.NormalFloat klRaw, FsCheck.PositiveInt steps)
    {
        double kl = Math.Abs(klRaw.Get) % 20;
        var c = new AdaptiveKlController(0.1, 6.0, 1000);
        c.Update(kl, steps.Get % 500);
        return kl > 6.0 ? c.Value >= 0.1 : c.Value <= 0.1;
    }

    [Fact]
    public void Fixed_controller_never_changes_and_registry_names_errors()
    {
        var f = KlControllerRegistry.Default.Create("fixed", new KlControllerConfig { KlCoef = 0.05 });
        f.Update(100, 100);
        Assert.Equal(0.05, f.Value);
        var ex = Assert.Throws<KeyNotFoundException>(() => KlControllerRegistry.Default.Create("adaptve"));
        Assert.Contains("adaptive, fixed", ex.Message);
        Assert.Throws<InvalidOperationException>(() => KlControllerRegistry.CreateDefault().Register("fixed", _ => f));
        Assert.Contains("horizon", Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveKlController(0.1, 1, 0)).Message);
    }

    [Fact]
    public void Kl_in_reward_subtracts_beta_times_the_log_ratio()
    {
        var scores = TokenMatrix.From(new double[,] { { 0, 1 } });
        var old = TokenMatrix.From(new double[,] { { -1, -2 } });
        var reference = TokenMatrix.From(new double[,] { { -1.5, -1 } });
        var r = KlInReward.Apply(scores, old, reference, 0.1);
        Assert.Equal(0 - 0.1 * 0.5, r[0, 0], 15);
        Assert.Equal(1 - 0.1 * -1, r[0, 1], 15);
        Assert.Throws<ArgumentException>(() => KlInReward.Apply(scores, new TokenMatrix(2, 2), reference, 0.1));
    }
}
