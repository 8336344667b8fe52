namespace Rewire.Classic.Branching;

/// <summary>
/// Seeded generators of small MILP classes used in the learning-to-branch literature (set cover, multi-dimensional
/// knapsack, capacitated facility location), following the shapes of the Ecole/Gasse et al. generators at a much smaller
/// size. The same (class, size, seed) always gives the same instance.
/// </summary>
public static class MilpGenerators
{
    /// <summary>The class names accepted by <see cref="Generate"/>.</summary>
    public static readonly IReadOnlyList<string> Classes = ["setcover", "knapsack", "facility"];

    /// <summary>
    /// An instance of <paramref name="kind"/> (one of <see cref="Classes"/>) of the given size: set cover with 3·size
    /// elements and size sets (density 0.2), knapsack with size items and 3 resources, facility location with size
    /// customers and max(2, size/2) facilities.
    /// </summary>
    public static Milp Generate(string kind, int size, int seed) => kind switch
    {
        "setcover" => SetCover(size * 3, size, 0.2, seed),
        "knapsack" => Knapsack(size, 3, seed),
        "facility" => Facility(Math.Max(2, size / 2), size, seed),
        _ => throw new ArgumentException($"'{kind}' is not a MILP class; valid: {string.Join(", ", Classes)}", nameof(kind)),
    };

    /// <summary>
    /// Set cover: <paramref name="rows"/> elements, <paramref name="columns"/> sets with costs 1..100; each element is in
    /// each set with probability <paramref name="density"/> and in at least two sets. Minimise the cost of the chosen sets
    /// covering every element (x_j binary, Σ_{j∋i} x_j ≥ 1).
    /// </summary>
    public static Milp SetCover(int rows, int columns, double density, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 2);
        var rng = new Random(seed);
        var vars = Enumerable.Range(0, columns).Select(j => new MilpVariable($"x{j}", 0, 1, true)).ToArray();
        var cost = Enumerable.Range(0, columns).Select(_ => (double)rng.Next(1, 101)).ToArray();
        var cons = new List<MilpConstraint>();
        for (int i = 0; i < rows; i++)
        {
            var members = new SortedSet<int>();
            for (int j = 0; j < columns; j++) if (rng.NextDouble() < density) members.Add(j);
            while (members.Count < 2) members.Add(rng.Next(columns));
            cons.Add(new MilpConstraint($"cover{i}", members.Select(j => (j, 1.0)).ToArray(), ConstraintSense.GreaterOrEqual, 1));
        }
        return Milp.Create($"setcover-{rows}x{columns}-s{seed}", vars, cons, cost);
    }

    /// <summary>
    /// Multi-dimensional 0-1 knapsack: <paramref name="items"/> items with weights 1..30 in each of
    /// <paramref name="dimensions"/> resources, capacities half the total weight, values correlated with the weights
    /// (mean weight + 1..10). Maximise the value, written as minimising its negative.
    /// </summary>
    public static Milp Knapsack(int items, int dimensions, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(items, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        var rng = new Random(seed);
        var w = new double[dimensions, items];
        for (int d = 0; d < dimensions; d++) for (int j = 0; j < items; j++) w[d, j] = rng.Next(1, 31);
        var value = new double[items];
        for (int j = 0; j < items; j++)
        {
            double mean = 0;
            for (int d = 0; d < dimensions; d++) mean += w[d, j];
            value[j] = -Math.Round(mean / dimensions + rng.Next(1, 11));
        }
        var vars = Enumerable.Range(0, items).Select(j => new MilpVariable($"x{j}", 0, 1, true)).ToArray();
        var cons = new List<MilpConstraint>();
        for (int d = 0; d < dimensions; d++)
        {
            double total = 0;
            var terms = new (int, double)[items];
            for (int j = 0; j < items; j++) { terms[j] = (j, w[d, j]); total += w[d, j]; }
            cons.Add(new MilpConstraint($"capacity{d}", terms, ConstraintSense.LessOrEqual, Math.Floor(total / 2)));
        }
        return Milp.Create($"knapsack-{items}x{dimensions}-s{seed}", vars, cons, value);
    }

    /// <summary>
    /// Capacitated facility location (Cornuéjols et al. shape): <paramref name="facilities"/> facilities with opening
    /// costs and capacities (total capacity three times total demand), <paramref name="customers"/> customers with demands
    /// 5..35 at random points of the unit square, transport cost 10·distance·demand. y_f binary (open), x_cf ∈ [0,1]
    /// (share of c's demand served by f); Σ_f x_cf = 1, Σ_c d_c x_cf ≤ s_f y_f, x_cf ≤ y_f.
    /// </summary>
    public static Milp Facility(int facilities, int customers, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(facilities, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(customers, 1);
        var rng = new Random(seed);
        var cx = new double[customers]; var cy = new double[customers]; var demand = new double[customers];
        for (int c = 0; c < customers; c++) { cx[c] = rng.NextDouble(); cy[c] = rng.NextDouble(); demand[c] = rng.Next(5, 36); }
        var fx = new double[facilities]; var fy = new double[facilities]; var cap = new double[facilities]; var fixedCost = new double[facilities];
        for (int f = 0; f < facilities; f++) { fx[f] = rng.NextDouble(); fy[f] = rng.NextDouble(); cap[f] = rng.Next(10, 161); }
        double scale = 3 * demand.Sum() / cap.Sum();
        for (int f = 0; f < facilities; f++)
        {
            cap[f] = Math.Ceiling(cap[f] * scale);
            fixedCost[f] = Math.Round(rng.Next(0, 91) + rng.Next(100, 111) * Math.Sqrt(cap[f]) / 2);
        }
        var vars = new List<MilpVariable>();
        var objective = new List<double>();
        for (int f = 0; f < facilities; f++) { vars.Add(new MilpVariable($"open{f}", 0, 1, true)); objective.Add(fixedCost[f]); }
        int X(int c, int f) => facilities + c * facilities + f;
        for (int c = 0; c < customers; c++)
            for (int f = 0; f < facilities; f++)
            {
                vars.Add(new MilpVariable($"serve{c}_{f}", 0, 1, false));
                objective.Add(Math.Round(10 * Math.Sqrt((cx[c] - fx[f]) * (cx[c] - fx[f]) + (cy[c] - fy[f]) * (cy[c] - fy[f])) * demand[c], 2));
            }
        var cons = new List<MilpConstraint>();
        for (int c = 0; c < customers; c++)
            cons.Add(new MilpConstraint($"demand{c}", Enumerable.Range(0, facilities).Select(f => (X(c, f), 1.0)).ToArray(), ConstraintSense.Equal, 1));
        for (int f = 0; f < facilities; f++)
        {
            var terms = Enumerable.Range(0, customers).Select(c => (X(c, f), demand[c])).Append((f, -cap[f])).ToArray();
            cons.Add(new MilpConstraint($"capacity{f}", terms, ConstraintSense.LessOrEqual, 0));
        }
        for (int c = 0; c < customers; c++)
            for (int f = 0; f < facilities; f++)
                cons.Add(new MilpConstraint($"link{c}_{f}", [(X(c, f), 1.0), (f, -1.0)], ConstraintSense.LessOrEqual, 0));
        return Milp.Create($"facility-{facilities}x{customers}-s{seed}", vars, cons, objective);
    }
}
