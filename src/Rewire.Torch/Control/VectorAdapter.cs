using System.Text.Json.Nodes;
using Rewire.Classic.Control;

namespace Rewire.Torch.Control;

/// <summary>
/// A vectorised environment of either action type seen through one surface: discrete actions as int64 indices,
/// continuous actions as a flat [N·A] array, clipped into the action box before they reach the environment (the
/// learner keeps the unclipped sample, as Stable-Baselines3 does).
/// </summary>
internal abstract class VectorAdapter
{
    public abstract int Count { get; }
    public abstract BoxSpace ObservationSpace { get; }
    public abstract bool Continuous { get; }

    /// <summary>Number of discrete actions, or the action dimension.</summary>
    public abstract int ActionSize { get; }

    public abstract IReadOnlyList<float[]> Observations { get; }

    /// <summary>Steps that threw (see <see cref="VectorEnvironment{TAction}"/>).</summary>
    public abstract long StepFailures { get; }

    /// <summary>Step/Reset calls past the guard's budget (see <see cref="VectorEnvironment{TAction}"/>).</summary>
    public abstract long StepTimeouts { get; }
    public abstract void Reset(int seed);
    public abstract VectorStepResult Step(long[] discrete, float[] continuous);
    public abstract JsonObject SaveState();
    public abstract void RestoreState(JsonObject state);

    /// <summary><paramref name="count"/> training environments of <paramref name="set"/>, which also builds the replacement of one that hangs under its guard.</summary>
    public static VectorAdapter Create(ControlEnvironmentSet set, int count)
    {
        ArgumentNullException.ThrowIfNull(set);
        var environments = Enumerable.Range(0, count).Select(set.Training).ToArray();
        if (environments.Length == 0) throw new ArgumentException("no environments.");
        if (environments.All(e => e is IEnvironment<int>))
            return new Discrete(new VectorEnvironment<int>(environments.Cast<IEnvironment<int>>().ToArray(), i => Typed<int>(set.Training(i)), set.Guard));
        if (environments.All(e => e is IEnvironment<float[]>))
            return new Box(new VectorEnvironment<float[]>(environments.Cast<IEnvironment<float[]>>().ToArray(), i => Typed<float[]>(set.Training(i)), set.Guard));
        throw new ArgumentException($"'{environments[0].Name}': every sub-environment must implement IEnvironment<int> (discrete actions) or every one IEnvironment<float[]> (continuous actions).");
    }

    private static IEnvironment<TAction> Typed<TAction>(IEnvironment e) where TAction : notnull =>
        e as IEnvironment<TAction> ?? throw new InvalidOperationException($"the replacement '{e.Name}' does not implement IEnvironment<{typeof(TAction).Name}> like the environment it replaces.");

    private sealed class Discrete(VectorEnvironment<int> vec) : VectorAdapter
    {
        public override int Count => vec.Count;
        public override BoxSpace ObservationSpace => vec.ObservationSpace;
        public override bool Continuous => false;
        public override int ActionSize => vec.ActionSpace is DiscreteSpace d ? d.N : throw new ArgumentException("a discrete environment needs a DiscreteSpace.");
        public override IReadOnlyList<float[]> Observations => vec.Observations;
        public override long StepFailures => vec.StepFailures;
        public override long StepTimeouts => vec.StepTimeouts;
        public override void Reset(int seed) => vec.Reset(seed);
        public override VectorStepResult Step(long[] discrete, float[] continuous) => vec.Step(discrete.Select(a => (int)a).ToArray());
        public override JsonObject SaveState() => vec.SaveState();
        public override void RestoreState(JsonObject state) => vec.RestoreState(state);
    }

    private sealed class Box(VectorEnvironment<float[]> vec) : VectorAdapter
    {
        private readonly BoxSpace _space = vec.ActionSpace as BoxSpace ?? throw new ArgumentException("a continuous environment needs a BoxSpace action space.");
        public override int Count => vec.Count;
        public override BoxSpace ObservationSpace => vec.ObservationSpace;
        public override bool Continuous => true;
        public override int ActionSize => _space.Dimension;
        public override IReadOnlyList<float[]> Observations => vec.Observations;
        public override long StepFailures => vec.StepFailures;
        public override long StepTimeouts => vec.StepTimeouts;
        public override void Reset(int seed) => vec.Reset(seed);

        public override VectorStepResult Step(long[] discrete, float[] continuous)
        {
            int a = _space.Dimension;
            var actions = new float[Count][];
            for (int i = 0; i < Count; i++) actions[i] = _space.Clip(continuous.AsSpan(i * a, a));
            return vec.Step(actions);
        }

        public override JsonObject SaveState() => vec.SaveState();
        public override void RestoreState(JsonObject state) => vec.RestoreState(state);
    }
}
