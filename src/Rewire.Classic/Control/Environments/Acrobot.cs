using System.Text.Json.Nodes;

namespace Rewire.Classic.Control.Environments;

/// <summary>
/// Gymnasium's Acrobot-v1 (Sutton, "Generalization in Reinforcement Learning: Successful Examples Using Sparse Coarse
/// Coding", 1996; the dynamics of Sutton and Barto's book): a two-link pendulum actuated at the joint, torque −1, 0 or +1
/// (actions 0, 1, 2); both links of length 1 and mass 1, centres of mass at 0.5, moments of inertia 1, g = 9.8;
/// one classic fourth-order Runge–Kutta step of dt = 0.2 per action; angles wrapped to [−π, π], velocities clipped to
/// 4π and 9π; reward −1 per step, 0 on the terminating step; terminated when −cos θ₁ − cos(θ₁ + θ₂) &gt; 1. Observation
/// (cos θ₁, sin θ₁, cos θ₂, sin θ₂, θ̇₁, θ̇₂). Reset: every state coordinate ~ U[−0.1, 0.1], rounded to single precision
/// as Gymnasium does. The registry applies a 500-step limit.
/// </summary>
public sealed class Acrobot : EnvironmentBase<int>
{
    /// <summary>Integration time step per action, in seconds (0.2).</summary>
    public const double Dt = 0.2;

    /// <summary>Length of link 1 (1).</summary>
    public const double LinkLength1 = 1.0;

    /// <summary>Mass of link 1 (1).</summary>
    public const double LinkMass1 = 1.0;

    /// <summary>Mass of link 2 (1).</summary>
    public const double LinkMass2 = 1.0;

    /// <summary>Position of link 1's centre of mass along the link (0.5).</summary>
    public const double LinkComPos1 = 0.5;

    /// <summary>Position of link 2's centre of mass along the link (0.5).</summary>
    public const double LinkComPos2 = 0.5;

    /// <summary>Moment of inertia of each link (1).</summary>
    public const double LinkMoi = 1.0;

    /// <summary>Gravitational acceleration (9.8).</summary>
    public const double G = 9.8;

    /// <summary>Clip bound of the angular velocity θ̇₁, 4π rad/s.</summary>
    public const double MaxVel1 = 4 * Math.PI;

    /// <summary>Clip bound of the angular velocity θ̇₂, 9π rad/s.</summary>
    public const double MaxVel2 = 9 * Math.PI;

    private static readonly double[] Torques = [-1.0, 0.0, 1.0];
    private static readonly BoxSpace Observations = new([-1f, -1f, -1f, -1f, (float)-MaxVel1, (float)-MaxVel2], [1f, 1f, 1f, 1f, (float)MaxVel1, (float)MaxVel2]);
    private static readonly DiscreteSpace Actions = new(3);

    private readonly double[] _s = new double[4];

    /// <inheritdoc />
    public override string Name => "acrobot";
    /// <inheritdoc />
    public override BoxSpace ObservationSpace => Observations;
    /// <inheritdoc />
    public override Space<int> ActionSpace => Actions;

    /// <summary>(θ₁, θ₂, θ̇₁, θ̇₂).</summary>
    public double[] State
    {
        get => (double[])_s.Clone();
        set
        {
            if (value is not { Length: 4 }) throw new ArgumentException("the Acrobot state has four numbers.");
            value.CopyTo(_s, 0);
        }
    }

    /// <inheritdoc />
    protected override ResetResult ResetCore()
    {
        for (int i = 0; i < 4; i++) _s[i] = (float)(-0.1 + 0.2 * Rng.NextDouble());
        return new ResetResult(Observe(), EnvInfo.Empty);
    }

