using System.Text.Json.Nodes;
using Rewire.Classic.RewardDesign;

namespace Rewire.Classic.Control.Environments;

/// <summary>
/// The <see cref="KeyDoorGrid"/> as a control environment (Gymnasium semantics). Observation: a one-hot of the agent's
/// cell (Size² entries) followed by 1 when the key is held; actions 0 up, 1 right, 2 down, 3 left; reward 1 on reaching
/// the goal (terminated), 0 otherwise; the registry adds the time limit (4·Size² steps). Reset is deterministic (the
/// start is fixed). Each step's info carries the event message under "message" and the transition as the reward
/// designs read it (<see cref="DesignStep"/>) under <see cref="DesignStepKey"/>; in the misleading variant the step
/// carries the misleading lure term as its one auxiliary shaping term, which only a reward design adds to the reward.
/// </summary>
public sealed class KeyDoorGridEnvironment : EnvironmentBase<int>
{
    /// <summary>The info key of the step's <see cref="DesignStep"/>.</summary>
    public const string DesignStepKey = "design_step";

    private static readonly DiscreteSpace Actions = new(KeyDoorGrid.ActionCount);
    private readonly BoxSpace _observations;
    private GridState _state;
    private bool _done;

    /// <summary>Creates the environment over a fresh grid.</summary>
    /// <param name="name">Registry name to report.</param>
    /// <param name="options">Grid size and variant.</param>
    /// <param name="misleading">True to attach the misleading lure term to each step's <see cref="DesignStep"/>.</param>
    public KeyDoorGridEnvironment(string name, KeyDoorGridOptions options, bool misleading)
    {
        Name = name ?? throw new ArgumentNullException(nameof(name));
        Rollouts = new GridRollouts(new KeyDoorGrid(options), misleading);
        _observations = BoxSpace.Uniform(0f, 1f, Grid.Size * Grid.Size + 1);
        _state = Grid.Start;
    }

    /// <inheritdoc />
    public override string Name { get; }

    /// <summary>The step model shared with the reward designs (grid plus the misleading flag).</summary>
    public GridRollouts Rollouts { get; }

    /// <summary>The grid world the environment steps.</summary>
    public KeyDoorGrid Grid => Rollouts.Grid;

    /// <inheritdoc />
    public override BoxSpace ObservationSpace => _observations;

    /// <inheritdoc />
    public override Space<int> ActionSpace => Actions;

    /// <summary>The agent's position and key.</summary>
    public GridState State => _state;

    /// <inheritdoc />
    protected override ResetResult ResetCore()
    {
        _state = Grid.Start;
        _done = false;
        return new ResetResult(Observe(_state), EnvInfo.Empty);
    }

    /// <inheritdoc />
    public override StepResult Step(int action)
    {
        if (!Actions.Contains(action)) throw new ArgumentOutOfRangeException(nameof(action), action, "Grid actions are 0 up, 1 right, 2 down, 3 left.");
        if (_done) throw new InvalidOperationException($"'{Name}' reached its goal; call Reset before stepping again.");
        var (step, next) = Rollouts.Step(_state, action);
        _state = next;
        _done = step.Terminal;
        var info = new Dictionary<string, object>(StringComparer.Ordinal) { ["message"] = step.Message, [DesignStepKey] = step };
        return new StepResult(Observe(_state), step.Reward, step.Terminal, false, info);
    }

    private float[] Observe(GridState s)
    {
        var o = new float[Grid.Size * Grid.Size + 1];
        o[s.Y * Grid.Size + s.X] = 1f;
        o[^1] = s.HasKey ? 1f : 0f;
        return o;
    }

    /// <inheritdoc />
    protected override JsonObject SaveCore() => new() { ["x"] = _state.X, ["y"] = _state.Y, ["has_key"] = _state.HasKey, ["done"] = _done };

    /// <inheritdoc />
    protected override void RestoreCore(JsonObject state)
    {
        _state = new GridState(state["x"]!.GetValue<int>(), state["y"]!.GetValue<int>(), state["has_key"]!.GetValue<bool>());
        _done = state["done"]!.GetValue<bool>();
    }
}

/// <summary>The registered members of the key–door grid family (kind <c>control_environment</c>).</summary>
public static class KeyDoorEnvironments
{
    private const string Paper = "Behavior Alignment via Reward Function Optimization (Gupta, Chandak, Jordan, Thomas, da Silva, NeurIPS 2023, arXiv 2310.19007)";

    /// <summary>Name → (options, misleading).</summary>
    public static IReadOnlyDictionary<string, (KeyDoorGridOptions Options, bool Misleading, string Summary)> Variants { get; } =
        new Dictionary<string, (KeyDoorGridOptions, bool, string)>(StringComparer.OrdinalIgnoreCase)
        {
            ["keydoor"] = (new KeyDoorGridOptions { Size = 7 }, false, "Key-door-goal grid world, 7x7, sparse reward (1 at the goal): pick up the key, pass the locked door, reach the goal."),
            ["keydoor-5"] = (new KeyDoorGridOptions { Size = 5 }, false, "The key-door-goal grid world at 5x5."),
            ["keydoor-9"] = (new KeyDoorGridOptions { Size = 9 }, false, "The key-door-goal grid world at 9x9 (harder exploration)."),
            ["keydoor-open"] = (new KeyDoorGridOptions { Size = 7, Open = true }, false, "The grid world without wall, key or door (plain goal reaching), 7x7."),
            ["keydoor-misleading"] = (new KeyDoorGridOptions { Size = 5 }, true, "The 5x5 key-door grid world with a misleading shaping term (closeness to a lure cell away from the goal) for BARFI."),
            ["keydoor-open-misleading"] = (new KeyDoorGridOptions { Size = 5, Open = true }, true, "The open 5x5 grid (no wall, key or door) with the misleading lure term, where a random policy still finds the goal: BARFI's test bed."),
        };

    /// <summary>True when <paramref name="name"/> is a member of the family.</summary>
    public static bool Contains(string name) => Variants.ContainsKey(name);

    /// <summary>A new unwrapped copy of <paramref name="name"/>.</summary>
    public static KeyDoorGridEnvironment Create(string name)
    {
        if (!Variants.TryGetValue(name, out var v))
            throw new ArgumentException($"'{name}' is not a key-door grid world; valid: {string.Join(", ", Variants.Keys)}.");
        return new KeyDoorGridEnvironment(name.ToLowerInvariant(), v.Options, v.Misleading);
    }

    /// <summary>Registers every member in the control-environment registry.</summary>
    public static void RegisterAll(Rewire.Core.NamedRegistry<ControlEnvironmentSpec> registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        foreach (var (name, v) in Variants)
        {
            var grid = new KeyDoorGrid(v.Options);
            registry.Register(name, new ControlEnvironmentSpec(name, $"Rewire/{name}", () => Create(name), grid.DefaultTimeLimit, v.Summary, Paper));
        }
    }
}
