using FsCheck;
using FsCheck.Xunit;
using Rewire.Core.MultiObjective;

namespace Rewire.Core.Tests.MultiObjective;

public class SimplexTests
{
    [Property]
    public bool Projection_lands_on_the_simplex(NormalFloat[] raw)
    {
        if (raw.Length == 0) return true;
        var v = raw.Select(x => Math.Clamp(x.Get, -1e6, 1e6)).ToArray();
        return Simplex.Contains(Simplex.Project(v));
    }

    [Property]
    public bool Projection_is_the_identity_on_the_simplex(PositiveInt[] raw)
    {
        if (raw.Length == 0) return true;
        var w = Simplex.Normalize(raw.Select(x => (double)x.Get).ToArray());
        var p = Simplex.Project(w);
        return w.Zip(p).All(t => Math.Abs(t.First - t.Second) < 1e-12);
    }

    [Property]
    public bool Softmax_is_on_the_simplex_and_strictly_positive(NormalFloat[] raw)
    {
        if (raw.Length == 0) return true;
        var w = Simplex.Softmax(raw.Select(x => x.Get).ToArray());
        return Simplex.Contains(w) && w.All(x => x > 0);
    }

    [Fact]
    public void Hand_computed_projection()
    {
        // (0.5, 0.5, 0.5) − 1/6 each; (2, 0) → (1, 0).
        Assert.All(Simplex.Project([0.5, 0.5, 0.5]), x => Assert.Equal(1.0 / 3, x, 12));
        Assert.Equal([1.0, 0.0], Simplex.Project([2, 0]));
    }

    [Fact]
    public void Validation_names_the_problem()
    {
        Assert.Contains("sums to", Assert.Throws<ArgumentException>(() => Simplex.Validate([0.5, 0.6], "w")).Message);
        Assert.Contains("non-negative", Assert.Throws<ArgumentException>(() => Simplex.Validate([1.5, -0.5], "w")).Message);
        Assert.Throws<ArgumentException>(() => Simplex.Normalize([0, 0]));
    }
}
