using System.Text.Json.Nodes;
using Rewire.Classic.Control;

namespace Rewire.Classic.Tests.Control;

/// <summary>
/// A tiny deterministic environment: the observation is (step, start) where start is drawn at reset from the seeded
/// stream; reward = action + 1; terminated after <c>length</c> steps.
/// </summary>
public sealed class CountingEnvironment(int length = 3) : EnvironmentBase<int>
{
    private int _t;
    private float _start;

    public override string Name => "counting";
    public override BoxSpace ObservationSpace { get; } = new([0f, 0f], [1000f, 1000f]);
    public override Space<int> ActionSpace { get; } = new DiscreteSpace(2);

    protected override ResetResult ResetCore()
    {
        _t = 0;
        _start = Rng.NextInt(1000);
        return new ResetResult([0f, _start], new Dictionary<string, object> { ["start"] = _start });
    }

    public override StepResult Step(int action)
    {
        _t++;
        return new StepResult([_t, _start], action + 1, _t >= length, false, new Dictionary<string, object> { ["t"] = _t });
    }

    protected override JsonObject SaveCore() => new() { ["t"] = _t, ["start"] = _start };

    protected override void RestoreCore(JsonObject state)
    {
        _t = state["t"]!.GetValue<int>();
        _start = state["start"]!.GetValue<float>();
    }
}

/// <summary>A configurable broken environment for the checker's tests.</summary>
public sealed class BrokenEnvironment : IEnvironment<int>
{
    public enum Fault { None, WrongLength, NaNObservation, OutsideSpace, NaNReward, NotDeterministic, StepThrows, ReusesArray, NullInfo, NoObservationSpace }

    private readonly Fault _fault;
    private readonly Random _unseeded = new();
    private readonly float[] _shared = new float[2];
    private int _t;

    public BrokenEnvironment(Fault fault) => _fault = fault;

    public string Name => "broken-" + _fault;
    public BoxSpace ObservationSpace => _fault == Fault.NoObservationSpace ? null! : new BoxSpace([-1f, -1f], [1f, 1f]);
    public Space<int> ActionSpace { get; } = new DiscreteSpace(2);
    Space IEnvironment.ActionSpace => ActionSpace;

    public ResetResult Reset(int? seed = null)
    {
        _t = 0;
        return new ResetResult(Observe(), EnvInfo.Empty);
    }

    public StepResult Step(int action)
    {
        _t++;
        if (_fault == Fault.StepThrows && _t == 3) throw new InvalidOperationException("physics exploded");
        double reward = _fault == Fault.NaNReward && _t == 2 ? double.NaN : 1.0;
        return new StepResult(Observe(), reward, _t >= 10, false, _fault == Fault.NullInfo ? null! : EnvInfo.Empty);
    }

    private float[] Observe()
    {
        float v = _t / 20f;
        if (_fault == Fault.NotDeterministic) v = (float)_unseeded.NextDouble();
        if (_fault == Fault.ReusesArray)
        {
            _shared[0] = v;
            _shared[1] = v;
            return _shared;
        }
        return _fault switch
        {
            Fault.WrongLength => [v, v, v],
            Fault.NaNObservation when _t == 1 => [float.NaN, v],
            Fault.OutsideSpace when _t == 4 => [v, 5f],
            _ => [v, v],
        };
    }
}
