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
    public const double MinAction = -1, MaxAction = 1, MinPosition = -1.2, MaxPosition = 0.6, MaxSpeed = 0.07, GoalPosition = 0.45, GoalVelocity = 0, Power = 0.0015;

    private static readonly BoxSpace Observations = new([(float)MinPosition, (float)-MaxSpeed], [(float)MaxPosition, (float)MaxSpeed]);
    private static readonly BoxSpace Actions = new([-1f], [1f]);

    private double _position, _velocity;

    public override string Name => "mountaincar-continuous";
    public override BoxSpace ObservationSpace => Observations;
    public override Space<float[]> ActionSpace => Actions;

    /// <summary>(position, velocity).</summary>
    public (double Position, double Velocity) State
    {
        get => (_position, _velocity);
        set => (_position, _velocity) = value;
    }

    protected override ResetResult ResetCore()
    {
        _position = -0.6 + 0.2 * Rng.NextDouble();
        _velocity = 0;
        return new ResetResult(Observe(), EnvInfo.Empty);
    }

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

    protected override JsonObject SaveCore() => new() { ["state"] = Numbers(_position, _velocity) };

    protected override void RestoreCore(JsonObject state)
    {
        var s = ReadNumbers(state, "state", 2);
        (_position, _velocity) = (s[0], s[1]);
    }
}
