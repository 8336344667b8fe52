using Rewire.Classic.Control;
using Rewire.Classic.Control.Environments;

namespace Rewire.Classic.QualityDiversity;

/// <summary>
/// A hand-designed behaviour descriptor (BD) of an episode and its bounded space: the descriptor is read from the final
/// observation (the papers' choice for mazes: the robot's final position). <see cref="CellsPerDimension"/> fixes the
/// ground-truth grid on which coverage is measured and MAP-Elites keeps its elites.
/// </summary>
public sealed record BehaviorSpace(string Name, double[] Low, double[] High, int CellsPerDimension, Func<float[], double[]> Describe)
{
    /// <summary>
    /// The final frame of an episode as an observer sees it (what TAXONS' autoencoder learns descriptors from), values in
    /// [0, 1]; by default the final observation itself.
    /// </summary>
    public Func<float[], float[]> Frame { get; init; } = o => o;

    /// <summary>Side of the maze's rendered top-down frame.</summary>
    public const int MazeFrameSize = 16;

    /// <summary>
    /// A top-down frame of the maze: a <see cref="MazeFrameSize"/>² image in which the robot at (x, y) is a Gaussian blob
    /// (σ = one pixel), row 0 at the top.
    /// </summary>
    public static float[] RenderMaze(float[] position)
    {
        int n = MazeFrameSize;
        var image = new float[n * n];
        double cx = position[0] * n - 0.5, cy = (1 - position[1]) * n - 0.5;
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++)
                image[r * n + c] = (float)Math.Exp(-((c - cx) * (c - cx) + (r - cy) * (r - cy)) / 2);
        return image;
    }

    /// <summary>Number of descriptor dimensions (the length of <see cref="Low"/>).</summary>
    public int Dimension => Low.Length;

    /// <summary>Cells per dimension when they differ (null: <see cref="CellsPerDimension"/> on every dimension).</summary>
    public int[]? Cells { get; init; }

    /// <summary>The number of cells along dimension <paramref name="d"/>.</summary>
    public int CellsAlong(int d) => Cells?[d] ?? CellsPerDimension;

    /// <summary>Number of cells of the grid.</summary>
    public int CellCount => Enumerable.Range(0, Dimension).Aggregate(1, (n, d) => n * CellsAlong(d));

    /// <summary>The grid cell of <paramref name="descriptor"/> (coordinates clipped into the space).</summary>
    public int Cell(ReadOnlySpan<double> descriptor)
    {
        if (descriptor.Length != Dimension) throw new ArgumentException($"the descriptor has {descriptor.Length} entries; the space has {Dimension}.");
        int cell = 0;
        for (int d = 0; d < Dimension; d++)
        {
            double u = (descriptor[d] - Low[d]) / (High[d] - Low[d]);
            int n = CellsAlong(d);
            int i = Math.Clamp((int)Math.Floor(u * n), 0, n - 1);
            cell = cell * n + i;
        }
        return cell;
    }

    /// <summary>
    /// The behaviour space of a registered environment: the final (x, y) position for the deceptive maze (a 10 × 10 grid)
    /// and for the key–door grids the final cell and whether the key is held (one grid cell per position, two for the key).
    /// Other environments have none.
    /// </summary>
    public static BehaviorSpace? For(string environment)
    {
        if (environment.StartsWith("deceptive-maze", StringComparison.OrdinalIgnoreCase))
            return new BehaviorSpace("final_position", [0, 0], [1, 1], 10, o => [o[0], o[1]]) { Frame = RenderMaze };
        if (KeyDoorEnvironments.Contains(environment))
        {
            int size = KeyDoorEnvironments.Variants[environment].Options.Size;
            return new BehaviorSpace("final_cell_and_key", [0, 0, 0], [1, 1, 1], size, o =>
            {
                int at = Array.IndexOf(o, 1f, 0, size * size);
                double key = o[size * size] > 0.5f ? 0.75 : 0.25;
                return at < 0 ? [0, 0, key] : [(at % size + 0.5) / size, (at / size + 0.5) / size, key];
            }) { Cells = [size, size, 2] };
        }
        return null;
    }

    /// <summary>Names of the registered environments that have a behaviour space.</summary>
    public static IReadOnlyList<string> Environments => ControlEnvironments.Registry.Names.Where(n => For(n) is not null).ToList();
}
