using Rewire.Classic.QualityDiversity;

namespace Rewire.Classic.Tests.QualityDiversity;

public class QdCoreTests
{
    private static Evaluation E(double ret, double x, double y, long id = 0) =>
        new([ret], ret, [x, y], [(float)x, (float)y], false, 1) { Id = id };

    private static readonly BehaviorSpace Unit = new("test", [0, 0], [1, 1], 2, o => [o[0], o[1]]);

    [Fact]
    public void Grid_archive_inserts_in_empty_cells_replaces_only_strictly_fitter_elites()
    {
        var g = new GridArchive(Unit); // 2 x 2 cells
        Assert.True(g.TryInsert(E(1.0, 0.1, 0.1)));   // cell 0
        Assert.True(g.TryInsert(E(0.5, 0.9, 0.1)));   // cell 1 (x index 1, y index 0 → 1·2 + 0 = 2) - a different cell
        Assert.Equal(2, g.Count);
        Assert.False(g.TryInsert(E(0.9, 0.2, 0.3)));  // same cell as the first, lower return: dropped
        Assert.False(g.TryInsert(E(1.0, 0.2, 0.3)));  // equal return: dropped (strictly fitter only)
        Assert.True(g.TryInsert(E(2.0, 0.3, 0.4)));   // fitter: replaces
        Assert.Equal(2, g.Count);
        Assert.Equal(2.0, g[Unit.Cell([0.1, 0.1])]!.Return);
        Assert.Equal(0.5, g.Coverage);
        Assert.False(g.TryInsert(E(5.0, 0.1, 0.1) with { Failed = true }));
        // Descriptors on the upper bound fall into the last cell, never outside the grid.
        Assert.Equal(3, Unit.Cell([1.0, 1.0]));
        Assert.True(g.TryInsert(E(0, 1, 1)));
        Assert.True(g.Count <= Unit.CellCount);
    }

    [Fact]
    public void Key_door_descriptor_is_the_final_cell_and_the_key()
    {
        var space = BehaviorSpace.For("keydoor")!;
        Assert.Equal(7 * 7 * 2, space.CellCount);
        var obs = new float[50];
        obs[3 * 7 + 2] = 1;   // x = 2, y = 3
        obs[49] = 1;          // key held
        var d = space.Describe(obs);
        Assert.Equal([2.5 / 7, 3.5 / 7, 0.75], d);
        Assert.Equal((2 * 7 + 3) * 2 + 1, space.Cell(d));
        obs[49] = 0;
        Assert.Equal((2 * 7 + 3) * 2, space.Cell(space.Describe(obs)));
    }

    [Fact]
    public void Novelty_is_the_mean_distance_to_the_k_nearest()
    {
        var reference = new List<double[]> { new[] { 0.0, 0.0 }, new[] { 3.0, 4.0 }, new[] { 1.0, 0.0 }, new[] { 0.0, 2.0 } };
        // From (0,0), leaving itself out: distances 5, 1, 2 → k = 2: (1 + 2)/2.
        Assert.Equal(1.5, Novelty.Score([0, 0], reference, 2, selfIndex: 0), 12);
        // k larger than the set: mean of all three.
        Assert.Equal(8.0 / 3, Novelty.Score([0, 0], reference, 15, selfIndex: 0), 12);
        // Not leaving itself out: the zero distance counts.
        Assert.Equal(0.5, Novelty.Score([0, 0], reference, 2), 12);
        // A point duplicated k times in the reference set has novelty 0.
        var dup = Enumerable.Repeat(new[] { 0.3, 0.7 }, 15).Append(new[] { 5.0, 5.0 }).ToList();
        Assert.Equal(0.0, Novelty.Score([0.3, 0.7], dup, 15));
        Assert.Equal(0.0, Novelty.Score([1, 1], [], 3));
    }

    [Fact]
    public void Controller_matches_a_hand_computed_forward_pass()
    {
        // 2 inputs, no hidden layer, 1 output: y = 2σ(w·x + b) − 1.
        var c = new FeedForwardController(2, 1, hiddenLayers: 0);
        Assert.Equal(3, c.GenomeSize);
        double y = c.Forward([0.5, -1.0, 0.25], [1f, 2f])[0];
        Assert.Equal(2 / (1 + Math.Exp(-(0.5 - 2.0 + 0.25))) - 1, y, 12);
        // 2 hidden layers of 5 on 2 inputs, 2 outputs: 2·5+1 + 5·5+1 + 5·2+1.
        Assert.Equal(48, new FeedForwardController(2, 2).GenomeSize);
    }

    [Fact]
    public void Emitter_improvement_is_never_negative_and_zero_for_a_constant_reward()
    {
        var constant = new FitnessEmitter(E(1, 0, 0), 0.1);
        for (int i = 0; i < 8; i++) constant.Values.Add([2.0, 2.0]);
        constant.EstimateImprovement();
        Assert.Equal(0.0, constant.Improvement);

        var falling = new FitnessEmitter(E(1, 0, 0), 0.1);
        for (int i = 0; i < 8; i++) falling.Values.Add([10.0 - i]);
        falling.EstimateImprovement();
        Assert.Equal(0.0, falling.Improvement);

        var rising = new FitnessEmitter(E(1, 0, 0), 0.1);
        for (int i = 0; i < 6; i++) rising.Values.Add([i, i]);
        rising.EstimateImprovement();
        Assert.Equal((3 + 4 + 5) / 3.0 - (0 + 1 + 2) / 3.0, rising.Improvement, 12);
    }

    [Fact]
    public void Emitter_stagnation_waits_for_its_bottom_then_compares_first_and_last_20()
    {
        var e = new FitnessEmitter(E(1, 0, 0), 0.1);
        int bottom = (int)(20.0 * 48 / 6 + 120); // 280
        for (int i = 0; i < bottom; i++) e.Values.Add([1.0]);
        e.Steps = bottom;
        Assert.False(e.Stagnated(48, 6)); // not past the bottom yet
        e.Values.Add([1.0]);
        e.Steps++;
        Assert.True(e.Stagnated(48, 6)); // flat rewards: stagnated
        var rising = new FitnessEmitter(E(1, 0, 0), 0.1);
        for (int i = 0; i <= bottom; i++) rising.Values.Add([i]);
        rising.Steps = bottom + 1;
        Assert.False(rising.Stagnated(48, 6));
    }

    [Fact]
    public void Pareto_front_keeps_exactly_the_non_dominated()
    {
        // (novelty, improvement): 0 = (1, 1), 1 = (2, 0), 2 = (0.5, 0.5) dominated by 0, 3 = (1, 1) tie with 0.
        var front = Serene.ParetoFront([1, 2, 0.5, 1], [1, 0, 0.5, 1]);
        Assert.Equal([0, 1, 3], front);
    }
}
