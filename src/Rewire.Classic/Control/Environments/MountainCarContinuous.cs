using System.Text.Json.Nodes;

namespace Rewire.Classic.Control.Environments;

/// <summary>
/// Gymnasium's MountainCarContinuous-v0: the mountain car (Moore 1990) with a force a ∈ [−1, 1]:
/// v ← clip(v + clip(a)·0.0015 − 0.0025·cos 3x, ±0.07), x ← clip(x + v, −1.2, 0.6), v ← 0 at the left wall when moving
/// left; terminated at x ≥ 0.45 (and v ≥ 0) with +100; every step costs 0.1·a² (of the unclipped action, as in
/// Gymnasium). As Gymnasium does, the state is stored in single precision after every step. Reset: x ~ U[−0.6, −0.4],
/// v = 0. The registry applies a 999-step limit.
/// </summary>
public sealed class MountainCarContinuous : EnvironmentBase<float[]>
{
    /// <summary>Lower bound of the force action (−1).</summary>
    public const double MinAction = -1;

    /// <summary>Upper bound of the force action (1).</summary>
    public const double MaxAction = 1;

    /// <summary>Left end of the track (−1.2).</summary>
    public const double MinPosition = -1.2;

    /// <summary>Right end of the track (0.6).</summary>
    public const double MaxPosition = 0.6;

    /// <summary>Clip bound of the velocity (0.07).</summary>
    public const double MaxSpeed = 0.07;

    /// <summary>Position of the flag; reaching it terminates the episode with +100 (0.45).</summary>
    public const double GoalPosition = 0.45;

    /// <summary>Minimum velocity at the flag for termination (0).</summary>
    public const double GoalVelocity = 0;

    /// <summary>Acceleration per unit of force (0.0015).</summary>
    public const double Power = 0.0015;

    private static readonly BoxSpace Observations = new([(float)MinPosition, (float)-MaxSpeed], [(float)MaxPosition, (float)MaxSpeed]);
    private static readonly BoxSpace Actions = new([-1f], [1f]);

    private double _position, _velocity;

    /// <inheritdoc />
    public override string Name => "mountaincar-continuous";
    /// <inheritdoc />
    public override BoxSpace ObservationSpace => Observations;
    /// <inheritdoc />
    public override Space<float[]> ActionSpace => Actions;

    /// <summary>(position, velocity).</summary>
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
    public override StepResult Step(float[] action)
    {
        if (action is not { Length: 1 }) throw new ArgumentException("MountainCarContinuous takes one force value in [-1, 1].", nameof(action));
        if (float.IsNaN(action[0])) throw new ArgumentException("the force is NaN.", nameof(action));
        double force = Math.Min(Math.Max(action[0], MinAction), MaxAction);
        double position = _position, velocity = _velocity;
        velocity += force * Power - 0.0025 * Math.Cos(3 * position);
        if (velocity > MaxSpeed) velocity = MaxSpeed;
        if (velocity < -MaxSpeed) velocity = -MaxSpeed;
        position += velocity;
        if (position > MaxPosition) position = MaxPosition;
        if (position < MinPosition) position = MinPosition;
        if (position == MinPosition && velocity < 0) velocity = 0;
        bool terminated = position >= GoalPosition && velocity >= GoalVelocity;
        double reward = terminated ? 100.0 : 0.0;
        reward -= Math.Pow(action[0], 2) * 0.1;
        _position = (float)position;
        _velocity = (float)velocity;
        return new StepResult(Observe(), reward, terminated, false, EnvInfo.Empty);
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
