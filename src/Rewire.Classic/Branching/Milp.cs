using System.Globalization;

namespace Rewire.Classic.Branching;

/// <summary>The sense of a linear constraint.</summary>
public enum ConstraintSense
{
    /// <summary>Σ a_j x_j ≤ rhs.</summary>
    LessOrEqual,
    /// <summary>Σ a_j x_j ≥ rhs.</summary>
    GreaterOrEqual,
    /// <summary>Σ a_j x_j = rhs.</summary>
    Equal,
}

/// <summary>A variable of a <see cref="Milp"/>: bounds (infinite allowed for continuous variables) and integrality.</summary>
/// <param name="Name">Name used in messages.</param>
/// <param name="Lower">Lower bound (may be −∞).</param>
/// <param name="Upper">Upper bound (may be +∞).</param>
/// <param name="Integer">Whether the variable must take an integer value.</param>
public sealed record MilpVariable(string Name, double Lower, double Upper, bool Integer);

/// <summary>A linear constraint Σ coefficient·x[index] (sense) rhs, with sparse coefficients.</summary>
/// <param name="Name">Name used in messages.</param>
/// <param name="Terms">(variable index, coefficient) pairs; each variable at most once.</param>
/// <param name="Sense">≤, ≥ or =.</param>
/// <param name="Rhs">Right-hand side.</param>
public sealed record MilpConstraint(string Name, IReadOnlyList<(int Index, double Coefficient)> Terms, ConstraintSense Sense, double Rhs);

/// <summary>
/// A mixed-integer linear program in minimisation form: minimise Σ c_j x_j subject to linear constraints, variable
/// bounds and integrality. Built only through <see cref="Create"/>, which refuses malformed and infeasible-by-construction
/// problems with the variable or constraint that is wrong (<see cref="MilpException"/>).
/// </summary>
public sealed class Milp
{
    private Milp(string name, IReadOnlyList<MilpVariable> variables, IReadOnlyList<MilpConstraint> constraints, IReadOnlyList<double> objective, double objectiveOffset)
    {
        Name = name;
        Variables = variables;
        Constraints = constraints;
        Objective = objective;
        ObjectiveOffset = objectiveOffset;
    }

    /// <summary>Name of the instance (class and seed for generated ones).</summary>
    public string Name { get; }

    /// <summary>The variables.</summary>
    public IReadOnlyList<MilpVariable> Variables { get; }

    /// <summary>The linear constraints.</summary>
    public IReadOnlyList<MilpConstraint> Constraints { get; }

    /// <summary>Objective coefficients c (minimised).</summary>
    public IReadOnlyList<double> Objective { get; }

    /// <summary>Constant added to the objective (reported values include it).</summary>
    public double ObjectiveOffset { get; }

