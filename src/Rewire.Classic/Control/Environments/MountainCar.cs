using System.Text.Json.Nodes;

namespace Rewire.Classic.Control.Environments;

/// <summary>
/// Gymnasium's MountainCar-v0 (Moore, "Efficient Memory-based Learning for Robot Control", 1990): an under-powered car in
/// a valley must rock back and forth to reach the flag at x ≥ 0.5. Actions 0 (push left), 1 (none), 2 (push right);
/// v ← clip(v + (a − 1)·0.001 − 0.0025·cos 3x, ±0.07), x ← clip(x + v, −1.2, 0.6), v ← 0 at the left wall when moving left;
/// reward −1 per step; terminated at x ≥ 0.5 (and v ≥ 0). Reset: x ~ U[−0.6, −0.4], v = 0. The registry applies a 200-step limit.
/// </summary>
public sealed class MountainCar : EnvironmentBase<int>
{
    /// <summary>Left end of the track (−1.2).</summary>
    public const double MinPosition = -1.2;

    /// <summary>Right end of the track (0.6).</summary>
    public const double MaxPosition = 0.6;

    /// <summary>Clip bound of the velocity (0.07).</summary>
    public const double MaxSpeed = 0.07;

    /// <summary>Position of the flag; reaching it terminates the episode (0.5).</summary>
    public const double GoalPosition = 0.5;

    /// <summary>Minimum velocity at the flag for termination (0).</summary>
    public const double GoalVelocity = 0;

    /// <summary>Acceleration of a push (0.001).</summary>
    public const double Force = 0.001;

    /// <summary>Gravity coefficient of the −cos 3x slope term (0.0025).</summary>
    public const double Gravity = 0.0025;

    private static readonly BoxSpace Observations = new([(float)MinPosition, (float)-MaxSpeed], [(float)MaxPosition, (float)MaxSpeed]);
    private static readonly DiscreteSpace Actions = new(3);

    private double _position, _velocity;

    /// <inheritdoc />
    public override string Name => "mountaincar";
    /// <inheritdoc />
    public override BoxSpace ObservationSpace => Observations;
    /// <inheritdoc />
    public override Space<int> ActionSpace => Actions;

    /// <summary>(position, velocity) in double precision.</summary>
    public (double Position, double Velocity) State
    {
        get => (_position, _velocity);
        set => (_position, _velocity) = value;
    }

    /// <inheritdoc />
    protected override ResetResult ResetCore()
    {
        _position = -0.6 + 0.2 * Rng.NextDouble();
        _velocity = 0;
        return new ResetResult(Observe(), EnvInfo.Empty);
    }

    /// <inheritdoc />
    public override StepResult Step(int action)
    {
        if (!Actions.Contains(action)) throw new ArgumentOutOfRangeException(nameof(action), action, "MountainCar actions are 0 (left), 1 (none) and 2 (right).");
        _velocity += (action - 1) * Force + Math.Cos(3 * _position) * -Gravity;
        _velocity = Math.Clamp(_velocity, -MaxSpeed, MaxSpeed);
        _position += _velocity;
        _position = Math.Clamp(_position, MinPosition, MaxPosition);
        if (_position == MinPosition && _velocity < 0) _velocity = 0;
        bool terminated = _position >= GoalPosition && _velocity >= GoalVelocity;
        return new StepResult(Observe(), -1.0, terminated, false, EnvInfo.Empty);
    }

    private float[] Observe() => [(float)_position, (float)_velocity];

    /// <inheritdoc />
    protected override JsonObject SaveCore() => new() { ["state"] = Numbers(_position, _velocity) };

    /// <inheritdoc />
    protected override void RestoreCore(JsonObject state)
    {
        var s = ReadNumbers(state, "state", 2);
        (_position, _velocity) = (s[0], s[1]);
    }
}
