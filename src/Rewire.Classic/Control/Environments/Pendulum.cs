using System.Text.Json.Nodes;

namespace Rewire.Classic.Control.Environments;

/// <summary>
/// Gymnasium's Pendulum-v1: swing a pendulum up and hold it. g = 10, m = 1, l = 1, dt = 0.05, torque u ∈ [−2, 2],
/// speed limit 8. Cost θₙ² + 0.1·θ̇² + 0.001·u² with θₙ the angle normalised to [−π, π); reward = −cost;
/// θ̇ ← clip(θ̇ + (3g/(2l)·sin θ + 3/(ml²)·u)·dt, ±8), θ ← θ + θ̇·dt (semi-implicit Euler). Observation (cos θ, sin θ, θ̇);
/// never terminates. Reset: θ ~ U[−π, π], θ̇ ~ U[−1, 1]. The registry applies a 200-step limit.
/// </summary>
public sealed class Pendulum : EnvironmentBase<float[]>
{
    /// <summary>Clip bound of the angular velocity, 8 rad/s.</summary>
    public const double MaxSpeed = 8;

    /// <summary>Bound of the torque action, 2.</summary>
    public const double MaxTorque = 2.0;

    /// <summary>Integration time step, 0.05 s.</summary>
    public const double Dt = 0.05;

    /// <summary>Gravitational acceleration g, 10.</summary>
    public const double G = 10.0;

    /// <summary>Mass of the pendulum, 1.</summary>
    public const double M = 1.0;

    /// <summary>Length of the pendulum, 1.</summary>
    public const double L = 1.0;

    private static readonly BoxSpace Observations = new([-1f, -1f, (float)-MaxSpeed], [1f, 1f, (float)MaxSpeed]);
    private static readonly BoxSpace Actions = new([(float)-MaxTorque], [(float)MaxTorque]);

    private double _theta, _thetaDot;

    /// <inheritdoc />
    public override string Name => "pendulum";
    /// <inheritdoc />
    public override BoxSpace ObservationSpace => Observations;
    /// <inheritdoc />
    public override Space<float[]> ActionSpace => Actions;

    /// <summary>(θ, θ̇).</summary>
    public (double Theta, double ThetaDot) State
    {
        get => (_theta, _thetaDot);
        set => (_theta, _thetaDot) = value;
    }

    /// <inheritdoc />
    protected override ResetResult ResetCore()
    {
        _theta = -Math.PI + 2 * Math.PI * Rng.NextDouble();
        _thetaDot = -1 + 2 * Rng.NextDouble();
        return new ResetResult(Observe(), EnvInfo.Empty);
    }

    /// <summary>((x + π) mod 2π) − π with Python's floored modulo.</summary>
    public static double AngleNormalize(double x)
    {
        double m = (x + Math.PI) % (2 * Math.PI);
        if (m < 0) m += 2 * Math.PI;
        return m - Math.PI;
    }

    /// <inheritdoc />
    public override StepResult Step(float[] action)
    {
        if (action is not { Length: 1 }) throw new ArgumentException("Pendulum takes one torque value in [-2, 2].", nameof(action));
        if (float.IsNaN(action[0])) throw new ArgumentException("the torque is NaN.", nameof(action));
        double u = Math.Clamp(action[0], (float)-MaxTorque, (float)MaxTorque);
        double costs = Math.Pow(AngleNormalize(_theta), 2) + 0.1 * _thetaDot * _thetaDot + 0.001 * (u * u);
        double newThetaDot = _thetaDot + (3 * G / (2 * L) * Math.Sin(_theta) + 3.0 / (M * L * L) * u) * Dt;
        newThetaDot = Math.Clamp(newThetaDot, -MaxSpeed, MaxSpeed);
        _theta += newThetaDot * Dt;
        _thetaDot = newThetaDot;
        return new StepResult(Observe(), -costs, false, false, EnvInfo.Empty);
    }

    private float[] Observe() => [(float)Math.Cos(_theta), (float)Math.Sin(_theta), (float)_thetaDot];

    /// <inheritdoc />
    protected override JsonObject SaveCore() => new() { ["state"] = Numbers(_theta, _thetaDot) };

    /// <inheritdoc />
    protected override void RestoreCore(JsonObject state)
    {
        var s = ReadNumbers(state, "state", 2);
        (_theta, _thetaDot) = (s[0], s[1]);
    }
}