    /// <summary>Checks and builds a MILP; throws <see cref="MilpException"/> naming the first problems found.</summary>
    public static Milp Create(string name, IReadOnlyList<MilpVariable> variables, IReadOnlyList<MilpConstraint> constraints, IReadOnlyList<double> objective, double objectiveOffset = 0)
    {
        ArgumentNullException.ThrowIfNull(variables);
        ArgumentNullException.ThrowIfNull(constraints);
        ArgumentNullException.ThrowIfNull(objective);
        var problems = new List<string>();
        if (variables.Count == 0) problems.Add("the problem has no variables");
        if (objective.Count != variables.Count) problems.Add($"the objective has {objective.Count} coefficients for {variables.Count} variables");
        if (!double.IsFinite(objectiveOffset)) problems.Add($"the objective offset {objectiveOffset} is not finite");
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int j = 0; j < variables.Count; j++)
        {
            var v = variables[j];
            string who = $"variable {j} '{v.Name}'";
            if (!names.Add(v.Name)) problems.Add($"{who}: the name is used twice");
            if (double.IsNaN(v.Lower) || double.IsNaN(v.Upper)) problems.Add($"{who}: a bound is NaN");
            else if (v.Lower == double.PositiveInfinity || v.Upper == double.NegativeInfinity) problems.Add($"{who}: bounds [{F(v.Lower)}, {F(v.Upper)}] admit no value");
            else if (v.Lower > v.Upper) problems.Add($"{who}: lower bound {F(v.Lower)} is above upper bound {F(v.Upper)}");
            else if (v.Integer && Math.Ceiling(v.Lower - 1e-9) > Math.Floor(v.Upper + 1e-9)) problems.Add($"{who}: integer but no integer lies in [{F(v.Lower)}, {F(v.Upper)}]");
            if (j < objective.Count && !double.IsFinite(objective[j])) problems.Add($"{who}: objective coefficient {objective[j]} is not finite");
        }
        var constraintNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in constraints)
        {
            string who = $"constraint '{c.Name}'";
            if (!constraintNames.Add(c.Name)) problems.Add($"{who}: the name is used twice");
            if (!double.IsFinite(c.Rhs)) problems.Add($"{who}: right-hand side {c.Rhs} is not finite");
            var seen = new HashSet<int>();
            bool termsOk = true;
            foreach (var (index, coefficient) in c.Terms)
            {
                if (index < 0 || index >= variables.Count) { problems.Add($"{who}: refers to variable {index}, but there are {variables.Count} (0 to {variables.Count - 1})"); termsOk = false; }
                else if (!seen.Add(index)) { problems.Add($"{who}: variable {index} '{variables[index].Name}' appears twice"); termsOk = false; }
                if (!double.IsFinite(coefficient)) { problems.Add($"{who}: coefficient {coefficient} is not finite"); termsOk = false; }
            }
            if (!termsOk || !double.IsFinite(c.Rhs) || problems.Count > 0) continue;
            // Infeasible by construction: the constraint cannot hold for any x within the variable bounds.
            var (min, max) = ActivityRange(c, variables);
            const double tol = 1e-9;
            bool violatesLow = c.Sense != ConstraintSense.GreaterOrEqual && min > c.Rhs + tol * (1 + Math.Abs(c.Rhs));
            bool violatesHigh = c.Sense != ConstraintSense.LessOrEqual && max < c.Rhs - tol * (1 + Math.Abs(c.Rhs));
            if (violatesLow || violatesHigh)
                problems.Add($"{who}: infeasible within the variable bounds (its left side ranges over [{F(min)}, {F(max)}], it needs {SenseText(c.Sense)} {F(c.Rhs)})");
        }
        if (problems.Count > 0) throw new MilpException(name, problems);
        return new Milp(name, variables.ToArray(), constraints.ToArray(), objective.ToArray(), objectiveOffset);
    }

    /// <summary>Smallest and largest value of the constraint's left side over the variable bounds.</summary>
    internal static (double Min, double Max) ActivityRange(MilpConstraint c, IReadOnlyList<MilpVariable> variables)
    {
        double min = 0, max = 0;
        foreach (var (j, a) in c.Terms)
        {
            double lo = variables[j].Lower, hi = variables[j].Upper;
            if (variables[j].Integer) { lo = Math.Ceiling(lo - 1e-9); hi = Math.Floor(hi + 1e-9); }
            if (a >= 0) { min += a * lo; max += a * hi; }
            else { min += a * hi; max += a * lo; }
        }
        return (double.IsNaN(min) ? double.NegativeInfinity : min, double.IsNaN(max) ? double.PositiveInfinity : max);
    }

    /// <summary>Objective value (with offset) of <paramref name="x"/>.</summary>
    public double Evaluate(ReadOnlySpan<double> x)
    {
        double s = ObjectiveOffset;
        for (int j = 0; j < Objective.Count; j++) s += Objective[j] * x[j];
        return s;
    }

    /// <summary>Whether <paramref name="x"/> satisfies bounds, integrality and every constraint within <paramref name="tolerance"/>.</summary>
    public bool IsFeasible(ReadOnlySpan<double> x, double tolerance = 1e-6)
    {
        for (int j = 0; j < Variables.Count; j++)
        {
            var v = Variables[j];
            if (x[j] < v.Lower - tolerance || x[j] > v.Upper + tolerance) return false;
            if (v.Integer && Math.Abs(x[j] - Math.Round(x[j])) > tolerance) return false;
        }
        foreach (var c in Constraints)
        {
            double lhs = 0;
            foreach (var (j, a) in c.Terms) lhs += a * x[j];
            if (c.Sense != ConstraintSense.GreaterOrEqual && lhs > c.Rhs + tolerance) return false;
            if (c.Sense != ConstraintSense.LessOrEqual && lhs < c.Rhs - tolerance) return false;
        }
        return true;
    }

    private static string SenseText(ConstraintSense s) => s switch { ConstraintSense.LessOrEqual => "<=", ConstraintSense.GreaterOrEqual => ">=", _ => "=" };

    private static string F(double d) => d.ToString("G6", CultureInfo.InvariantCulture);
}

/// <summary>A malformed or infeasible-by-construction MILP; the message names each wrong variable or constraint.</summary>
/// <param name="problem">Name of the refused MILP.</param>
/// <param name="problems">Each problem found.</param>
public sealed class MilpException(string problem, IReadOnlyList<string> problems)
    : Exception($"MILP '{problem}' is refused: " + string.Join("; ", problems))
{
    /// <summary>Each problem found, naming its variable or constraint.</summary>
    public IReadOnlyList<string> Problems { get; } = problems;
}
