using System.Text.Json.Nodes;

namespace Rewire.Classic.Control.Environments;

/// <summary>
/// Gymnasium's CartPole-v1 (the cart-pole of Barto, Sutton and Anderson, "Neuronlike adaptive elements that can solve
/// difficult learning control problems", 1983), same constants and explicit-Euler integration: g = 9.8, cart mass 1.0,
/// pole mass 0.1, half pole length 0.5, force ±10, τ = 0.02. Observation (x, ẋ, θ, θ̇); actions 0 (push left), 1 (push
/// right); reward 1 per step including the terminating one; terminated when |x| &gt; 2.4 or |θ| &gt; 12°. Reset draws
/// every coordinate uniformly from [−0.05, 0.05]. The registry wraps it in a 500-step <see cref="TimeLimit{TAction}"/>.
/// State is kept in double precision and returned as float, as Gymnasium does.
/// </summary>
public sealed class CartPole : EnvironmentBase<int>
{
    /// <summary>Gravitational acceleration g, 9.8 m/s².</summary>
    public const double Gravity = 9.8;

    /// <summary>Mass of the cart, 1.0 kg.</summary>
    public const double MassCart = 1.0;

    /// <summary>Mass of the pole, 0.1 kg.</summary>
    public const double MassPole = 0.1;

    /// <summary>Cart plus pole mass.</summary>
    public const double TotalMass = MassPole + MassCart;

    /// <summary>Half the pole length, 0.5 m.</summary>
    public const double Length = 0.5;

    /// <summary>Pole mass times half length.</summary>
    public const double PoleMassLength = MassPole * Length;

    /// <summary>Magnitude of the push of either action, 10 N.</summary>
    public const double ForceMag = 10.0;

    /// <summary>Integration time step τ, 0.02 s.</summary>
    public const double Tau = 0.02;

    /// <summary>Pole angle beyond which the episode terminates, 12° in radians.</summary>
    public const double ThetaThresholdRadians = 12 * 2 * Math.PI / 360;

    /// <summary>Cart position beyond which the episode terminates, 2.4 m.</summary>
    public const double XThreshold = 2.4;

    private static readonly BoxSpace Observations = new(
        [(float)(-XThreshold * 2), float.MinValue, (float)(-ThetaThresholdRadians * 2), float.MinValue],
        [(float)(XThreshold * 2), float.MaxValue, (float)(ThetaThresholdRadians * 2), float.MaxValue]);

    private static readonly DiscreteSpace Actions = new(2);

    private double _x, _xDot, _theta, _thetaDot;
    private bool _terminated;

    /// <inheritdoc />
    public override string Name => "cartpole";
    /// <inheritdoc />
    public override BoxSpace ObservationSpace => Observations;
    /// <inheritdoc />
    public override Space<int> ActionSpace => Actions;

    /// <summary>The state (x, ẋ, θ, θ̇) in double precision.</summary>
    public (double X, double XDot, double Theta, double ThetaDot) State
    {
        get => (_x, _xDot, _theta, _thetaDot);
        set => (_x, _xDot, _theta, _thetaDot) = value;
    }

    /// <inheritdoc />
    protected override ResetResult ResetCore()
    {
        _x = Uniform(); _xDot = Uniform(); _theta = Uniform(); _thetaDot = Uniform();
        _terminated = false;
        return new ResetResult(Observe(), EnvInfo.Empty);
    }

    private double Uniform() => -0.05 + 0.1 * Rng.NextDouble();

    /// <inheritdoc />
    public override StepResult Step(int action)
    {
        if (!Actions.Contains(action)) throw new ArgumentOutOfRangeException(nameof(action), action, "CartPole actions are 0 (left) and 1 (right).");
        double force = action == 1 ? ForceMag : -ForceMag;
        double cos = Math.Cos(_theta), sin = Math.Sin(_theta);
        double temp = (force + PoleMassLength * _thetaDot * _thetaDot * sin) / TotalMass;
        double thetaAcc = (Gravity * sin - cos * temp) / (Length * (4.0 / 3.0 - MassPole * cos * cos / TotalMass));
        double xAcc = temp - PoleMassLength * thetaAcc * cos / TotalMass;
        _x += Tau * _xDot;
        _xDot += Tau * xAcc;
        _theta += Tau * _thetaDot;
        _thetaDot += Tau * thetaAcc;
        bool terminated = _x < -XThreshold || _x > XThreshold || _theta < -ThetaThresholdRadians || _theta > ThetaThresholdRadians;
        // Gymnasium pays 1 for every step up to and including the terminating one, and 0 if stepped after termination.
        double reward = _terminated ? 0.0 : 1.0;
        _terminated |= terminated;
        return new StepResult(Observe(), reward, terminated, false, EnvInfo.Empty);
    }

    private float[] Observe() => [(float)_x, (float)_xDot, (float)_theta, (float)_thetaDot];

    /// <inheritdoc />
    protected override JsonObject SaveCore() => new() { ["state"] = Numbers(_x, _xDot, _theta, _thetaDot), ["terminated"] = _terminated };

    /// <inheritdoc />
    protected override void RestoreCore(JsonObject state)
    {
        var s = ReadNumbers(state, "state", 4);
        (_x, _xDot, _theta, _thetaDot) = (s[0], s[1], s[2], s[3]);
        _terminated = state["terminated"]!.GetValue<bool>();
    }
}