    /// <inheritdoc />
    public override StepResult Step(int action)
    {
        if (!Actions.Contains(action)) throw new ArgumentOutOfRangeException(nameof(action), action, "Acrobot actions are 0 (torque -1), 1 (0) and 2 (+1).");
        var ns = Rk4(_s, Torques[action], Dt);
        ns[0] = Wrap(ns[0], -Math.PI, Math.PI);
        ns[1] = Wrap(ns[1], -Math.PI, Math.PI);
        ns[2] = Math.Min(Math.Max(ns[2], -MaxVel1), MaxVel1);
        ns[3] = Math.Min(Math.Max(ns[3], -MaxVel2), MaxVel2);
        ns.CopyTo(_s, 0);
        bool terminated = -Math.Cos(_s[0]) - Math.Cos(_s[1] + _s[0]) > 1.0;
        return new StepResult(Observe(), terminated ? 0.0 : -1.0, terminated, false, EnvInfo.Empty);
    }

    /// <summary>The time derivative of (θ₁, θ₂, θ̇₁, θ̇₂) under torque <paramref name="a"/> (the book's equations).</summary>
    public static double[] Derivatives(ReadOnlySpan<double> s, double a)
    {
        const double m1 = LinkMass1, m2 = LinkMass2, l1 = LinkLength1, lc1 = LinkComPos1, lc2 = LinkComPos2, i1 = LinkMoi, i2 = LinkMoi, g = G;
        double theta1 = s[0], theta2 = s[1], dtheta1 = s[2], dtheta2 = s[3];
        double d1 = m1 * lc1 * lc1 + m2 * (l1 * l1 + lc2 * lc2 + 2 * l1 * lc2 * Math.Cos(theta2)) + i1 + i2;
        double d2 = m2 * (lc2 * lc2 + l1 * lc2 * Math.Cos(theta2)) + i2;
        double phi2 = m2 * lc2 * g * Math.Cos(theta1 + theta2 - Math.PI / 2.0);
        double phi1 = -m2 * l1 * lc2 * dtheta2 * dtheta2 * Math.Sin(theta2)
            - 2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * Math.Sin(theta2)
            + (m1 * lc1 + m2 * l1) * g * Math.Cos(theta1 - Math.PI / 2)
            + phi2;
        double ddtheta2 = (a + d2 / d1 * phi1 - m2 * l1 * lc2 * dtheta1 * dtheta1 * Math.Sin(theta2) - phi2) / (m2 * lc2 * lc2 + i2 - d2 * d2 / d1);
        double ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
        return [dtheta1, dtheta2, ddtheta1, ddtheta2];
    }

    /// <summary>One classic Runge–Kutta step of length <paramref name="dt"/> with the torque held constant.</summary>
    public static double[] Rk4(ReadOnlySpan<double> y0, double torque, double dt)
    {
        double dt2 = dt / 2.0;
        var y = y0.ToArray();
        var k1 = Derivatives(y, torque);
        var k2 = Derivatives(Add(y, dt2, k1), torque);
        var k3 = Derivatives(Add(y, dt2, k2), torque);
        var k4 = Derivatives(Add(y, dt, k3), torque);
        var r = new double[4];
        for (int i = 0; i < 4; i++) r[i] = y[i] + dt / 6.0 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
        return r;
    }

    private static double[] Add(double[] y, double h, double[] k)
    {
        var r = new double[y.Length];
        for (int i = 0; i < y.Length; i++) r[i] = y[i] + h * k[i];
        return r;
    }

    /// <summary>Wraps <paramref name="x"/> into [m, M] by whole periods (Gymnasium's <c>wrap</c>).</summary>
    public static double Wrap(double x, double m, double bigM)
    {
        double diff = bigM - m;
        while (x > bigM) x -= diff;
        while (x < m) x += diff;
        return x;
    }

    private float[] Observe() =>
        [(float)Math.Cos(_s[0]), (float)Math.Sin(_s[0]), (float)Math.Cos(_s[1]), (float)Math.Sin(_s[1]), (float)_s[2], (float)_s[3]];

    /// <inheritdoc />
    protected override JsonObject SaveCore() => new() { ["state"] = Numbers(_s) };

    /// <inheritdoc />
    protected override void RestoreCore(JsonObject state) => ReadNumbers(state, "state", 4).CopyTo(_s, 0);
}
